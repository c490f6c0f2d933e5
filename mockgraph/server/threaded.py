"""``MockGraphServer``: serve a Flask app on a production WSGI server, in a thread, over http or https.

Plain http runs on waitress; https on cheroot (waitress has no TLS, and cheroot is pure Python with TLS
built in and Windows support; both measured alike on loopback). The listening socket is bound first, so
port 0 gives a real port before the server starts, and forked workers can share one socket.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any, Protocol, Self

from cheroot import wsgi as cheroot_wsgi
from cheroot.ssl.builtin import BuiltinSSLAdapter
from flask import Flask
from waitress import wasyncore
from waitress.server import create_server

from mockgraph.server.tls import TlsFiles

DEFAULT_THREADS = 8
BACKLOG = 1024
JOIN_SECONDS = 5.0


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host`` (IPv4 or IPv6) and ``port`` (0: the OS picks a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        if os.name == "posix":
            # Lets a restart rebind at once while old connections sit in TIME_WAIT (on Windows it would
            # let two servers share the port, so it is POSIX only).
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit it: without it small TLS records wait on Nagle + delayed ACK (~40 ms).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except BaseException:
        sock.close()
        raise
    return sock


class _Backend(Protocol):
    def run(self) -> None: ...

    def stop(self) -> None: ...


WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _Waitress:
    def __init__(self, app: WSGIApp, sock: socket.socket, threads: int) -> None:
        self.server: Any = create_server(app, sockets=[sock], threads=threads, ident="mockgraph")

    def run(self) -> None:
        self.server.run()

    def stop(self) -> None:
        # Let running requests finish first: a task that ends after the server's trigger is closed fails.
        self.server.task_dispatcher.shutdown(timeout=JOIN_SECONDS)
        self.server.close()
        # Keep-alive channels would keep the loop running: close them too.
        wasyncore.close_all(getattr(self.server, "_map", None) or getattr(self.server, "map", {}))


class _InheritedSocketServer(cheroot_wsgi.Server):
    """cheroot's server on a socket that is already bound and listening."""

    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock.getsockname()[:2], *args, **kwargs)
        self._inherited = sock

    def bind(self, family: int, type: int, proto: int = 0) -> socket.socket:
        self.socket = self._inherited
        return self._inherited


class _Cheroot:
    def __init__(self, app: WSGIApp, sock: socket.socket, threads: int, tls: TlsFiles) -> None:
        self.server = _InheritedSocketServer(sock, app, numthreads=threads, server_name="mockgraph")
        self.server.ssl_adapter = BuiltinSSLAdapter(str(tls.cert_file), str(tls.key_file))

    def run(self) -> None:
        self.server.safe_start()

    def stop(self) -> None:
        self.server.stop()


class MockGraphServer:
    """Serve ``app`` on ``host``/``port`` (http, or https with ``tls``); ``start()`` returns once it accepts.

    Pass ``sock`` to serve on an already listening socket (forked workers share their parent's).
    ``app`` may be replaced while the server runs: the next request is answered by the new one, which
    lets a session-wide test server serve each test's own app without rebinding.
    """

    def __init__(
        self,
        app: Flask,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: TlsFiles | None = None,
        threads: int = DEFAULT_THREADS,
        sock: socket.socket | None = None,
    ) -> None:
        self.app = app
        self.host = host
        self.tls = tls
        self.threads = threads
        self._sock = sock
        self._requested_port = port
        self._backend: _Backend | None = None
        self._thread: threading.Thread | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.tls is not None else "http"

    @property
    def port(self) -> int:
        if self._sock is None:
            raise RuntimeError("the server is not running")
        return int(self._sock.getsockname()[1])

    @property
    def url(self) -> str:
        """``http(s)://host:port`` with no trailing slash (IPv6 hosts in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    def url_for(self, path: str = "/") -> str:
        return self.url + ("" if path.startswith("/") else "/") + path

    @property
    def running(self) -> bool:
        return self._backend is not None

    def _dispatch(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        wsgi: WSGIApp = self.app.wsgi_app
        return wsgi(environ, start_response)

    def ready(self) -> bool:
        """Whether the server thread is up (connections are queued by the socket from ``start()`` on)."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Self:
        if self._backend is not None:
            raise RuntimeError("the server is already running")
        if self._sock is None:
            self._sock = bind_socket(self.host, self._requested_port)
        backend: _Backend = (
            _Waitress(self._dispatch, self._sock, self.threads)
            if self.tls is None
            else _Cheroot(self._dispatch, self._sock, self.threads, self.tls)
        )
        self._backend = backend
        self._thread = threading.Thread(target=backend.run, name="mockgraph-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._backend is None:
            return
        self._backend.stop()
        if self._thread is not None:
            self._thread.join(timeout=JOIN_SECONDS)
        self._backend = None
        self._thread = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
