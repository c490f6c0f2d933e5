"""Every error path answers in Graph's envelope with its headers, and never changes stored data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockgraph.web.state import EmulatorState
from tests.support import BASIC_BODY, assert_graph_error


def test_request_ids_on_success_and_echo_of_client_request_id(client: FlaskClient) -> None:
    plain = client.get("/beta/identity/apiConnectors")
    assert plain.headers["request-id"] == plain.headers["client-request-id"]
    echoed = client.get("/beta/identity/apiConnectors", headers={"client-request-id": "my-correlation-id"})
    assert echoed.headers["client-request-id"] == "my-correlation-id"
    assert echoed.headers["request-id"] != "my-correlation-id"
    missing = client.get(
        "/beta/identity/apiConnectors/00000000-0000-0000-0000-000000000000",
        headers={"client-request-id": "abc"},
    )
    assert missing.get_json()["error"]["innerError"]["client-request-id"] == "abc"


@pytest.mark.parametrize(
    ("path", "segment"),
    [
        ("/beta/identity/apiConnector", "apiConnector"),
        ("/v1.0/identty/apiConnectors", "identty"),
        ("/beta/users", "users"),
        ("/beta/identity/apiConnectors/some-id/frobnicate", "frobnicate"),
        ("/beta/identity/apiConnectors/$count/more", "more"),
    ],
)
def test_unknown_segment_is_400_naming_the_first_unknown_segment(
    client: FlaskClient, path: str, segment: str
) -> None:
    assert_graph_error(
        client.get(path), 400, "BadRequest", f"Resource not found for the segment '{segment}'."
    )


def test_path_outside_any_version(client: FlaskClient) -> None:
    assert_graph_error(client.get("/v2/identity/apiConnectors"), 400, "BadRequest", "Invalid version: v2")
    assert_graph_error(client.get("/"), 400, "BadRequest")


def test_segments_match_case_insensitively_and_empty_segments_are_served(client: FlaskClient) -> None:
    for path in (
        "/beta//identity/apiConnectors",
        "/BETA/Identity/APICONNECTORS",
        "/v1.0/identity//apiconnectors/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "value" in response.get_json()


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/beta/identity/apiConnectors", "GET, POST"),
        ("DELETE", "/beta/identity/apiConnectors", "GET, POST"),
        ("PUT", "/beta/identity/apiConnectors/abc", "GET, PATCH, DELETE"),
        ("POST", "/beta/identity/apiConnectors/abc", "GET, PATCH, DELETE"),
        ("GET", "/beta/identity/apiConnectors/abc/uploadClientCertificate", "POST"),
        ("POST", "/beta/identity/apiConnectors/$count", "GET"),
    ],
)
def test_wrong_method_is_405(client: FlaskClient, method: str, path: str, allowed: str) -> None:
    response = client.open(path, method=method)
    assert_graph_error(response, 405, "Request_BadRequest")
    assert response.headers["Allow"] == allowed


def test_unknown_id_is_404_for_every_item_operation(client: FlaskClient) -> None:
    missing = "11111111-2222-4333-8444-555555555555"
    message = f"Resource '{missing}' does not exist or one of its queried reference-property objects are not present."
    base = f"/beta/identity/apiConnectors/{missing}"
    assert_graph_error(client.get(base), 404, "Request_ResourceNotFound", message)
    assert_graph_error(client.delete(base), 404, "Request_ResourceNotFound", message)
    assert_graph_error(
        client.patch(base, json={"displayName": "x"}), 404, "Request_ResourceNotFound", message
    )
    upload = client.post(f"{base}/uploadClientCertificate", json={"pkcs12Value": "AA==", "password": ""})
    assert_graph_error(upload, 404, "Request_ResourceNotFound", message)


def test_ids_match_case_insensitively(
    client: FlaskClient, create_connector: Callable[..., dict[str, Any]]
) -> None:
    created = create_connector()
    assert client.get(f"/beta/identity/apiConnectors/{created['id'].upper()}").status_code == 200


MALFORMED = "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."


@pytest.mark.parametrize(
    "payload",
    [b"{", b"{'displayName': 1}", b"NaN", b'{"a": NaN}', b"\xff\xfe{}", b"[" * 100000 + b"]" * 100000],
)
def test_malformed_json_is_400(client: FlaskClient, state: EmulatorState, payload: bytes) -> None:
    response = client.post("/beta/identity/apiConnectors", data=payload, content_type="application/json")
    assert_graph_error(response, 400, "BadRequest", MALFORMED)
    assert state.store.dump() == {}


@pytest.mark.parametrize(
    ("payload", "node"), [(b"[]", "StartArray"), (b'"text"', "PrimitiveValue"), (b"3", "PrimitiveValue")]
)
def test_json_that_is_not_an_object_is_400(client: FlaskClient, payload: bytes, node: str) -> None:
    response = client.post("/beta/identity/apiConnectors", data=payload, content_type="application/json")
    error = assert_graph_error(response, 400, "BadRequest")
    assert f"'{node}'" in error["message"]


def test_empty_body_is_400(client: FlaskClient) -> None:
    assert_graph_error(client.post("/beta/identity/apiConnectors"), 400, "BadRequest", MALFORMED)


@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_wrong_content_type_is_415(
    client: FlaskClient, state: EmulatorState, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/beta/identity/apiConnectors", data=b'{"displayName": "x"}', headers=headers)
    assert_graph_error(response, 415, "UnsupportedMediaType")
    assert state.store.dump() == {}


def test_content_type_with_parameters_is_accepted(client: FlaskClient) -> None:
    import json

    response = client.post(
        "/beta/identity/apiConnectors",
        data=json.dumps(BASIC_BODY),
        content_type="application/json; charset=utf-8; odata.metadata=minimal",
    )
    assert response.status_code == 201


def test_oversized_body_is_413_and_stores_nothing(state: EmulatorState) -> None:
    from mockgraph import create_app

    app = create_app({"auth_mode": "off", "max_body_bytes": 1024})
    client = app.test_client()
    big = {"displayName": "x" * 2000, "targetUrl": "https://a", "authenticationConfiguration": {}}
    response = client.post("/beta/identity/apiConnectors", json=big)
    assert_graph_error(response, 413, "RequestEntityTooLarge")
    from mockgraph.web.state import state_of

    assert state_of(app).store.dump() == {}


def test_long_strings_under_the_body_limit_are_accepted(client: FlaskClient) -> None:
    # Graph documents no string-length limits; only the whole body is limited.
    response = client.post("/beta/identity/apiConnectors", json={**BASIC_BODY, "displayName": "d" * 100_000})
    assert response.status_code == 201


def test_internal_fault_is_a_graph_shaped_500_and_stores_nothing(
    client: FlaskClient, state: EmulatorState, create_connector: Callable[..., dict[str, Any]]
) -> None:
    created = create_connector()
    before = state.store.dump()

    def broken(record: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("boom: secret-looking detail")

    from mockgraph.resources.connectors import model

    original = model.changes_from_patch
    model.changes_from_patch = broken  # type: ignore[assignment]
    try:
        response = client.patch(f"/beta/identity/apiConnectors/{created['id']}", json={"displayName": "new"})
    finally:
        model.changes_from_patch = original
    error = assert_graph_error(response, 500, "generalException")
    assert "boom" not in response.get_data(as_text=True)
    assert "Traceback" not in error["message"]
    assert state.store.dump() == before


def test_connector_limit_is_enforced_per_tenant(create_connector: Callable[..., dict[str, Any]]) -> None:
    from mockgraph import create_app

    app = create_app({"auth_mode": "off", "connector_limit": 3})
    client = app.test_client()
    for _ in range(3):
        assert client.post("/beta/identity/apiConnectors", json=BASIC_BODY).status_code == 201
    response = client.post("/beta/identity/apiConnectors", json=BASIC_BODY)
    assert_graph_error(response, 400, "QuotaExceeded")
    assert client.get("/beta/identity/apiConnectors/$count").data == b"3"


def test_default_connector_limit_is_the_documented_20(client: FlaskClient) -> None:
    statuses = [client.post("/beta/identity/apiConnectors", json=BASIC_BODY).status_code for _ in range(21)]
    assert statuses == [201] * 20 + [400]
