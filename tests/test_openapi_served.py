"""The served OpenAPI lists exactly what the app serves, on exactly the versions it serves it: checked over HTTP.

Each documented (method, path, version) gets neither Graph's unknown-segment 400 nor a 405; every other method
on those paths gets a 405 with ``Allow`` listing the documented ones. Every operation in the tables appears.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockgraph import create_app
from mockgraph.resources import CATALOG

METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE")


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    return create_app({"auth_mode": "off"}).test_client()


@pytest.fixture(scope="module")
def document(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/_mockgraph/openapi.json")
    assert response.status_code == 200
    served: dict[str, Any] = response.get_json()
    return served


def versions_of(document: dict[str, Any], item: dict[str, Any]) -> list[str]:
    servers = item.get("servers", document["servers"])
    return [server["url"].strip("/") for server in servers]


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "some-id", path)


def documented(document: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(version, path template, concrete path, method) for every documented operation."""
    found = []
    for path, item in document["paths"].items():
        for version in versions_of(document, item):
            for method in METHODS:
                if method.lower() in item:
                    found.append((version, path, concrete(path), method))
    return found


def test_every_table_operation_is_documented_once(document: dict[str, Any]) -> None:
    ids = [
        operation["operationId"]
        for item in document["paths"].values()
        for method, operation in item.items()
        if method.upper() in METHODS
    ]
    assert sorted(ids) == sorted(op.id for op in CATALOG)


def test_documented_operations_are_served_and_other_methods_are_405(
    client: FlaskClient, document: dict[str, Any]
) -> None:
    checked = 0
    for path, item in document["paths"].items():
        allowed = {method for method in METHODS if method.lower() in item}
        for version in versions_of(document, item):
            url = f"/{version}{concrete(path)}"
            for method in METHODS:
                response = client.open(
                    url, method=method, json={} if method in ("POST", "PATCH", "PUT") else None
                )
                body = response.get_json(silent=True) or {}
                message = body.get("error", {}).get("message", "")
                assert "Resource not found for the segment" not in message, (method, url, message)
                if method in allowed:
                    assert response.status_code != 405, (method, url)
                else:
                    assert response.status_code == 405, (method, url, response.status_code)
                    assert set(response.headers["Allow"].split(", ")) == allowed, url
                checked += 1
    assert checked >= 5 * len(CATALOG.operations) // 2


def test_undocumented_versions_are_unknown_segments(client: FlaskClient, document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        missing = {"beta", "v1.0"} - set(versions_of(document, item))
        for version in missing:
            response = client.get(f"/{version}{concrete(path)}")
            assert response.status_code == 400, (version, path)
            assert "Resource not found for the segment" in response.get_json()["error"]["message"]
