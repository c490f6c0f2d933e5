"""``LiveServer``: the live emulator the test kit serves on 127.0.0.1 (an ephemeral port), in a thread.

It is ``MockGraphServer`` (waitress, as ``mockgraph serve`` runs) under the name the fixtures and their
users know; its app can be swapped per test.
"""

from __future__ import annotations

from mockgraph.server import MockGraphServer


class LiveServer(MockGraphServer):
    """Serve a Flask app on loopback, port 0 by default; ``url_for(path)`` gives absolute URLs."""
