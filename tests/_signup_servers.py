"""Loopback servers for the simulator's tests: a threaded WSGI server, and a TLS server that requires client certs."""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from werkzeug.serving import make_server


@contextmanager
def _serving(server: socketserver.BaseServer, url: str) -> Iterator[str]:
    """Run ``server`` in a thread while the block runs, yielding ``url``; then stop it and close its socket."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def wsgi_server(app: Any) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    with _serving(server, f"http://127.0.0.1:{server.server_port}") as url:
        yield url


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@dataclass(frozen=True)
class ServerIdentity:
    ca_path: Path
    cert_path: Path
    key_path: Path


def make_server_identity(folder: Path) -> ServerIdentity:
    """A CA and a server certificate for 127.0.0.1 signed by it, written as PEM files."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mockgraph test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    identity = ServerIdentity(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    identity.ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    identity.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    identity.key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return identity


Answer = Callable[[str | None, dict[str, Any], str], tuple[int, dict[str, Any]]]


@contextmanager
def mutual_tls_server(identity: ServerIdentity, trusted_client_pem: bytes, answer: Answer) -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 that requires a client certificate issued by ``trusted_client_pem``.

    ``answer(thumbprint, body, path_with_query)`` gives (status, JSON); the thumbprint is the client certificate's
    upper-case hex SHA-1, as Graph reports it. TLS 1.2, the version the docs require.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.maximum_version = (
        ssl.TLSVersion.TLSv1_2
    )  # the client certificate is then checked inside the handshake
    context.load_cert_chain(identity.cert_path, identity.key_path)
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(cadata=trusted_client_pem.decode("ascii"))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            peer = self.connection.getpeercert(binary_form=True)  # type: ignore[attr-defined]
            thumbprint = hashlib.sha1(peer, usedforsecurity=False).hexdigest().upper() if peer else None
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            status, document = answer(thumbprint, body, self.path)
            payload = json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with _serving(server, f"https://127.0.0.1:{server.server_address[1]}") as url:
        yield url


@dataclass(frozen=True)
class RawServer:
    """A running ``raw_http_server``: its URL and the monotonic time each connection was accepted."""

    url: str
    accepted: list[float]


@contextmanager
def raw_http_server(
    answer: bytes,
    *,
    at_once: int | None = None,
    interval: float = 0.06,
    stall: bool = False,
    limit_seconds: float = 8.0,
) -> Iterator[RawServer]:
    """A loopback TCP server that reads one HTTP request per connection and writes ``answer`` back, then closes.

    The first ``at_once`` bytes (default: all) go at once, the rest one byte every ``interval`` seconds. With
    ``stall`` it reads whatever comes (a TLS ClientHello, say) and never answers. Bounded: each connection ends
    after ``limit_seconds``, when the client goes away, or when the context exits.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    stop = threading.Event()
    accepted: list[float] = []
    handlers: list[threading.Thread] = []
    sent_at_once = len(answer) if at_once is None else at_once

    def read_request(conn: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ),
            0,
        )
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return
            body += chunk

    def handle(conn: socket.socket) -> None:
        started = time.monotonic()
        with conn:
            conn.settimeout(limit_seconds)
            try:
                if stall:
                    conn.settimeout(0.05)  # wake up often, to notice the context's exit
                    while not stop.is_set() and time.monotonic() - started < limit_seconds:
                        try:
                            if not conn.recv(65536):
                                return
                        except TimeoutError:
                            continue
                    return
                read_request(conn)
                conn.sendall(answer[:sent_at_once])
                for index in range(sent_at_once, len(answer)):
                    if stop.wait(interval) or time.monotonic() - started > limit_seconds:
                        return
                    conn.sendall(answer[index : index + 1])
            except OSError:
                return  # the client went away (the deadline cut it off): that is what the tests provoke

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted.append(time.monotonic())
            worker = threading.Thread(target=handle, args=(conn,), name="raw-http-connection", daemon=True)
            handlers.append(worker)
            worker.start()

    acceptor = threading.Thread(target=serve, name="raw-http-server", daemon=True)
    acceptor.start()
    try:
        yield RawServer(f"http://127.0.0.1:{listener.getsockname()[1]}", accepted)
    finally:
        stop.set()
        acceptor.join(5)
        listener.close()
        for worker in handlers:
            worker.join(5)
