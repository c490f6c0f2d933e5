"""Entra's OAuth errors: ``error`` plus an ``AADSTS`` code, and the document the token endpoint answers with."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from mockgraph.core.text import clip


class EntraError(Exception):
    """An OAuth error in Entra's shape: ``error`` plus an ``AADSTS`` code and description."""

    def __init__(self, status: int, error: str, code: int, description: str, reason: str) -> None:
        super().__init__(f"AADSTS{code}: {description}")
        self.status = status
        self.error = error
        self.code = code
        self.description = description
        self.reason = reason


def missing_parameter(name: str) -> EntraError:
    return EntraError(
        400,
        "invalid_request",
        900144,
        f"The request body must contain the following parameter: '{name}'.",
        f"{name} missing",
    )


def unknown_tenant(segment: str) -> EntraError:
    segment = clip(segment)
    return EntraError(
        400,
        "invalid_request",
        90002,
        f"Tenant '{segment}' not found. Check to make sure you have the correct tenant ID and are signing "
        "into the correct cloud. Check with your subscription administrator, this may happen if there are "
        "no active subscriptions for the tenant.",
        f"tenant '{segment}' is not registered",
    )


def error_document(exc: EntraError, correlation_id: str | None, now: float) -> dict[str, Any]:
    """Entra's error body; the description ends with trace id, correlation id and timestamp."""
    trace_id = str(uuid.uuid4())
    correlation = correlation_id or str(uuid.uuid4())
    stamp = dt.datetime.fromtimestamp(now, dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return {
        "error": exc.error,
        "error_description": f"AADSTS{exc.code}: {exc.description}\r\nTrace ID: {trace_id}\r\n"
        f"Correlation ID: {correlation}\r\nTimestamp: {stamp}",
        "error_codes": [exc.code],
        "timestamp": stamp,
        "trace_id": trace_id,
        "correlation_id": correlation,
        "error_uri": f"https://login.microsoftonline.com/error?code={exc.code}",
    }
