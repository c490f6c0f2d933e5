"""Calling an ASGI app (FastAPI, Starlette, ...) in-process, through httpx's ASGI transport (``mockgraph[httpx]``)."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from mockgraph.signup.messages import InboundResponse, OutboundRequest, TransportFailure
from mockgraph.signup.verdicts import FailureKind


class AsgiTransport:
    """Sends the request to an ASGI app with no socket; a call slower than the timeout is a timeout failure.

    httpx's ASGI transport cannot put a TLS client certificate into the ASGI scope, so for certificate connectors
    the certificate goes to the app as base64 DER in ``certificate_header`` (Azure App Service's
    ``X-ARR-ClientCert`` by default).
    """

    def __init__(self, app: Any, *, certificate_header: str = "X-ARR-ClientCert") -> None:
        self.app = app
        self.certificate_header = certificate_header

    def send(self, request: OutboundRequest) -> InboundResponse:
        return asyncio.run(self._send(request))

    async def _send(self, request: OutboundRequest) -> InboundResponse:
        import httpx  # optional dependency: only needed when an ASGI app is the target

        headers = dict(request.headers)
        if request.client_certificate is not None:
            der = x509.load_pem_x509_certificate(request.client_certificate.cert_pem).public_bytes(
                Encoding.DER
            )
            headers[self.certificate_header] = base64.b64encode(der).decode("ascii")
        transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport) as client:
            try:
                response = await asyncio.wait_for(
                    client.post(request.url, content=request.body, headers=headers), request.timeout
                )
            except TimeoutError:
                raise TransportFailure(
                    FailureKind.TIMEOUT, f"no answer within {request.timeout:g} s"
                ) from None
            return InboundResponse(response.status_code, response.content, dict(response.headers))
