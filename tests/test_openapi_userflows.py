"""The user-flow part of the served OpenAPI document: it covers every user-flow operation, and what it says is true."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockgraph import create_app
from mockgraph.admin.openapi import build_openapi
from mockgraph.app import ROUTER
from mockgraph.core.contracts import shared_contracts
from mockgraph.core.operations import Operation
from mockgraph.identity import mint_token
from mockgraph.resources.userflows.table import TABLES

AUTH = {"Authorization": f"Bearer {mint_token()}"}
METHODS = {"get", "put", "post", "patch", "delete"}
USER_FLOW_PATH = re.compile(r"^/identity/(b2x|b2c)UserFlows")


@pytest.fixture
def client() -> FlaskClient:
    return create_app().test_client()


def user_flow_operations() -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(path, method, path item, operation) for every user-flow operation in the document."""
    return [
        (path, method, item, operation)
        for path, item in build_openapi()["paths"].items()
        if USER_FLOW_PATH.match(path)
        for method, operation in item.items()
        if method in METHODS
    ]


def concrete(path: str) -> str:
    return re.sub(r"\{(b2x|b2c)IdentityUserFlow-id\}", lambda m: f"{m.group(1).upper()}_1_Flow", path)


def flow(client: FlaskClient, kind: str, name: str = "Flow", **extra: Any) -> dict[str, Any]:
    body = {"id": name, "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1 if kind == "b2x" else 3}
    response = client.post(f"/beta/identity/{kind}UserFlows", json={**body, **extra}, headers=AUTH)
    assert response.status_code == 201, response.get_data(as_text=True)
    created: dict[str, Any] = response.get_json()
    return created


def test_the_document_routes_to_every_user_flow_operation_the_emulator_serves() -> None:
    routed: dict[Operation, set[str]] = {}
    for path, method, _, operation in user_flow_operations():
        route = ROUTER.resolve(method.upper(), "/beta" + concrete(path))
        routed.setdefault(route.operation, set()).add(operation["operationId"])
    assert set(routed) == {op for table in TABLES for op in table.operations}
    # The document's operation id is the table's.
    for served, ids in routed.items():
        assert ids == {served.id}


def test_operation_ids_are_unique_and_graph_styled() -> None:
    ids = [operation["operationId"] for *_, operation in user_flow_operations()]
    assert len(ids) == len(set(ids)) == 23  # b2x: 11 (preTokenIssuance refused, beta), b2c: 12
    assert "identity_ListB2xUserFlow" in ids
    assert "identity.b2cUserFlows.apiConnectorConfiguration_SetPreTokenIssuanceByRef" in ids
    assert all(
        re.fullmatch(r"identity(_|\.b2[xc]UserFlows(\.apiConnectorConfiguration)?_)[A-Z]\w+", i) for i in ids
    )


def test_b2c_and_the_token_step_are_beta_only_and_b2x_has_no_patch(client: FlaskClient) -> None:
    for path, method, item, _ in user_flow_operations():
        beta_only = path.startswith("/identity/b2cUserFlows") or "preTokenIssuance" in path
        assert (item.get("servers") == [{"url": "/beta", "description": "beta only"}]) is beta_only, path
        if path.startswith("/identity/b2xUserFlows"):
            assert method != "patch"
    assert client.get("/v1.0/identity/b2cUserFlows", headers=AUTH).status_code == 400
    assert client.get("/v1.0/identity/b2xUserFlows", headers=AUTH).status_code == 200
    flow(client, "b2x")
    assert client.patch("/beta/identity/b2xUserFlows/B2X_1_Flow", json={}, headers=AUTH).status_code == 405


def test_bodies_and_responses_name_the_contracts() -> None:
    operations = {(path, method): operation for path, method, _, operation in user_flow_operations()}

    def schema(operation: dict[str, Any], status: str | None = None) -> str:
        node = operation["responses"][status]["content"] if status else operation["requestBody"]["content"]
        reference: str = node["application/json"]["schema"]["$ref"]
        return reference.rsplit("/", 1)[-1]

    b2c = "/identity/b2cUserFlows/{b2cIdentityUserFlow-id}"
    assert schema(operations[("/identity/b2xUserFlows", "post")]) == "b2xIdentityUserFlowCreate"
    assert schema(operations[("/identity/b2xUserFlows", "post")], "201") == "b2xIdentityUserFlow"
    assert (
        schema(operations[("/identity/b2cUserFlows", "get")], "200")
        == "b2cIdentityUserFlowCollectionResponse"
    )
    assert schema(operations[(b2c, "patch")]) == "b2cIdentityUserFlowUpdate"
    config = f"{b2c}/apiConnectorConfiguration"
    assert schema(operations[(config, "get")], "200") == "userFlowApiConnectorConfiguration"
    assert schema(operations[(f"{config}/preTokenIssuance", "get")], "200") == "identityApiConnectorFull"
    assert schema(operations[(f"{config}/preTokenIssuance/$ref", "put")]) == "userFlowApiConnectorReference"
    assert "409" in operations[("/identity/b2cUserFlows", "post")]["responses"]
    for _, _, _, operation in user_flow_operations():
        assert {"400", "401", "403", "default"} <= set(operation["responses"])


def parameter(path: str, method: str, name: str) -> dict[str, Any]:
    document = build_openapi()
    components = document["components"]["parameters"]
    for reference in document["paths"][path][method]["parameters"]:
        found: dict[str, Any] = components[reference["$ref"].rsplit("/", 1)[-1]]
        if found["name"] == name:
            return found
    raise AssertionError(f"{name} is not listed for {method} {path}")


# (documented path, query name, value, version): the document says these get a 400, and they do.
REFUSED = [
    ("/identity/b2xUserFlows", "$top", "1", "beta"),
    ("/identity/b2cUserFlows", "$filter", "id eq 'x'", "beta"),
    ("/identity/b2xUserFlows", "$count", "true", "beta"),
    ("/identity/b2xUserFlows", "$expand", "languages", "beta"),
    ("/identity/b2xUserFlows/{b2xIdentityUserFlow-id}", "$select", "id", "beta"),
    (
        "/identity/b2xUserFlows/{b2xIdentityUserFlow-id}/apiConnectorConfiguration",
        "$expand",
        "languages",
        "beta",
    ),
    (
        "/identity/b2xUserFlows/{b2xIdentityUserFlow-id}/apiConnectorConfiguration",
        "$expand",
        "preTokenIssuance",
        "v1.0",
    ),
]
ACCEPTED = [
    ("/identity/b2xUserFlows", "$expand", "identityProviders", "v1.0"),
    ("/identity/b2cUserFlows/{b2cIdentityUserFlow-id}", "$expand", "identityProviders", "beta"),
    ("/identity/b2cUserFlows/{b2cIdentityUserFlow-id}/apiConnectorConfiguration", "$expand", "*", "beta"),
    ("/identity/b2xUserFlows/{b2xIdentityUserFlow-id}/apiConnectorConfiguration", "$select", "postFederationSignup", "v1.0"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "name", "value", "version"), REFUSED)
def test_refused_parameters_are_documented_and_refused(
    client: FlaskClient, path: str, name: str, value: str, version: str
) -> None:
    assert "x-mockgraph-refuses" in parameter(path, "get", name)
    flow(client, "b2x")
    response = client.get(f"/{version}{concrete(path)}", query_string={name: value}, headers=AUTH)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] in ("BadRequest", "Request_UnsupportedQuery")


@pytest.mark.parametrize(("path", "name", "value", "version"), ACCEPTED)
def test_accepted_parameters_are_accepted(
    client: FlaskClient, path: str, name: str, value: str, version: str
) -> None:
    schema = parameter(path, "get", name)["schema"]
    assert value in schema["items"]["enum"]
    flow(client, "b2c")
    if version == "v1.0":
        client.post("/v1.0/identity/b2xUserFlows", json={"id": "Flow", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1}, headers=AUTH)  # fmt: skip
    response = client.get(f"/{version}{concrete(path)}", query_string={name: value}, headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["b2x", "b2c"])
def test_expanded_identity_providers_match_the_flow_contracts(client: FlaskClient, kind: str) -> None:
    # Regression (found by schemathesis): the flow contracts refused the identityProviders member that
    # $expand=identityProviders adds, so the emulator's own 200 broke its documented schema.
    flow(client, kind)
    base = f"/beta/identity/{kind}UserFlows"
    one = client.get(f"{base}/{kind.upper()}_1_Flow?$expand=identityProviders", headers=AUTH).get_json()
    listed = client.get(f"{base}?$expand=identityProviders", headers=AUTH).get_json()
    assert one["identityProviders"] == []
    assert listed["value"][0]["identityProviders"] == []
    assert shared_contracts().first_error(f"{kind}IdentityUserFlow", one) is None
    assert shared_contracts().first_error(f"{kind}IdentityUserFlowCollectionResponse", listed) is None


@pytest.mark.parametrize("version", ["1" + "0" * 400, "-1" + "0" * 400])
def test_a_version_beyond_float_range_is_a_400_not_a_500(client: FlaskClient, version: str) -> None:
    # Regression: float() of a huge JSON integer raised OverflowError, answered as a 500.
    body = f'{{"id": "Huge", "userFlowType": "signUp", "userFlowTypeVersion": {version}}}'
    response = client.post(
        "/beta/identity/b2cUserFlows", data=body, content_type="application/json", headers=AUTH
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "AADB2C90063"
    assert client.get("/beta/identity/b2cUserFlows/B2C_1_Huge", headers=AUTH).status_code == 404
