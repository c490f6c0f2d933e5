"""User flows under real tokens: permissions, directory roles, personal accounts, bad tokens and tenant isolation."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from mockgraph import DEFAULT_TENANT_ID, MockGraphConfig, Tenant, create_app
from mockgraph.core.config import EXTERNAL_ID_USER_FLOW_ADMINISTRATOR, GLOBAL_ADMINISTRATOR, READ_WRITE_ALL
from mockgraph.identity import BadToken, mint_token
from tests.support import assert_graph_error, connector_body

OTHER_TENANT = "b7c0ffee-0000-4000-8000-000000000002"
FLOW_READ = "IdentityUserFlow.Read.All"
FLOW_WRITE = "IdentityUserFlow.ReadWrite.All"
USER_ADMINISTRATOR = "fe930be7-5e62-47db-91af-98c3a49a38b1"
FLOW = {"id": "Partner", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1}
CONNECTOR = connector_body("c", "https://example.com/api")


@pytest.fixture
def client() -> FlaskClient:
    config = MockGraphConfig(tenants=(Tenant(DEFAULT_TENANT_ID), Tenant(OTHER_TENANT)))
    return create_app(config).test_client()


def auth(**options: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(**options)}"}


ADMIN = {"roles": [FLOW_WRITE, READ_WRITE_ALL]}


def seed(client: FlaskClient, tenant: str = DEFAULT_TENANT_ID) -> str:
    headers = auth(tenant_id=tenant, **ADMIN)
    connector = client.post("/beta/identity/apiConnectors", json=CONNECTOR, headers=headers)
    assert connector.status_code == 201
    assert client.post("/beta/identity/b2xUserFlows", json=FLOW, headers=headers).status_code == 201
    connector_id: str = connector.get_json()["id"]
    return connector_id


CONFIG = "/beta/identity/b2xUserFlows/B2X_1_Partner/apiConnectorConfiguration"
READS = [("GET", "/beta/identity/b2xUserFlows"), ("GET", "/beta/identity/b2xUserFlows/B2X_1_Partner")]
WRITES = [
    ("POST", "/beta/identity/b2xUserFlows"),
    ("DELETE", "/beta/identity/b2xUserFlows/B2X_1_Partner"),
    ("PATCH", "/beta/identity/b2cUserFlows/B2C_1_C"),
    ("GET", CONFIG),
    ("PUT", f"{CONFIG}/postFederationSignup/$ref"),
]


@pytest.mark.parametrize(("method", "path"), READS)
@pytest.mark.parametrize("permission", [FLOW_READ, FLOW_WRITE])
def test_reads_accept_read_or_readwrite(client: FlaskClient, method: str, path: str, permission: str) -> None:
    seed(client)
    assert client.open(path, method=method, headers=auth(roles=[permission])).status_code == 200


@pytest.mark.parametrize(("method", "path"), READS + WRITES)
def test_connector_permissions_alone_are_refused(client: FlaskClient, method: str, path: str) -> None:
    seed(client)
    response = client.open(path, method=method, json={}, headers=auth(roles=[READ_WRITE_ALL]))
    assert FLOW_WRITE in assert_graph_error(response, 403, "AADB2C")["message"]


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_writes_and_the_configuration_need_readwrite(client: FlaskClient, method: str, path: str) -> None:
    seed(client)
    response = client.open(path, method=method, json={}, headers=auth(roles=[FLOW_READ]))
    message = (
        "The application does not have any of the required application permissions "
        f"({FLOW_WRITE}) to access the resource."
    )
    assert_graph_error(response, 403, None, message)


@pytest.mark.parametrize("role", [EXTERNAL_ID_USER_FLOW_ADMINISTRATOR, GLOBAL_ADMINISTRATOR])
def test_delegated_needs_scope_and_role(client: FlaskClient, role: str) -> None:
    seed(client)
    ok = client.get(CONFIG, headers=auth(kind="user", scp=[FLOW_WRITE], wids=[role]))
    assert ok.status_code == 200
    no_role = client.get(CONFIG, headers=auth(kind="user", scp=[FLOW_WRITE], wids=[USER_ADMINISTRATOR]))
    no_scope = client.get(CONFIG, headers=auth(kind="user", scp=[FLOW_READ], wids=[role]))
    for refused in (no_role, no_scope):
        assert_graph_error(refused, 403, "Authorization_RequestDenied")


@pytest.mark.parametrize("bad", [BadToken.EXPIRED, BadToken.TAMPERED_SIGNATURE, BadToken.WRONG_AUDIENCE])
def test_bad_tokens_are_401(client: FlaskClient, bad: BadToken) -> None:
    response = client.get("/beta/identity/b2xUserFlows", headers=auth(bad=bad, **ADMIN))
    assert_graph_error(response, 401, "InvalidAuthenticationToken")
    assert client.get("/beta/identity/b2cUserFlows").status_code == 401


def test_personal_accounts_are_refused(client: FlaskClient) -> None:
    response = client.get(
        "/beta/identity/b2xUserFlows", headers=auth(bad=BadToken.PERSONAL_ACCOUNT, scp=[FLOW_WRITE])
    )
    assert response.status_code == 403


def test_tenants_are_isolated(client: FlaskClient) -> None:
    connector = seed(client)
    other = auth(tenant_id=OTHER_TENANT, **ADMIN)
    assert client.get("/beta/identity/b2xUserFlows", headers=other).get_json()["value"] == []
    assert client.get("/beta/identity/b2xUserFlows/B2X_1_Partner", headers=other).status_code == 404
    # The other tenant may have its own flow of the same name, and cannot point it at this tenant's connector.
    assert client.post("/beta/identity/b2xUserFlows", json=FLOW, headers=other).status_code == 201
    foreign = client.put(f"{CONFIG}/postFederationSignup/$ref", json={"@odata.id": connector}, headers=other)
    assert_graph_error(foreign, 400, "AADB2C")
    mine = client.put(
        f"{CONFIG}/postFederationSignup/$ref", json={"@odata.id": connector}, headers=auth(**ADMIN)
    )
    assert mine.status_code == 204
