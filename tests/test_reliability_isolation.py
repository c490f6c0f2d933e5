"""Tenant isolation: no request in one tenant reads or changes another tenant's data, across every connector
operation, every list query option, and the user flows that reference connectors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockgraph import create_app, make_pkcs12
from mockgraph.core.config import (
    DEFAULT_TENANT_ID,
    READ_WRITE_ALL,
    USER_FLOW_READ_WRITE_ALL,
    AppRegistration,
    MockGraphConfig,
    Tenant,
)
from mockgraph.testing.testkit import Tokens
from mockgraph.web.state import state_of
from tests.support import assert_graph_error, basic_auth, connector_body

TENANT_A = DEFAULT_TENANT_ID
TENANT_B = "b0b0b0b0-0000-4000-8000-00000000000b"
APP_B = "b0b0b0b0-0000-4000-8000-0000000000a2"
GRAPH = "https://graph.microsoft.com"
ROLES = [READ_WRITE_ALL, USER_FLOW_READ_WRITE_ALL]
FLOW = "B2X_1_Shared"  # the same user flow id in both tenants


def named_body(name: str) -> dict[str, Any]:
    """A connector whose every field carries ``name``, so that a leak of any of them shows in a text search."""
    return connector_body(name, f"https://api.example.com/{name}", basic_auth(name, f"{name}-password"))


@dataclass
class Tenants:
    app: Flask
    client: FlaskClient
    headers_a: dict[str, str]
    headers_b: dict[str, str]
    ids_a: list[str]
    ids_b: list[str]

    def as_a(self, method: str, path: str, body: Any = None) -> Any:
        return self.client.open(path, method=method, json=body, headers=self.headers_a)

    def as_b(self, method: str, path: str, body: Any = None) -> Any:
        return self.client.open(path, method=method, json=body, headers=self.headers_b)

    def tenant_a_state(self) -> Any:
        return state_of(self.app).store.dump().get(TENANT_A)


@pytest.fixture
def tenants() -> Tenants:
    defaults = MockGraphConfig()
    config = MockGraphConfig(
        tenants=(*defaults.tenants, Tenant(TENANT_B, "tenantb.onmicrosoft.com")),
        apps=(
            *defaults.apps,
            AppRegistration(
                client_id=APP_B,
                client_secret="tenant-b-secret",
                tenant_id=TENANT_B,
                application_permissions=tuple(ROLES),
            ),
        ),
    )
    app = create_app(config)
    client = app.test_client()
    headers_a = Tokens(app, tenant_id=TENANT_A).headers(roles=ROLES)
    headers_b = Tokens(app, tenant_id=TENANT_B).headers(roles=ROLES, app_id=APP_B)
    ids: dict[str, list[str]] = {"a": [], "b": []}
    for side, headers, count in (("a", headers_a, 3), ("b", headers_b, 2)):
        for n in range(count):
            response = client.post(
                "/beta/identity/apiConnectors",
                json=named_body(f"{side.upper()}-only-{n}"),
                headers=headers,
            )
            assert response.status_code == 201, response.get_json()
            ids[side].append(response.get_json()["id"])
        flow = {
            "id": FLOW.removeprefix("B2X_1_"),
            "userFlowType": "signUpOrSignIn",
            "userFlowTypeVersion": 1,
            "apiConnectorConfiguration": {"postAttributeCollection": {"@odata.id": ids[side][0]}},
        }
        response = client.post("/beta/identity/b2xUserFlows", json=flow, headers=headers)
        assert response.status_code == 201, response.get_json()
    return Tenants(app, client, headers_a, headers_b, ids["a"], ids["b"])


def assert_refused_without_a(response: Any, statuses: set[int]) -> None:
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True))
    assert_graph_error(response, response.status_code, None)
    assert "A-only" not in response.get_data(as_text=True)


def test_tenant_b_cannot_read_or_change_a_connector_by_id(tenants: Tenants) -> None:
    before = tenants.tenant_a_state()
    blob = make_pkcs12(password="b-upload")
    for version in ("beta", "v1.0"):
        for object_id in tenants.ids_a:
            path = f"/{version}/identity/apiConnectors/{object_id}"
            for method, target, body in (
                ("GET", path, None),
                ("GET", f"{path}?$select=displayName,authenticationConfiguration", None),
                ("GET", path.upper().replace("/IDENTITY/APICONNECTORS/", "/identity/apiConnectors/"), None),
                ("PATCH", path, {"displayName": "taken over"}),
                (
                    "PATCH",
                    path,
                    {"authenticationConfiguration": basic_auth("x", "x-password")},
                ),
                (
                    "POST",
                    f"{path}/uploadClientCertificate",
                    {"pkcs12Value": blob.base64, "password": "b-upload"},
                ),
                (
                    "POST",
                    f"{path}/microsoft.graph.uploadClientCertificate",
                    {"pkcs12Value": blob.base64, "password": "b-upload"},
                ),
                ("DELETE", path, None),
            ):
                assert_refused_without_a(tenants.as_b(method, target, body), {404})
    assert tenants.tenant_a_state() == before


LIST_QUERIES = [
    "",
    "?$top=1",
    "?$top=999",
    "?$skip=1",
    "?$skip=100",
    "?$count=true",
    "?$orderby=displayName desc",
    "?$orderby=id",
    "?$select=id,displayName,targetUrl,authenticationConfiguration",
    "?$filter=startswith(displayName,'A')",
    "?$filter=displayName eq 'A-only-0'",
    '?$search="displayName:A-only"',
    "?$expand=*",
    "?top=1",
    "?$top=1&$count=true&$orderby=displayName",
]


@pytest.mark.parametrize("version", ["beta", "v1.0"])
@pytest.mark.parametrize("query", LIST_QUERIES)
def test_every_list_option_sees_only_the_callers_tenant(tenants: Tenants, version: str, query: str) -> None:
    before = tenants.tenant_a_state()
    path: str | None = f"/{version}/identity/apiConnectors{query}"
    pages = 0
    while path is not None and pages < 10:
        response = tenants.as_b("GET", path)
        pages += 1
        text = response.get_data(as_text=True)
        assert response.status_code < 500, text
        assert "A-only" not in text
        assert not any(object_id in text for object_id in tenants.ids_a)
        if response.status_code != 200:
            assert_graph_error(response, response.status_code, None)
            break
        document = response.get_json()
        assert {entry.get("id") for entry in document["value"]} <= {*tenants.ids_b, None}
        if "@odata.count" in document:
            assert document["@odata.count"] <= len(tenants.ids_b)
        link = document.get("@odata.nextLink")
        path = link.split("://", 1)[1].split("/", 1)[1] if link else None
        path = f"/{path}" if path else None
    count = tenants.as_b("GET", f"/{version}/identity/apiConnectors/$count")
    assert count.get_data(as_text=True) == str(len(tenants.ids_b))
    assert tenants.tenant_a_state() == before


def test_each_tenant_has_its_own_connector_limit(tenants: Tenants) -> None:
    before = tenants.tenant_a_state()
    for n in range(18):
        assert (
            tenants.as_b("POST", "/beta/identity/apiConnectors", named_body(f"B-fill-{n}")).status_code == 201
        )
    refused = tenants.as_b("POST", "/beta/identity/apiConnectors", named_body("B-over"))
    assert_graph_error(refused, 400, "QuotaExceeded")
    assert "A-only" not in refused.get_data(as_text=True)
    assert tenants.tenant_a_state() == before
    assert tenants.as_a("POST", "/beta/identity/apiConnectors", named_body("A-only-more")).status_code == 201


def test_user_flows_never_reach_the_other_tenants_connectors(tenants: Tenants) -> None:
    before = tenants.tenant_a_state()
    base = f"/beta/identity/b2xUserFlows/{FLOW}/apiConnectorConfiguration"
    expanded = tenants.as_b("GET", f"{base}?$expand=postAttributeCollection")
    assert expanded.status_code == 200
    assert expanded.get_json()["postAttributeCollection"]["id"] == tenants.ids_b[0]
    assert "A-only" not in expanded.get_data(as_text=True)
    for reference in (
        {"@odata.id": tenants.ids_a[1]},
        {"@odata.id": f"{GRAPH}/beta/identity/apiConnectors/{tenants.ids_a[1]}"},
        {"id": tenants.ids_a[1]},
    ):
        response = tenants.as_b("PUT", f"{base}/postFederationSignup/$ref", reference)
        assert response.status_code in (400, 404), response.get_data(as_text=True)
        assert_graph_error(response, response.status_code, None)
    created = tenants.as_b(
        "POST",
        "/beta/identity/b2xUserFlows",
        {
            "id": "Other",
            "userFlowType": "signUpOrSignIn",
            "userFlowTypeVersion": 1,
            "apiConnectorConfiguration": {"postFederationSignup": {"@odata.id": tenants.ids_a[2]}},
        },
    )
    assert created.status_code in (400, 404), created.get_data(as_text=True)
    assert tenants.as_b("DELETE", f"/beta/identity/b2xUserFlows/{FLOW}").status_code == 204
    a_flow = tenants.as_a("GET", f"{base}?$expand=postAttributeCollection")
    assert a_flow.status_code == 200  # deleting B's flow of the same id left A's
    assert a_flow.get_json()["postAttributeCollection"]["id"] == tenants.ids_a[0]
    assert tenants.tenant_a_state() == before


def test_tenant_a_sees_exactly_its_own_after_b_worked(tenants: Tenants) -> None:
    for object_id in tenants.ids_b:
        assert (
            tenants.as_b(
                "PATCH", f"/beta/identity/apiConnectors/{object_id}", {"displayName": "B-renamed"}
            ).status_code
            == 204
        )
    assert tenants.as_b("DELETE", f"/beta/identity/apiConnectors/{tenants.ids_b[1]}").status_code == 204
    listed = tenants.as_a("GET", "/beta/identity/apiConnectors").get_json()
    assert sorted(entry["id"] for entry in listed["value"]) == sorted(tenants.ids_a)
    assert {entry["displayName"] for entry in listed["value"]} == {"A-only-0", "A-only-1", "A-only-2"}
    for object_id in tenants.ids_b:
        assert_refused_without_a(tenants.as_a("GET", f"/beta/identity/apiConnectors/{object_id}"), {404})


def test_user_flows_of_one_tenant_are_invisible_to_the_other(tenants: Tenants) -> None:
    body = {"id": "AOnly", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 3}
    assert tenants.as_a("POST", "/beta/identity/b2cUserFlows", body).status_code == 201
    before = tenants.tenant_a_state()
    listed = tenants.as_b("GET", "/beta/identity/b2cUserFlows")
    assert listed.status_code == 200
    assert "AOnly" not in listed.get_data(as_text=True)
    for method, body_sent in (
        ("GET", None),
        ("PATCH", {"isLanguageCustomizationEnabled": True}),
        ("DELETE", None),
    ):
        assert_refused_without_a(
            tenants.as_b(method, "/beta/identity/b2cUserFlows/B2C_1_AOnly", body_sent), {404}
        )
    assert tenants.tenant_a_state() == before
    assert tenants.as_a("GET", "/beta/identity/b2cUserFlows/B2C_1_AOnly").status_code == 200
