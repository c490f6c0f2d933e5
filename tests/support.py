"""What many test modules share: connector bodies, the check for Graph's error envelope, a live server.

Import it as ``from tests.support import ...``. Fixtures stay in ``conftest.py``; this module holds plain
values and functions, so a test that builds its own app can use them too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask

from mockgraph.core.certificates import GeneratedPkcs12, make_pkcs12
from mockgraph.core.config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_USER_NAME,
    DEFAULT_USER_PASSWORD,
)
from mockgraph.core.contracts import shared_contracts
from mockgraph.server.threaded import MockGraphServer

COLLECTION_PATH = "/beta/identity/apiConnectors"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"

# Connector bodies -------------------------------------------------------------------------------------

# The request body of Graph's "Create identityApiConnector" example (basic authentication), to the letter.
BASIC_BODY: dict[str, Any] = {
    "displayName": "Test API",
    "targetUrl": "https://someapi.com/api",
    "authenticationConfiguration": {
        "@odata.type": "#microsoft.graph.basicAuthentication",
        "username": "<USERNAME>",
        "password": "<PASSWORD>",
    },
}


def basic_auth(username: str = "u", password: str = "p") -> dict[str, str]:
    """A ``basicAuthentication`` configuration, as a create or update body carries it."""
    return {"@odata.type": "#microsoft.graph.basicAuthentication", "username": username, "password": password}


def pkcs12_auth(generated: GeneratedPkcs12) -> dict[str, str]:
    """A ``pkcs12Certificate`` configuration (the write-only input form) carrying ``generated``."""
    return {
        "@odata.type": "#microsoft.graph.pkcs12Certificate",
        "pkcs12Value": generated.base64,
        "password": generated.password,
    }


def new_pkcs12_auth(password: str = "secret", **kwargs: Any) -> dict[str, str]:
    """A ``pkcs12Certificate`` configuration with a freshly made bundle (``kwargs`` go to ``make_pkcs12``)."""
    return pkcs12_auth(make_pkcs12(password=password, **kwargs))


def stored_certificate_auth(*generated: GeneratedPkcs12) -> dict[str, Any]:
    """A certificate configuration as the store holds it (secrets included), for the sign-up simulator."""
    return {
        "@odata.type": "#microsoft.graph.clientCertificateAuthentication",
        "certificates": [
            {
                "thumbprint": bundle.facts.thumbprint,
                "notBefore": bundle.facts.not_before,
                "notAfter": bundle.facts.not_after,
                "pkcs12Value": bundle.base64,
                "password": bundle.password,
            }
            for bundle in generated
        ],
    }


def connector_body(
    name: str = "Test API",
    target_url: str = "https://api.example.com/api",
    auth: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A valid create body: ``name``, ``target_url`` and ``auth`` (``basic_auth()`` when none is given)."""
    return {
        "displayName": name,
        "targetUrl": target_url,
        "authenticationConfiguration": basic_auth() if auth is None else auth,
    }


# Graph's error envelope -------------------------------------------------------------------------------

INNER_ERROR_KEYS = frozenset({"date", "request-id", "client-request-id"})


def graph_error_problem(status: int, content_type: str, body: bytes) -> str | None:
    """Why a 4xx/5xx answer is not Graph's error envelope (None when it is).

    For loops that collect problems over many answers; a single answer is better checked with
    ``assert_graph_error``, which also compares the ids with the headers."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type != "application/json":
        return f"status {status}: content type {content_type!r}"
    try:
        document = json.loads(body)
    except ValueError:
        return f"status {status}: body is not JSON: {body[:200]!r}"
    error = shared_contracts().first_error("odataError", document)
    if error is not None:
        return f"status {status}: not an odataError ({error.message}): {document!r}"[:500]
    inner = document["error"]["innerError"]
    if set(inner) != INNER_ERROR_KEYS:
        return f"status {status}: innerError holds {sorted(inner)}, not {sorted(INNER_ERROR_KEYS)}"
    return None


def _response_parts(response: Any) -> tuple[int, str, bytes, Any]:
    """Status, content type, body and headers of a Flask test response, a requests or an httpx response."""
    body = response.get_data() if hasattr(response, "get_data") else response.content
    return response.status_code, response.headers.get("Content-Type", ""), body, response.headers


def assert_graph_error(
    response: Any, status: int, code: str | None, message: str | None = None
) -> dict[str, Any]:
    """Assert ``response`` is Graph's error envelope with ``status`` and ``code``; return its ``error``.

    Checks the whole envelope: JSON media type, the ``odataError`` contract (code, message, innerError with
    its date), innerError holding exactly date, request-id and client-request-id, and those ids equal to the
    response's ``request-id`` and ``client-request-id`` headers. ``code=None`` accepts any code;
    ``message``, when given, must match exactly."""
    status_code, content_type, body, headers = _response_parts(response)
    assert status_code == status, body[:500]
    problem = graph_error_problem(status_code, content_type, body)
    assert problem is None, problem
    error: dict[str, Any] = json.loads(body)["error"]
    if code is not None:
        assert error["code"] == code, error
    if message is not None:
        assert error["message"] == message, error
    inner = error["innerError"]
    assert inner["request-id"] == headers["request-id"]
    assert inner["client-request-id"] == headers["client-request-id"]
    return error


# Token requests -------------------------------------------------------------------------------------


def client_credentials_form(
    client_id: str = DEFAULT_CLIENT_ID, secret: str = DEFAULT_CLIENT_SECRET, scope: str = GRAPH_SCOPE
) -> dict[str, str]:
    """The form of a client-credentials token request (the emulator's default app unless told otherwise)."""
    return {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": secret,
        "scope": scope,
    }


def password_form(
    username: str = DEFAULT_USER_NAME,
    password: str = DEFAULT_USER_PASSWORD,
    client_id: str = DEFAULT_CLIENT_ID,
    scope: str = GRAPH_SCOPE,
) -> dict[str, str]:
    """The form of a resource-owner password token request (the emulator's default user unless told otherwise)."""
    return {
        "grant_type": "password",
        "client_id": client_id,
        "username": username,
        "password": password,
        "scope": scope,
    }


# A live server ----------------------------------------------------------------------------------------


@contextmanager
def live_server(app: Flask, *, threads: int = 8) -> Iterator[str]:
    """Serve ``app`` as ``mockgraph serve`` does (waitress) on 127.0.0.1, an ephemeral port; yield its base URL."""
    with MockGraphServer(app, threads=threads) as server:
        yield server.url
