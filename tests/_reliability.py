"""Helpers for the reliability and security suite: a live waitress server on 127.0.0.1 and Graph-error checks."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from waitress import wasyncore
from waitress.server import create_server

from mockgraph.contracts import shared_contracts

COLLECTION_PATH = "/beta/identity/apiConnectors"


@contextmanager
def live_server(app: Flask, *, threads: int = 8) -> Iterator[str]:
    """Serve ``app`` on waitress (as ``mockgraph serve`` does) on 127.0.0.1, an ephemeral port; yield its base URL.

    Not ``mockgraph.server.MockGraphServer``: handing waitress a bound socket makes it resolve its default
    ``0.0.0.0`` listen address, which the suite's no-network guard refuses (see tests/conftest.py)."""
    server: Any = create_server(app, host="127.0.0.1", port=0, threads=threads)

    def serve() -> None:
        # Its sockets are closed under the loop at shutdown.
        with contextlib.suppress(OSError, ValueError):
            server.run()

    thread = threading.Thread(target=serve, name="reliability-waitress", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        # Finish in-flight tasks first: closing the trigger under a running task raises in that task.
        server.task_dispatcher.shutdown()
        server.close()
        wasyncore.close_all(server._map)
        thread.join(timeout=5)


def graph_error_problem(status: int, content_type: str, body: bytes) -> str | None:
    """Why a 4xx/5xx answer is not Graph's error envelope (None when it is)."""
    import json

    if not content_type.startswith("application/json"):
        return f"content type {content_type!r}"
    try:
        document = json.loads(body)
    except ValueError:
        return f"body is not JSON: {body[:200]!r}"
    error = shared_contracts().first_error("odataError", document)
    if error is not None:
        return f"not an odataError ({error.message}): {document!r}"[:500]
    return None
