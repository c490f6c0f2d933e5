"""ASGI endpoints (what FastAPI and Starlette build) are called in-process too."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from typing import Any

from mockgraph import make_pkcs12
from mockgraph.signup import (
    AsgiTransport,
    FailureKind,
    FlowSettings,
    OutcomeKind,
    SignUpUser,
    Step,
    call_step,
    try_connector,
)
from tests.support import connector_body, stored_certificate_auth

USER = SignUpUser(email="john@fabrikam.com", entered={"postalCode": "ABC"})


class Endpoint:
    """A bare ASGI app: records the request, answers a ValidationError for a non-numeric postal code."""

    def __init__(self, delay: float = 0.0) -> None:
        self.requests: list[dict[str, Any]] = []
        self.delay = delay

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.requests.append(
            {
                "path": scope["path"],
                "query": scope["query_string"].decode(),
                "headers": headers,
                "body": json.loads(body),
            }
        )
        if self.delay:
            await asyncio.sleep(self.delay)
        postal = self.requests[-1]["body"].get("postalCode", "")
        if postal.isdigit():
            status, document = 200, {"version": "1.0.0", "action": "Continue"}
        else:
            status, document = (
                400,
                {
                    "version": "1.0.0",
                    "status": "400",
                    "action": "ValidationError",
                    "userMessage": "Bad postal code.",
                },
            )
        payload = json.dumps(document).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def test_an_asgi_endpoint_is_detected_and_called_in_process() -> None:
    endpoint = Endpoint()
    outcome = try_connector(endpoint, USER, url="https://api.contoso.example/validate?code=42")
    assert (outcome.kind, outcome.user_message) == (OutcomeKind.VALIDATION_ERROR, "Bad postal code.")
    (seen,) = endpoint.requests
    assert (seen["path"], seen["query"]) == ("/validate", "code=42")
    assert seen["headers"]["content-type"] == "application/json"
    assert seen["headers"]["authorization"].startswith("Basic ")
    assert seen["body"] == {"email": "john@fabrikam.com", "postalCode": "ABC", "ui_locales": "en-US"}


def test_a_slow_asgi_endpoint_times_out_twice() -> None:
    endpoint = Endpoint(delay=5)
    outcome = try_connector(endpoint, USER, settings=FlowSettings(timeout_seconds=0.1))
    assert (outcome.failure, outcome.attempts, len(endpoint.requests)) == (FailureKind.TIMEOUT, 2, 2)


def test_the_client_certificate_reaches_an_asgi_app_as_a_header() -> None:
    generated = make_pkcs12(password="pw")
    endpoint = Endpoint()
    connector = {
        "id": "c",
        **connector_body("cert", "https://api.contoso.example/validate", stored_certificate_auth(generated)),
    }
    user = SignUpUser(email="a@b.c", entered={"postalCode": "12345"})
    outcome = call_step(
        connector, Step.POST_ATTRIBUTE_COLLECTION, user, FlowSettings(), transport=AsgiTransport(endpoint)
    )
    assert outcome.kind is OutcomeKind.CONTINUE
    headers = endpoint.requests[0]["headers"]
    assert "authorization" not in headers
    der = base64.b64decode(headers["x-arr-clientcert"])
    assert hashlib.sha1(der, usedforsecurity=False).hexdigest().upper() == generated.facts.thumbprint
