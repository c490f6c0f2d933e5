"""Fixtures for the project's own tests of the emulator core."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockgraph import create_app, make_pkcs12
from mockgraph.state import EmulatorState, state_of

BASIC_BODY: dict[str, Any] = {
    "displayName": "Test API",
    "targetUrl": "https://someapi.com/api",
    "authenticationConfiguration": {
        "@odata.type": "#microsoft.graph.basicAuthentication",
        "username": "<USERNAME>",
        "password": "<PASSWORD>",
    },
}


@pytest.fixture
def app() -> Flask:
    """An emulator with authentication off: the core's behaviour, isolated from identity."""
    return create_app({"auth_mode": "off"})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def state(app: Flask) -> EmulatorState:
    return state_of(app)


@pytest.fixture
def create_connector(client: FlaskClient) -> Callable[..., dict[str, Any]]:
    """POST a connector (basic auth by default) and return the response JSON."""

    def create(version: str = "beta", **overrides: Any) -> dict[str, Any]:
        body = {**BASIC_BODY, **overrides}
        response = client.post(f"/{version}/identity/apiConnectors", json=body)
        assert response.status_code == 201, response.get_json()
        created: dict[str, Any] = response.get_json()
        return created

    return create


def pkcs12_body(password: str = "secret", **kwargs: Any) -> dict[str, Any]:
    generated = make_pkcs12(password=password, **kwargs)
    return {
        "@odata.type": "#microsoft.graph.pkcs12Certificate",
        "pkcs12Value": generated.base64,
        "password": password,
    }
