"""``MockGraphServer``: serve a Flask app on a production WSGI server, in a thread, over http or https.

Both schemes are served by waitress, set up against slow and idle clients (``mockgraph.server.engine``); for
https a TLS front decrypts each connection off the accept path and hands it to the same waitress
(``mockgraph.server.tls_front``). The listening socket is bound first, so port 0 gives a real port before
the server starts, and forked workers can share one socket.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any, Self

from flask import Flask

from mockgraph.server.engine import Server, ServerLimits, WSGIApp
from mockgraph.server.tls import TlsFiles
from mockgraph.server.tls_front import TlsFront

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


class _Backend:
    """waitress in one thread; for https, the TLS front in a second one that hands it each connection."""

    def __init__(
        self, app: WSGIApp, sock: socket.socket, threads: int, tls: TlsFiles | None, limits: ServerLimits
    ) -> None:
        self.server = Server(
            app,
            sock,
            threads=threads,
            limits=limits,
            url_scheme="http" if tls is None else "https",
            accepting=tls is None,
        )
        self.front = None if tls is None else TlsFront(sock, tls.server_context(), self.server, limits)
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        self.threads = [threading.Thread(target=self.server.run, name="mockgraph-server", daemon=True)]
        if self.front is not None:
            self.threads.append(threading.Thread(target=self.front.run, name="mockgraph-tls", daemon=True))
        for thread in self.threads:
            thread.start()

    def alive(self) -> bool:
        return bool(self.threads) and all(thread.is_alive() for thread in self.threads)

    def stop(self) -> None:
        # The front first, so that no connection is handed over to a closing server.
        if self.front is not None:
            self.front.stop(JOIN_SECONDS)
            self.threads[-1].join(JOIN_SECONDS)
        self.server.shut_down(JOIN_SECONDS)
        self.threads[0].join(JOIN_SECONDS)


class MockGraphServer:
    """Serve ``app`` on ``host``/``port`` (http, or https with ``tls``); ``start()`` returns once it accepts.

    Pass ``sock`` to serve on an already listening socket (forked workers share their parent's), and
    ``limits`` to change how many connections it holds and how long a slow one may keep its place.
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
        limits: ServerLimits | None = None,
    ) -> None:
        self.app = app
        self.host = host
        self.tls = tls
        self.threads = threads
        self.limits = limits or ServerLimits()
        self._sock = sock
        self._requested_port = port
        self._backend: _Backend | None = None

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
        return self._backend is not None and self._backend.alive()

    def start(self) -> Self:
        if self._backend is not None:
            raise RuntimeError("the server is already running")
        if self._sock is None:
            self._sock = bind_socket(self.host, self._requested_port)
        backend = _Backend(self._dispatch, self._sock, self.threads, self.tls, self.limits)
        backend.start()
        self._backend = backend
        return self

    def stop(self) -> None:
        if self._backend is None:
            return
        self._backend.stop()
        self._backend = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
