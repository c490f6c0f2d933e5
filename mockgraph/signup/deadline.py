"""One HTTP(S) request with a total deadline: resolving, connecting, TLS, sending and every byte of the answer.

``requests`` (urllib3) takes a timeout per socket operation, so an endpoint that trickles its answer one byte at a
time is never cut off. Entra "waits for a maximum of 20 seconds to receive a response. If none is received, it makes
one more attempt" (reference §3.1): the limit is on the whole answer. Here every socket operation may wait only for
the time left, and the attempt ends when none is. The sign-up simulator and the custom authentication extensions
(callouts of 200-2000 ms) share this transport.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import certifi

from mockgraph.signup.messages import ClientCertificate, InboundResponse, OutboundRequest, TransportFailure
from mockgraph.signup.verdicts import FailureKind

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

# No size limit is documented (reference §3.3 open); connector answers are small JSON objects. The cap keeps a
# target that streams without end at loopback speed from filling the emulator's memory within the deadline.
MAX_RESPONSE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Deadline:
    """A moment on the monotonic clock; ``remaining()`` is the time left, or TimeoutError once it has passed."""

    end: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        return cls(time.monotonic() + seconds)

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the deadline has passed")
        return left


class DeadlineTransport:
    """Sends an ``OutboundRequest`` (HTTP/1.1, http.client) and gives up when ``deadline_seconds`` have passed.

    ``send`` returns the answer, or a ``TransportFailure`` (timeout, refused, TLS, other connection errors); it never
    raises for the network's sake. One connection per call, closed afterwards; no redirects followed, no proxies or
    .netrc. ``verify``: True (certifi's CA bundle, as ``requests`` uses), False, or a CA bundle file or directory. A
    request's ``client_certificate`` is presented in the TLS handshake (mutual TLS); its headers (Basic or bearer
    credentials) are sent as given. Details never repeat the URL or a header: the query string may hold a function
    key, the headers credentials.
    """

    def __init__(self, *, verify: bool | str = True, max_response_bytes: int = MAX_RESPONSE_BYTES) -> None:
        self.verify = verify
        self.max_response_bytes = max_response_bytes

    def send(self, request: OutboundRequest, deadline_seconds: float) -> InboundResponse | TransportFailure:
        deadline = Deadline.after(deadline_seconds)
        try:
            return self._exchange(request, deadline)
        except ssl.SSLError as error:  # before OSError and ValueError: it is both
            return TransportFailure(FailureKind.TLS_ERROR, f"{type(error).__name__}: {error}")
        except TimeoutError:
            return TransportFailure(FailureKind.TIMEOUT, f"no complete answer within {deadline_seconds:g} s")
        except ConnectionRefusedError as error:
            return TransportFailure(FailureKind.CONNECTION_REFUSED, f"{type(error).__name__}: {error}")
        except http.client.InvalidURL:
            return TransportFailure(FailureKind.CONNECTION_ERROR, "the target URL cannot be called")
        except (OSError, http.client.HTTPException) as error:
            return TransportFailure(FailureKind.CONNECTION_ERROR, f"{type(error).__name__}: {error}")
        except ValueError as error:  # http.client's message would quote the offending header value
            return TransportFailure(
                FailureKind.CONNECTION_ERROR, f"{type(error).__name__}: invalid URL or header"
            )

    def _exchange(self, request: OutboundRequest, deadline: Deadline) -> InboundResponse:
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise http.client.InvalidURL("only http and https URLs with a host can be called")
        https = parts.scheme == "https"
        port = parts.port or (443 if https else 80)
        tls = tls_context(self.verify, request.client_certificate) if https else None
        connection = _Connection(parts.hostname, port, deadline, tls)
        try:
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            connection.request("POST", target, body=request.body, headers=dict(request.headers))
            response = connection.getresponse()
            if response.length is not None and response.length > self.max_response_bytes:
                raise _too_large(self.max_response_bytes)
            body = response.read(self.max_response_bytes + 1)
            if len(body) > self.max_response_bytes:
                raise _too_large(self.max_response_bytes)
            if response.length:  # the server closed before Content-Length bytes came
                raise http.client.IncompleteRead(body, response.length)
            return InboundResponse(response.status, body, _headers(response))
        finally:
            connection.close_socket()


def _too_large(limit: int) -> http.client.HTTPException:
    return http.client.HTTPException(f"the answer is larger than {limit} bytes; reading stopped there")


def _headers(response: http.client.HTTPResponse) -> dict[str, str]:
    """Response headers, repeated ones joined with ", " (as requests did)."""
    headers: dict[str, str] = {}
    for name, value in response.getheaders():
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def tls_context(verify: bool | str, certificate: ClientCertificate | None) -> ssl.SSLContext:
    """A client context: the CA trust of ``verify``, TLS 1.2 or later, and the client certificate if any."""
    if verify is False:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif verify is True:
        context = ssl.create_default_context(cafile=certifi.where())
    elif Path(verify).is_dir():
        context = ssl.create_default_context(capath=verify)
    else:
        context = ssl.create_default_context(cafile=verify)
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # endpoints must support TLS 1.2 (reference §3.2)
    if certificate is not None:
        # The ssl module loads certificates only from files; they live only until loaded.
        with tempfile.TemporaryDirectory(prefix="mockgraph-mtls-") as folder:
            cert_path, key_path = Path(folder, "client.pem"), Path(folder, "client.key")
            cert_path.write_bytes(certificate.cert_pem)
            key_path.touch(mode=0o600)
            key_path.write_bytes(certificate.key_pem)
            context.load_cert_chain(cert_path, key_path)
    return context


class _Connection(http.client.HTTPConnection):
    """http.client's request writing and response parsing over a socket that keeps to the deadline."""

    def __init__(self, host: str, port: int, deadline: Deadline, tls: ssl.SSLContext | None) -> None:
        super().__init__(host, port)
        self.deadline = deadline
        self.tls = tls
        self.raw: socket.socket | None = None

    def close_socket(self) -> None:
        """Close the connection and its socket (``close`` leaves the socket to the response still reading it)."""
        self.close()
        if self.raw is not None:
            self.raw.close()

    def connect(self) -> None:
        sock = _open(self.host, self.port, self.deadline)
        try:
            if self.tls is not None:
                # CPython bounds the whole handshake by the socket's timeout (one deadline, not per read).
                sock.settimeout(self.deadline.remaining())
                sock = self.tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self.raw = sock
        # http.client only calls sendall, makefile and close on its socket.
        self.sock = cast(socket.socket, _DeadlineSocket(sock, self.deadline))


def _open(host: str, port: int, deadline: Deadline) -> socket.socket:
    """A TCP connection to the first address that answers, as socket.create_connection, within the deadline."""
    last: OSError = OSError(f"no address found for the host, port {port}")
    for family, kind, protocol, _, address in _resolve(host, port, deadline):
        sock = socket.socket(family, kind, protocol)
        try:
            sock.settimeout(deadline.remaining())
            sock.connect(address)
        except OSError as error:
            sock.close()
            last = error
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    raise last


AddressInfo = tuple[socket.AddressFamily, socket.SocketKind, int, str, tuple[Any, ...]]


def _resolve(host: str, port: int, deadline: Deadline) -> Sequence[AddressInfo]:
    """The host's addresses; a name lookup (which no socket timeout bounds) runs in a thread the deadline cuts off."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)
    found: list[AddressInfo] = []
    problems: list[OSError] = []

    def lookup() -> None:
        try:
            found.extend(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as error:
            problems.append(error)

    worker = threading.Thread(target=lookup, name="mockgraph-resolve", daemon=True)
    worker.start()
    worker.join(deadline.remaining())
    if worker.is_alive():
        raise TimeoutError("the host name was not resolved within the deadline")
    if problems:
        raise problems[0]
    return found


class _DeadlineSocket:
    """What http.client writes to and reads from: each send or receive may wait only for the time left."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def sendall(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            self._sock.settimeout(self._deadline.remaining())
            view = view[self._sock.send(view) :]

    def makefile(self, mode: str, *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def close(self) -> None:
        # http.client closes its socket as soon as the headers say the connection ends, while the response still
        # reads the body from it (the socket module keeps the descriptor open for makefile's readers); the
        # connection's ``close_socket`` closes it once the answer is read.
        pass


class _DeadlineReader(io.RawIOBase):
    """The raw stream under http.client's buffered reader: every read waits at most until the deadline."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        super().__init__()
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        self._sock.settimeout(self._deadline.remaining())
        return self._sock.recv_into(buffer)
