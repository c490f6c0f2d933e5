"""A live HTTP emulator on 127.0.0.1 with an ephemeral port, served from a thread, whose app can be swapped per test."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without its per-request log line (tests read the journal instead)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class LiveServer:
    """Serve ``app`` on ``host`` (loopback by default) and ``port`` (0: the OS picks one) in a daemon thread.

    ``app`` may be replaced while the server runs; the next request is answered by the new one. That lets
    a session-wide server serve each test's own app (and auth mode) without rebinding.
    """

    def __init__(self, app: Flask, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self._requested_port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def _dispatch(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        wsgi: WSGIApp = self.app.wsgi_app
        return wsgi(environ, start_response)

    def start(self) -> LiveServer:
        if self._server is not None:
            raise RuntimeError("the server is already running")
        server = make_server(
            self.host,
            self._requested_port,
            self._dispatch,
            threaded=True,
            request_handler=_QuietHandler,
        )
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="mockgraph-live", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the server is not running")
        return int(self._server.server_port)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``, with no trailing slash."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def url_for(self, path: str = "/") -> str:
        """The absolute URL of ``path`` on this server (``url_for("/beta/identity/apiConnectors")``)."""
        return self.url + ("" if path.startswith("/") else "/") + path

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
