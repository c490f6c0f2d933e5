"""Graph-shaped errors: one exception class per condition Graph reports, one serialiser.

Hierarchy::

    GraphError                       500 generalException
    ├── InvalidRequest               400 BadRequest (paths, query options, payloads)
    │   ├── SegmentNotFound          400 "Resource not found for the segment '...'."
    │   └── InvalidRequestBody       400 body failed its contract / could not be read
    ├── InvalidAuthenticationToken   401 (carries Graph's WWW-Authenticate header)
    ├── AuthorizationDenied          403 Authorization_RequestDenied
    │   └── MissingApplicationPermission   403 AADB2C
    ├── ResourceNotFound             404 Request_ResourceNotFound
    ├── MethodNotSupported           405
    ├── UnsupportedContentType       415
    ├── PayloadTooLarge              413
    ├── QuotaExceeded                400 (the per-tenant connector limit)
    ├── ThrottledRequest             429 (injected faults)
    ├── ServiceNotAvailable          503 (injected faults)
    └── UpstreamTimeout              504 (injected faults)

Class names never repeat Werkzeug's (``BadRequest``, ``MethodNotAllowed``...), so a reader always knows which
kind of error a name means. Nothing here imports Flask: the store, the identity layer and the contracts raise these,
and the application turns any of them into Graph's envelope through ``to_envelope``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
WWW_AUTHENTICATE = (
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
    f'client_id="{GRAPH_APP_ID}"'
)


class GraphError(Exception):
    """Base of every error the emulator answers with.

    ``status`` and ``code`` are class defaults that an instance may override; ``reason``
    says which emulator rule refused the request (it goes to the journal and the
    ``x-mockgraph-reason`` header, never into Graph's body).
    """

    status: int = 500
    default_code: ClassVar[str] = "generalException"
    default_message: ClassVar[str] = "An unexpected error occurred while processing the request."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        reason: str | None = None,
        headers: Mapping[str, str] | None = None,
        status: int | None = None,
    ) -> None:
        if status is not None:
            self.status = status
        self.message = message if message is not None else self.default_message
        self.code = code if code is not None else self.default_code
        self.reason = reason
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(self.message)

    def to_envelope(self, *, date: str, request_id: str, client_request_id: str) -> dict[str, Any]:
        """Graph's error body: ``{"error": {"code", "message", "innerError": {...}}}``."""
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {
                    "date": date,
                    "request-id": request_id,
                    "client-request-id": client_request_id,
                },
            }
        }


class InvalidRequest(GraphError):
    """Raise if a path, query option or payload is not one Graph accepts."""

    status = 400
    default_code = "BadRequest"
    default_message = "The request is invalid."


class SegmentNotFound(InvalidRequest):
    """Raise if a path under a Graph version names a segment that does not exist."""

    def __init__(self, segment: str) -> None:
        super().__init__(
            f"Resource not found for the segment '{segment}'.",
            reason=f"unknown segment {segment!r}",
        )


class InvalidRequestBody(InvalidRequest):
    """Raise if a request body cannot be read or breaks its contract."""


class InvalidAuthenticationToken(GraphError):
    """Raise if the bearer token is absent, unreadable, badly signed, or out of its lifetime."""

    status = 401
    default_code = "InvalidAuthenticationToken"
    default_message = "Access token validation failure."

    def __init__(self, message: str | None = None, *, reason: str | None = None) -> None:
        super().__init__(message, reason=reason, headers={"WWW-Authenticate": WWW_AUTHENTICATE})


class AuthorizationDenied(GraphError):
    """Raise if a delegated caller lacks the scope or directory role, or the account kind is unsupported."""

    status = 403
    default_code = "Authorization_RequestDenied"
    default_message = "Insufficient privileges to complete the operation."


class MissingApplicationPermission(AuthorizationDenied):
    """Raise if an application token lacks every permission the operation accepts."""

    default_code = "AADB2C"

    def __init__(self, accepted: tuple[str, ...], *, reason: str | None = None) -> None:
        super().__init__(
            "The application does not have any of the required application permissions "
            f"({', '.join(accepted)}) to access the resource.",
            reason=reason,
        )


class ResourceNotFound(GraphError):
    """Raise if the addressed object does not exist in the caller's tenant."""

    status = 404
    default_code = "Request_ResourceNotFound"

    def __init__(self, object_id: str, *, reason: str | None = None) -> None:
        super().__init__(
            f"Resource '{object_id}' does not exist or one of its queried reference-property "
            "objects are not present.",
            reason=reason or "no such object in the caller's tenant",
        )


class MethodNotSupported(GraphError):
    """Raise if the path exists but does not support the HTTP method."""

    status = 405
    default_code = "Request_BadRequest"
    default_message = "The requested resource does not support http method '{method}'."

    def __init__(self, method: str, allowed: tuple[str, ...]) -> None:
        self.allowed = allowed
        super().__init__(
            self.default_message.format(method=method),
            reason=f"method {method} not supported here",
            headers={"Allow": ", ".join(allowed)},
        )


class UnsupportedContentType(GraphError):
    """Raise if a body arrives without ``Content-Type: application/json``."""

    status = 415
    default_code = "UnsupportedMediaType"
    default_message = (
        "The content type '{content_type}' is not supported. The request body must be sent with "
        "'Content-Type: application/json'."
    )

    def __init__(self, content_type: str) -> None:
        super().__init__(
            self.default_message.format(content_type=content_type or "(none)"),
            reason="Content-Type is not application/json",
        )


class PayloadTooLarge(GraphError):
    """Raise if the request body exceeds the configured maximum size."""

    status = 413
    default_code = "RequestEntityTooLarge"
    default_message = "The request body is too large. The maximum allowed size is {limit} bytes."

    def __init__(self, limit: int) -> None:
        super().__init__(self.default_message.format(limit=limit), reason="body over the size limit")


class QuotaExceeded(InvalidRequest):
    """Raise if creating a connector would exceed the tenant's connector limit."""

    default_code = "QuotaExceeded"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"The maximum number of API connectors ({limit}) for this tenant has been reached.",
            reason=f"tenant already holds {limit} connectors",
        )


class ThrottledRequest(GraphError):
    """Raise (through fault injection) to throttle a client."""

    status = 429
    default_code = "TooManyRequests"
    default_message = "Too many requests from Identifier under category:throttle. Please try again later."


class ServiceNotAvailable(GraphError):
    """Raise (through fault injection) to simulate an unavailable service."""

    status = 503
    default_code = "serviceNotAvailable"
    default_message = "The service is temporarily unavailable. Please retry later."


class UpstreamTimeout(GraphError):
    """Raise (through fault injection) to simulate a gateway timeout."""

    status = 504
    default_code = "gatewayTimeout"
    default_message = "The server, while acting as a proxy, did not receive a timely response."
