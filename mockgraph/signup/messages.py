"""What every transport exchanges: the outbound request, the answer, and the failure when no answer arrived."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from mockgraph.signup.verdicts import FailureKind


@dataclass(frozen=True)
class ClientCertificate:
    """The PEM certificate and key presented for mutual TLS."""

    cert_pem: bytes
    key_pem: bytes


@dataclass(frozen=True)
class OutboundRequest:
    """One POST to a connector's target URL (the query string is part of ``url``); ``timeout`` bounds each attempt."""

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
