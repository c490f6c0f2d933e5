"""waitress, set up so that slow, idle or malformed clients cannot stall a development server.

Changed from waitress's defaults, and why (the figures are ``ServerLimits``'s defaults):

- up to 1,000 connections (waitress: 100, and 105 slow clients stalled everyone), polled with ``poll()``
  on POSIX (``select()`` stops at 1,024 descriptors); headers are capped at 64 KiB so that the
  connections' buffered requests stay bounded in memory;
- a request must arrive whole within 30 s of its first byte, so a slowloris client holds its connection
  for 30 s, not for as long as it trickles; an idle keep-alive connection is closed after 60 s;
- a 204 or 304 keeps the connection open (waitress closes after any response without a Content-Length,
  and those responses may not carry one);
- a response's header and its first body chunk (up to 64 KiB) leave in one send, not two: one syscall and
  one TCP segment per small response; and while a worker sends, the loop does not poll that connection for
  writing (it spun on the worker's lock);
- the server's own refusals (oversized headers, an unsupported Transfer-Encoding, a malformed request)
  answer Graph's JSON error envelope instead of waitress's text/plain;
- ``adopt()`` serves a connection accepted elsewhere (the TLS front hands over each decrypted stream).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher, WSGITask

from mockgraph.core.errors import GraphError, InvalidRequest
from mockgraph.web.http import protocol_error_response

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# CPython's select() on Windows takes at most 512 sockets; waitress polls with it there.
_CONNECTIONS = 1000 if os.name == "posix" else 480


@dataclass(frozen=True)
class ServerLimits:
    """How many connections a server holds, and how long a slow or idle one may keep its place."""

    connections: int = _CONNECTIONS
    idle_seconds: int = 60
    request_seconds: float = 30.0
    handshake_seconds: float = 10.0
    header_bytes: int = 64 * 1024
    # Above the app's own limit (4 MiB by default), so the app answers its own 413; bodies past 512 KiB
    # are buffered in a temporary file, not in memory.
    body_bytes: int = 64 * 1024 * 1024


# A response's first body chunk up to this size leaves in one send with the header (a copy this small costs
# less than a second send, its GIL hand-off and a second TCP segment for the client to wake up for).
_JOINED_BODY_BYTES = 64 * 1024


class _WSGITask(WSGITask):
    _framing = False

    def write(self, data: bytes) -> None:
        channel: Any = self.channel
        if (
            self.wrote_header
            or not self.complete
            or not isinstance(data, bytes)
            or not data
            or len(data) > _JOINED_BODY_BYTES
        ):
            super().write(data)
            return
        # waitress sends the header, then the chunk: held here, the header goes out with the chunk
        # (``_Channel.write_soon``), or alone if the chunk is not sent (a 204's body, say).
        channel.held_header = self.build_response_header()
        self.wrote_header = True
        try:
            super().write(data)
        finally:
            header, channel.held_header = channel.held_header, None
        if header is not None:
            channel.write_soon(header)

    def build_response_header(self) -> bytes:
        self._framing = True
        try:
            header: bytes = super().build_response_header()
        finally:
            self._framing = False
        return header

    def set_close_on_finish(self) -> None:
        # waitress closes after any HTTP/1.1 response without a Content-Length, but a 1xx, 204 or 304
        # ends with its headers (RFC 9112 section 6.3) and may not send one: keep the connection.
        if (
            self._framing
            and self.version == "1.1"
            and not self.has_body
            and self._request_headers().get("CONNECTION", "").lower() != "close"
        ):
            return
        super().set_close_on_finish()

    def _request_headers(self) -> dict[str, str]:
        request: Any = self.request  # waitress's parser (its type stubs call it an Error)
        headers: dict[str, str] = request.headers
        return headers


_GRAPH_ERRORS: dict[int, Callable[[str], GraphError]] = {
    400: lambda message: InvalidRequest(message),
    413: lambda message: GraphError(message, status=413, code="RequestEntityTooLarge"),
    431: lambda message: GraphError(message, status=431, code="RequestHeaderFieldsTooLarge"),
    501: lambda message: GraphError(message, status=501, code="NotImplemented"),
}


def graph_error_for(status: int, reason: str, detail: str) -> GraphError:
    """Graph's error for one of waitress's own refusals, with waitress's explanation ``detail``.

    Some explanations quote the offending line (``Malformed header line "..."``), which may hold a token:
    the quoted part is dropped."""
    detail = detail.split('"', 1)[0].strip()[:200]
    message = f"{reason}: {detail}" if detail else reason
    make = _GRAPH_ERRORS.get(status)
    return make(message) if make is not None else GraphError(status=status)


class _ErrorTask(ErrorTask):
    def execute(self) -> None:
        request: Any = self.request  # waitress's parser, holding the refusal
        refusal = request.error
        error = graph_error_for(refusal.code, refusal.reason, str(refusal.body))
        status, headers, body = protocol_error_response(error)
        self.status = f"{status} {refusal.reason}"
        self.response_headers = [*self.response_headers, *headers]
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _Channel(HTTPChannel):
    task_class = _WSGITask
    error_task_class = _ErrorTask
    # When the first byte of the request still being received arrived (None: none is pending).
    request_started: float | None = None
    # A response header waiting to go out with its first body chunk (only the channel's task sets it).
    held_header: bytes | None = None
    # Set while a worker sends the channel's output itself (waitress's send_bytes=1): polled for writing
    # meanwhile, the loop found the output locked by that worker and spun, each turn a GIL hand-off.
    worker_sending = False

    def write_soon(self, data: Any) -> int:
        header = self.held_header
        if header is not None:  # whatever is written next, the header goes first
            self.held_header = None
            if isinstance(data, bytes) and data:
                return self._send_soon(header + data) - len(header)
            self._send_soon(header)
        return self._send_soon(data)

    def _send_soon(self, data: Any) -> int:
        self.worker_sending = True
        try:
            written: int = super().write_soon(data)
        finally:
            self.worker_sending = False
        if self.total_outbufs_len:  # the socket took less than all: the loop sends the rest
            self.server.pull_trigger()
        return written

    def _flush_outbufs_below_high_watermark(self) -> None:
        # Here a worker may wait for the loop to drain the output: the loop must poll for writing meanwhile.
        sending, self.worker_sending = self.worker_sending, False
        try:
            super()._flush_outbufs_below_high_watermark()  # type: ignore[misc]  # not in the stubs
        finally:
            self.worker_sending = sending

    def writable(self) -> bool:
        if self.worker_sending and not (self.will_close or self.close_when_flushed):
            return False
        return bool(super().writable())

    def received(self, data: bytes) -> bool:
        before = self.request
        result: bool = super().received(data)
        if self.request is None:
            self.request_started = None
        elif self.request is not before:
            self.request_started = time.time()
        return result


class Server(TcpWSGIServer):
    """waitress on an already listening socket; with ``accepting=False`` it only serves adopted connections."""

    channel_class = _Channel
    _closing = False  # set in the server's thread once it closes its sockets

    def __init__(
        self,
        app: WSGIApp,
        sock: socket.socket,
        *,
        threads: int,
        limits: ServerLimits,
        url_scheme: str = "http",
        accepting: bool = True,
    ) -> None:
        adj = Adjustments(
            threads=threads,
            ident="mockgraph",
            url_scheme=url_scheme,
            connection_limit=limits.connections,
            channel_timeout=limits.idle_seconds,
            # How often idle and late connections are looked for: the request deadline is this precise.
            cleanup_interval=1,
            max_request_header_size=limits.header_bytes,
            max_request_body_size=limits.body_bytes,
            asyncore_use_poll=os.name == "posix",
        )
        dispatcher = ThreadedTaskDispatcher()
        dispatcher.set_thread_count(threads)
        self.limits = limits
        super().__init__(
            app,
            map={},
            _sock=sock,
            dispatcher=dispatcher,
            adj=adj,
            bind_socket=False,
            sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()),
        )
        self.accepting = accepting

    def maintenance(self, now: Any) -> None:
        super().maintenance(now)
        late = now - self.limits.request_seconds
        channels: dict[int, HTTPChannel] = self.active_channels  # type: ignore[assignment]  # stubs: one channel
        for channel in list(channels.values()):
            started = getattr(channel, "request_started", None)
            # Not while a request of the same connection runs: its answer would be cut.
            if started is not None and started < late and not channel.requests:
                channel.will_close = True

    def adopt(self, sock: socket.socket, addr: Any) -> None:
        """Serve ``sock`` (from any thread) as if it had been accepted from ``addr``."""

        def add() -> None:
            if self._closing:
                sock.close()
                return
            self.channel_class(self, sock, addr, self.adj, map=self.socket_map)

        if self._closing:
            sock.close()
            return
        try:
            self.wake(add)
        except OSError:  # the server closed its trigger meanwhile
            sock.close()

    def shut_down(self, timeout: float) -> None:
        """Stop accepting, let running requests finish, then close every socket from the server's own thread.

        Closing them from the caller's thread raced the loop's ``poll()`` (``EBADF`` in its thread)."""
        self.accepting = False
        self.task_dispatcher.shutdown(timeout=int(timeout))

        def close_everything() -> None:
            self._closing = True
            wasyncore.close_all(self.socket_map, ignore_all=True)

        self.wake(close_everything)

    @property
    def socket_map(self) -> dict[int, Any]:
        """The sockets the server's loop polls (the loop ends once it is empty)."""
        sockets: dict[int, Any] = getattr(self, "_map")  # noqa: B009  # not in waitress's type stubs
        return sockets

    def wake(self, thunk: Callable[[], None]) -> None:
        """Run ``thunk`` in the server's own thread, soon."""
        trigger: Any = self.trigger
        trigger.pull_trigger(thunk)
