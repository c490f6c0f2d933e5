"""Calling a stored connector as Entra does: POST, JSON, Basic credentials or the active client certificate, one retry."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from mockgraph.core.certificates import load_client_identity
from mockgraph.core.odata_types import BASIC_AUTHENTICATION
from mockgraph.resources.connectors.model import active_certificate
from mockgraph.signup.messages import (
    ClientCertificate,
    InboundResponse,
    OutboundRequest,
    Transport,
    TransportFailure,
)
from mockgraph.signup.verdicts import FailureKind
from mockgraph.storage.store import Record


def basic_credentials(username: str, password: str) -> str:
    """``Basic base64(username:password)``; UTF-8 bytes, as Microsoft's sample decodes them (encoding undocumented)."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


def outbound_request(
    connector: Record, body: Mapping[str, Any], *, now: float, timeout: float
) -> OutboundRequest:
    """The request for ``connector`` (a stored record, secrets included).

    :raises TransportFailure: a certificate connector with no certificate valid at ``now``.
    """
    headers = {"Content-Type": "application/json"}
    configuration = connector["authenticationConfiguration"]
    certificate: ClientCertificate | None = None
    if configuration["@odata.type"] == BASIC_AUTHENTICATION:
        headers["Authorization"] = basic_credentials(configuration["username"], configuration["password"])
    else:
        active = active_certificate(connector, now)
        if active is None:
            raise TransportFailure(
                FailureKind.CERTIFICATE_UNAVAILABLE, "no uploaded certificate is valid now"
            )
        cert_pem, key_pem = load_client_identity(active["pkcs12Value"], active["password"])
        certificate = ClientCertificate(cert_pem, key_pem)
    payload = json.dumps(dict(body), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return OutboundRequest(connector["targetUrl"], headers, payload, timeout, certificate)


def send_with_retry(
    transport: Transport, request: OutboundRequest, *, retries: int
) -> tuple[InboundResponse | TransportFailure, int]:
    """The answer, or the last failure, and how many attempts were made.

    Only a missing answer is retried (timeouts and connection or TLS failures); any HTTP answer is final.
    """
    attempts = 0
    while True:
        attempts += 1
        try:
            return transport.send(request), attempts
        except TransportFailure as failure:
            if attempts > retries:
                return failure, attempts
