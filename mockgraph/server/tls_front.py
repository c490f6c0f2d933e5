"""A TLS front for the https server: asyncio accepts and decrypts, waitress serves the decrypted stream.

cheroot, the https server before it, ran each TLS handshake in its accept path: one connection that never
sent a ClientHello stalled every client for 10 s, ten stopped the server, and ten slowloris connections took
all its threads. Here each handshake is one more task on an event loop, with a deadline, so a silent or slow
client only holds its own connection. Once a connection is encrypted, a socket pair carries the plain
stream to waitress (``Server.adopt``), which answers it exactly as it answers http, slow-client limits,
keep-alive and Graph's errors included, with the client's real address (the admin API's loopback guard
reads it). asyncio's TLS and ``socket.socketpair`` work alike on Windows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
import threading
from typing import Any

from mockgraph.server.engine import Server, ServerLimits

LOGGER = logging.getLogger("mockgraph.server.tls")
CHUNK = 64 * 1024
# After a refusal to accept (e.g. out of file descriptors), wait before trying again rather than spin.
ACCEPT_RETRY_SECONDS = 0.1


class TlsFront:
    """Accept TLS connections on ``sock`` and hand each decrypted stream to ``server``; ``run()`` blocks."""

    def __init__(
        self, sock: socket.socket, context: ssl.SSLContext, server: Server, limits: ServerLimits
    ) -> None:
        self._sock = sock
        self._context = context
        self._server = server
        self._limits = limits
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._started = threading.Event()
        self._connections: set[asyncio.Task[None]] = set()
        self._transports: set[asyncio.WriteTransport] = set()

    def run(self) -> None:
        asyncio.run(self._main())

    def stop(self, timeout: float) -> None:
        """Stop accepting and close every connection; ``run()`` then returns."""
        if not self._started.wait(timeout):
            return
        loop, stopping = self._loop, self._stopping
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(stopping.set)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop.set_exception_handler(_quiet_connection_errors)
        self._stopping = asyncio.Event()
        self._started.set()
        accepting = asyncio.create_task(self._accept())
        await self._stopping.wait()
        accepting.cancel()
        for transport in list(self._transports):
            transport.abort()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(accepting, *self._connections, return_exceptions=True)

    async def _accept(self) -> None:
        loop = asyncio.get_running_loop()
        slots = asyncio.Semaphore(self._limits.connections)
        while True:
            await slots.acquire()
            try:
                conn, addr = await loop.sock_accept(self._sock)
            except OSError as error:
                slots.release()
                LOGGER.warning("https: cannot accept a connection: %s", error)
                await asyncio.sleep(ACCEPT_RETRY_SECONDS)
                continue
            task = asyncio.create_task(self._serve(conn, addr))
            self._connections.add(task)

            def done(finished: asyncio.Task[None]) -> None:
                self._connections.discard(finished)
                slots.release()

            task.add_done_callback(done)

    async def _serve(self, conn: socket.socket, addr: Any) -> None:
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=CHUNK)
        protocol = asyncio.StreamReaderProtocol(reader)
        try:
            transport, _ = await loop.connect_accepted_socket(
                lambda: protocol,
                conn,
                ssl=self._context,
                ssl_handshake_timeout=self._limits.handshake_seconds,
            )
        except (OSError, ssl.SSLError, TimeoutError, ConnectionError):
            # No ClientHello in time, plain http on the https port, a scanner: only this connection ends.
            conn.close()
            return
        client = asyncio.StreamWriter(transport, protocol, reader, loop)
        ours, theirs = socket.socketpair()
        if ours.family != getattr(socket, "AF_UNIX", None):
            # Windows makes the pair from TCP on loopback: without this, small answers wait on Nagle.
            for end in (ours, theirs):
                end.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._transports.add(transport)
        try:
            inner_reader, inner = await asyncio.open_connection(sock=ours, limit=CHUNK)
        except OSError:
            transport.abort()
            self._transports.discard(transport)
            ours.close()
            theirs.close()
            return
        self._transports.add(inner.transport)
        self._server.adopt(theirs, addr)
        try:
            await _relay(reader, client, inner_reader, inner)
        finally:
            self._transports.discard(transport)
            self._transports.discard(inner.transport)
            inner.transport.abort()
            if client.transport.is_closing():
                client.transport.abort()
            else:
                await _close(client)


async def _pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    while data := await source.read(CHUNK):
        sink.write(data)
        await sink.drain()


async def _relay(
    client_reader: asyncio.StreamReader,
    client: asyncio.StreamWriter,
    inner_reader: asyncio.StreamReader,
    inner: asyncio.StreamWriter,
) -> None:
    """Copy both ways until either side ends; then the other ends too (waitress treats a half-closed
    connection as closed, so there is nothing to wait for)."""
    pumps = [
        asyncio.create_task(_pump(client_reader, inner)),
        asyncio.create_task(_pump(inner_reader, client)),
    ]
    try:
        await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for pump in pumps:
            pump.cancel()
        await asyncio.gather(*pumps, return_exceptions=True)


async def _close(writer: asyncio.StreamWriter) -> None:
    """Send TLS's close_notify after what is buffered, without waiting long for a peer that is gone."""
    writer.close()
    with contextlib.suppress(OSError, ssl.SSLError, TimeoutError, ConnectionError):
        await asyncio.wait_for(writer.wait_closed(), timeout=1.0)
    writer.transport.abort()


def _quiet_connection_errors(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A client that vanishes mid-connection is not the server's problem: log it at debug level only."""
    error = context.get("exception")
    if isinstance(error, (OSError, ssl.SSLError, ConnectionError, TimeoutError)):
        LOGGER.debug("https connection: %s", context.get("message"))
        return
    loop.default_exception_handler(context)
