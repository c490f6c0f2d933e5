"""How the simulator reaches a connector's target: real HTTP(S) within a deadline, or a WSGI app in-process.

A transport sends one ``OutboundRequest`` and returns an ``InboundResponse``, or raises ``TransportFailure`` naming
what went wrong before an answer arrived (timeout, refused connection, TLS, other connection errors). The message
types live in :mod:`mockgraph.signup.messages` and are re-exported here.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from werkzeug.test import Client, EnvironBuilder

from mockgraph.signup.deadline import DeadlineTransport
from mockgraph.signup.messages import (
    ClientCertificate,
    InboundResponse,
    OutboundRequest,
    Transport,
    TransportFailure,
)
from mockgraph.signup.verdicts import FailureKind

__all__ = [
    "ClientCertificate",
    "HttpTransport",
    "InboundResponse",
    "OutboundRequest",
    "Transport",
    "TransportFailure",
    "WsgiApp",
    "WsgiTransport",
]

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class HttpTransport:
    """Real HTTP(S): each attempt gets ``request.timeout`` in total, connect to last byte (a ``DeadlineTransport``).

    ``verify`` is True (certifi's CA bundle), False, or a CA bundle path for test servers with their own CA. No
    redirects are followed, no proxies or .netrc from the environment are used.
    """

    def __init__(self, *, verify: bool | str = True) -> None:
        self.verify = verify

    def send(self, request: OutboundRequest) -> InboundResponse:
        answer = DeadlineTransport(verify=self.verify).send(request, request.timeout)
        if isinstance(answer, TransportFailure):
            raise answer
        return answer


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
