"""How the simulator reaches a connector's target: real HTTP(S) with ``requests``, or a WSGI app in-process.

A transport sends one ``OutboundRequest`` and returns an ``InboundResponse``, or raises ``TransportFailure`` naming
what went wrong before an answer arrived (timeout, refused connection, TLS, other connection errors).
"""

from __future__ import annotations

import base64
import ssl
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from werkzeug.test import Client, EnvironBuilder

from mockgraph.signup.contract import FailureKind

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True)
class ClientCertificate:
    """The PEM certificate and key presented for mutual TLS."""

    cert_pem: bytes
    key_pem: bytes


@dataclass(frozen=True)
class OutboundRequest:
    """One POST to a connector's target URL (the query string is part of ``url``)."""

    url: str
    headers: Mapping[str, str]
    body: bytes
    timeout: float
    client_certificate: ClientCertificate | None = None


@dataclass(frozen=True)
class InboundResponse:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


class TransportFailure(Exception):
    """Raise if no answer arrived: ``kind`` says why, ``detail`` is for the developer (never shown to users)."""

    def __init__(self, kind: FailureKind, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


class Transport(Protocol):
    def send(self, request: OutboundRequest) -> InboundResponse: ...


def _chain(error: BaseException) -> list[BaseException]:
    """An exception and everything it wraps (requests and urllib3 nest the socket error several levels down)."""
    seen: list[BaseException] = []
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if any(current is known for known in seen):
            continue
        seen.append(current)
        pending.extend(
            e
            for e in (current.__cause__, current.__context__, getattr(current, "reason", None))
            if isinstance(e, BaseException)
        )
        pending.extend(a for a in current.args if isinstance(a, BaseException))
    return seen


def classify(error: BaseException) -> FailureKind:
    """The failure kind of a transport exception."""
    chain = _chain(error)
    if any(isinstance(e, requests.exceptions.Timeout | TimeoutError) for e in chain):
        return FailureKind.TIMEOUT
    if any(isinstance(e, ssl.SSLError | requests.exceptions.SSLError) for e in chain):
        return FailureKind.TLS_ERROR
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return FailureKind.CONNECTION_REFUSED
    return FailureKind.CONNECTION_ERROR


class HttpTransport:
    """Real HTTP(S) with ``requests``: no redirects followed, no proxies or .netrc from the environment.

    ``verify`` is passed to requests (True, False, or a CA bundle path for test servers with their own CA).
    """

    def __init__(self, *, verify: bool | str = True) -> None:
        self.verify = verify

    def send(self, request: OutboundRequest) -> InboundResponse:
        with requests.Session() as session, tempfile.TemporaryDirectory(prefix="mockgraph-mtls-") as folder:
            session.trust_env = False  # environment proxies or a .netrc must not change what is sent
            cert: tuple[str, str] | None = None
            if request.client_certificate is not None:
                cert_path, key_path = Path(folder, "client.pem"), Path(folder, "client.key")
                cert_path.write_bytes(request.client_certificate.cert_pem)
                key_path.touch(mode=0o600)
                key_path.write_bytes(request.client_certificate.key_pem)
                cert = (str(cert_path), str(key_path))
            try:
                response = session.post(
                    request.url,
                    data=request.body,
                    headers=dict(request.headers),
                    timeout=request.timeout,
                    cert=cert,
                    verify=self.verify,
                    allow_redirects=False,
                )
            except requests.exceptions.RequestException as error:
                raise TransportFailure(classify(error), f"{type(error).__name__}: {error}") from None
            return InboundResponse(response.status_code, response.content, dict(response.headers))


class WsgiTransport:
    """Calls a WSGI app (Flask, Django, ...) in-process: no socket, the URL's path and query string kept.

    With mutual TLS the client certificate's PEM is put in the WSGI environ as ``SSL_CLIENT_CERT`` (as mod_ssl and
    gunicorn do) and, if ``certificate_header`` is set, base64 DER in that header (Azure App Service forwards it
    as ``X-ARR-ClientCert``). A call that takes longer than the timeout is a timeout failure.
    """

    def __init__(self, app: WsgiApp, *, certificate_header: str | None = None) -> None:
        self.app = app
        self.certificate_header = certificate_header

    def send(self, request: OutboundRequest) -> InboundResponse:
        parts = urlsplit(request.url)
        headers = dict(request.headers)
        environ: dict[str, Any] = {}
        if request.client_certificate is not None:
            environ["SSL_CLIENT_CERT"] = request.client_certificate.cert_pem.decode("ascii")
            if self.certificate_header:
                headers[self.certificate_header] = _base64_der(request.client_certificate.cert_pem)
        builder = EnvironBuilder(
            path=parts.path or "/",
            base_url=f"{parts.scheme}://{parts.netloc}",
            query_string=parts.query,
            method="POST",
            headers=list(headers.items()),
            data=request.body,
            environ_overrides=environ,
        )
        result: dict[str, Any] = {}

        def run() -> None:
            try:
                response = Client(self.app).open(builder)
                result["response"] = InboundResponse(
                    response.status_code, response.get_data(), dict(response.headers)
                )
            except Exception as error:  # the app's own crash is the connector failing, not the simulator
                result["error"] = error

        worker = threading.Thread(target=run, name="mockgraph-wsgi-connector", daemon=True)
        worker.start()
        worker.join(request.timeout)
        if worker.is_alive():
            raise TransportFailure(FailureKind.TIMEOUT, f"no answer within {request.timeout:g} s")
        if "error" in result:
            # A WSGI server answers 500 when the app raises; so does this transport.
            error = result["error"]
            return InboundResponse(500, f"{type(error).__name__}: {error}".encode(), {})
        response: InboundResponse = result["response"]
        return response


def _base64_der(cert_pem: bytes) -> str:
    return base64.b64encode(x509.load_pem_x509_certificate(cert_pem).public_bytes(Encoding.DER)).decode(
        "ascii"
    )
