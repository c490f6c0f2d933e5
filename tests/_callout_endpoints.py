"""Endpoints the callout tests are called on: a Flask endpoint that validates the bearer token as a team's
endpoint would (PyJWT, the metadata URL and the key set it names, nothing else), and canned answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
import requests
from flask import Flask, Response
from flask import request as incoming

EVENTS_APP_ID = "99045fe1-7639-4a75-9d4a-577b6ca3810f"


def validate(token: str, metadata_url: str, audience: str, *, version: int = 2) -> dict[str, Any]:
    """Validate ``token`` from ``metadata_url``'s document and key set alone; raises on any problem."""
    configuration = requests.get(metadata_url, timeout=5).json()
    keys = jwt.PyJWKSet.from_dict(requests.get(configuration["jwks_uri"], timeout=5).json())
    kid = jwt.get_unverified_header(token)["kid"]
    key = next((k for k in keys.keys if k.key_id == kid), None)
    if key is None:
        raise jwt.InvalidTokenError(f"no key {kid} in the key set")
    claims: dict[str, Any] = jwt.decode(
        token,
        key,
        algorithms=["RS256"],
        audience=audience,
        issuer=configuration["issuer"],
        options={"require": ["exp", "iat", "nbf", "iss", "aud", "tid"]},
    )
    client = claims.get("azp") if version == 2 else claims.get("appid")
    if client != EVENTS_APP_ID:
        raise jwt.InvalidTokenError(f"the token's client is {client}, not the authentication events service")
    return claims


@dataclass
class Endpoint:
    """A Flask extension endpoint: records each request, validates its token, answers ``answer(body)``.

    ``answer`` returns (status, JSON document, content type); a refused token answers 401, as the receiver
    library does.
    """

    answer: Callable[[dict[str, Any]], tuple[int, Any, str]]
    metadata_url: str | None = None
    audience: str | None = None
    version: int = 2
    requests: list[dict[str, Any]] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)

    def app(self, path: str = "/api/callout") -> Flask:
        app = Flask("extension endpoint")

        @app.post(path)
        def callout() -> Response:
            raw = incoming.get_data()
            self.requests.append(
                {
                    "headers": dict(incoming.headers),
                    "query": incoming.query_string.decode(),
                    "raw": raw,
                    "body": json.loads(raw),
                }
            )
            if self.metadata_url is not None:
                token = incoming.headers.get("Authorization", "").removeprefix("Bearer ")
                try:
                    self.claims.append(
                        validate(token, self.metadata_url, self.audience or "", version=self.version)
                    )
                except (jwt.InvalidTokenError, KeyError) as error:
                    self.refusals.append(f"{type(error).__name__}: {error}")
                    return Response('{"error":"invalid token"}', 401, content_type="application/json")
            status, document, content_type = self.answer(self.requests[-1]["body"])
            text = document if isinstance(document, str) else json.dumps(document)
            return Response(text, status, content_type=content_type)

        return app


def answering(document: Any, status: int = 200, content_type: str = "application/json") -> Endpoint:
    return Endpoint(lambda body: (status, document, content_type))


def response(data_type: str, *actions: dict[str, Any], **data: Any) -> dict[str, Any]:
    return {"data": {"@odata.type": data_type, "actions": list(actions), **data}}


TOKEN_DATA = "microsoft.graph.onTokenIssuanceStartResponseData"
START_DATA = "microsoft.graph.onAttributeCollectionStartResponseData"
SUBMIT_DATA = "microsoft.graph.onAttributeCollectionSubmitResponseData"
OTP_DATA = "microsoft.graph.OnOtpSendResponseData"
PASSWORD_DATA = "microsoft.graph.onPasswordSubmitResponseData"


def provide_claims(claims: Any) -> dict[str, Any]:
    return response(
        TOKEN_DATA,
        {"@odata.type": "microsoft.graph.tokenIssuanceStart.provideClaimsForToken", "claims": claims},
    )
