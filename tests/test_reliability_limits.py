"""Limits, each answered with Graph's 4xx: request body size (also chunked, over a live server), the
per-tenant connector count, and the query's $top. No invented limits: a long string within the body
limit is accepted, since Graph documents no string-length limit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from flask import Flask

from mockgraph import create_app
from mockgraph.core.config import DEFAULT_MAX_BODY_BYTES, DEFAULT_TENANT_ID
from mockgraph.resources.connectors.model import COLLECTION
from mockgraph.testing.testkit import Tokens
from mockgraph.web.state import state_of
from tests.support import COLLECTION_PATH, assert_graph_error, basic_auth, connector_body, live_server

LIMIT = DEFAULT_MAX_BODY_BYTES


def padded(document: dict[str, Any], size: int) -> bytes:
    """``document`` as JSON padded with whitespace to exactly ``size`` bytes (still valid JSON)."""
    text = json.dumps(document).encode()
    assert len(text) <= size
    return text[:-1] + b" " * (size - len(text)) + b"}"


@pytest.fixture
def app() -> Flask:
    return create_app()


@pytest.fixture
def live(app: Flask) -> Iterator[tuple[str, dict[str, str]]]:
    with live_server(app) as base:
        yield base + COLLECTION_PATH, {**Tokens(app).headers(), "Content-Type": "application/json"}


def stored(app: Flask) -> int:
    return state_of(app).store.count(DEFAULT_TENANT_ID, COLLECTION)


def test_a_body_over_the_limit_is_413_for_every_write(app: Flask, live: tuple[str, dict[str, str]]) -> None:
    url, headers = live
    existing = requests.post(url, data=json.dumps(connector_body()), headers=headers, timeout=30).json()["id"]
    before = state_of(app).store.dump()
    oversized = padded(connector_body("Too big"), LIMIT + 1)
    for method, target in (
        ("POST", url),
        ("PATCH", f"{url}/{existing}"),
        ("POST", f"{url}/{existing}/uploadClientCertificate"),
    ):
        response = requests.request(method, target, data=oversized, headers=headers, timeout=60)
        assert_graph_error(response, 413, "RequestEntityTooLarge")
    assert state_of(app).store.dump() == before


def test_a_chunked_body_over_the_limit_is_413_too(app: Flask, live: tuple[str, dict[str, str]]) -> None:
    url, headers = live
    oversized = padded(connector_body("Chunked"), LIMIT + 1)

    def chunks() -> Iterator[bytes]:  # a generator makes requests send Transfer-Encoding: chunked
        for start in range(0, len(oversized), 256 * 1024):
            yield oversized[start : start + 256 * 1024]

    response = requests.post(url, data=chunks(), headers=headers, timeout=60)
    assert_graph_error(response, 413, "RequestEntityTooLarge")
    assert stored(app) == 0


def test_a_body_of_exactly_the_limit_and_a_long_string_are_accepted(
    app: Flask, live: tuple[str, dict[str, str]]
) -> None:
    url, headers = live
    response = requests.post(url, data=padded(connector_body("Exactly"), LIMIT), headers=headers, timeout=60)
    assert response.status_code == 201, response.text[:300]
    long_name = "n" * (LIMIT // 2)
    response = requests.post(
        url,
        data=json.dumps(connector_body(long_name, auth=basic_auth(password="p" * 100_000))),
        headers=headers,
        timeout=60,
    )
    assert response.status_code == 201, response.text[:300]
    assert response.json()["displayName"] == long_name
    assert stored(app) == 2


def test_the_connector_limit_is_graphs_400_and_frees_up_on_delete(app: Flask) -> None:
    client = app.test_client()
    headers = Tokens(app).headers()
    ids = []
    for n in range(20):
        response = client.post(COLLECTION_PATH, json=connector_body(f"API {n}"), headers=headers)
        assert response.status_code == 201
        ids.append(response.get_json()["id"])
    before = state_of(app).store.dump()
    for version in ("beta", "v1.0"):
        refused = client.post(
            f"/{version}/identity/apiConnectors", json=connector_body("one too many"), headers=headers
        )
        assert_graph_error(refused, 400, "QuotaExceeded")
    assert state_of(app).store.dump() == before
    assert client.delete(f"{COLLECTION_PATH}/{ids[0]}", headers=headers).status_code == 204
    assert client.post(COLLECTION_PATH, json=connector_body("room again"), headers=headers).status_code == 201
    assert stored(app) == 20


@pytest.mark.parametrize("top", ["0", "1000", "-1", "abc", "1.5", "", "99999999999"])
def test_top_outside_1_to_999_is_graphs_400(app: Flask, top: str) -> None:
    client = app.test_client()
    response = client.get(COLLECTION_PATH, query_string={"$top": top}, headers=Tokens(app).headers())
    assert_graph_error(response, 400, None)


def test_top_pages_through_a_full_tenant(app: Flask) -> None:
    client = app.test_client()
    headers = Tokens(app).headers()
    created = {
        client.post(COLLECTION_PATH, json=connector_body(f"API {n}"), headers=headers).get_json()["id"]
        for n in range(20)
    }
    assert len(client.get(f"{COLLECTION_PATH}?$top=999", headers=headers).get_json()["value"]) == 20
    seen: list[str] = []
    path: str | None = f"{COLLECTION_PATH}?$top=7"
    while path is not None:
        page = client.get(path, headers=headers).get_json()
        assert len(page["value"]) <= 7
        seen += [entry["id"] for entry in page["value"]]
        link = page.get("@odata.nextLink")
        path = "/" + link.split("://", 1)[1].split("/", 1)[1] if link else None
    assert sorted(seen) == sorted(created)
    far = client.get(f"{COLLECTION_PATH}?$skip=999999999", headers=headers)
    assert far.status_code == 200
    assert far.get_json()["value"] == []
