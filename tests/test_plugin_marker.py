"""The marker and fixtures as this project's own tests use them (the plugin is installed, so no pytester needed)."""

from __future__ import annotations

import httpx
import pytest
import requests
from flask.testing import FlaskClient

from mockgraph.pytest_plugin import MockGraphSettings
from mockgraph.server.threaded import MockGraphServer
from mockgraph.testing.interceptor import GraphMock
from mockgraph.testing.testkit import Connectors, Tokens
from tests.support import assert_graph_error, connector_body

TENANT = "7e6d5c4b-3a29-4180-9f6e-5d4c3b2a1908"
BODY = connector_body("Seeded by marker", "https://api.example.com/m")

pytestmark = pytest.mark.mockgraph(tenant=TENANT)


@pytest.mark.mockgraph(seed=[BODY, BODY])
def test_a_seed_list_goes_to_the_markers_tenant(mockgraph_connectors: Connectors) -> None:
    assert mockgraph_connectors.tenant_id == TENANT
    assert [c["displayName"] for c in mockgraph_connectors.list()] == ["Seeded by marker"] * 2


@pytest.mark.mockgraph(config={"connector_limit": 1}, seed=[BODY])
def test_config_fields_pass_through(
    mockgraph_client: FlaskClient, mockgraph_tokens: Tokens, mockgraph_settings: MockGraphSettings
) -> None:
    assert mockgraph_settings.tenant == TENANT  # the module's marker still applies
    response = mockgraph_client.post(
        "/beta/identity/apiConnectors", json=BODY, headers=mockgraph_tokens.headers()
    )
    assert_graph_error(response, 400, "QuotaExceeded")


@pytest.mark.mockgraph(auth_mode="enforce")
def test_enforce_refuses_tokens_of_other_signers_and_accepts_minted_ones(
    mockgraph_client: FlaskClient, mockgraph_tokens: Tokens
) -> None:
    url = "/v1.0/identity/apiConnectors"
    assert mockgraph_client.get(url, headers=mockgraph_tokens.headers()).status_code == 200
    bad = {"Authorization": f"Bearer {mockgraph_tokens.mint_bad('unknown-key')}"}
    assert mockgraph_client.get(url, headers=bad).status_code == 401
    no_role = mockgraph_tokens.headers(roles=[])
    assert mockgraph_client.get(url, headers=no_role).status_code == 403


@pytest.mark.mockgraph(seed=[BODY], strict=False)
def test_the_live_server_is_let_through_when_a_test_uses_both_fixtures(
    mockgraph: GraphMock, mockgraph_server: MockGraphServer
) -> None:
    # No allow_hosts: the two fixtures serve one app, so the server is this test's Graph, not a foreign host.
    headers = mockgraph.tokens.headers()
    url = mockgraph_server.url_for("/beta/identity/apiConnectors")
    live = requests.get(url, headers=headers, timeout=5)
    via_httpx = httpx.get(url, headers=headers)
    assert (live.status_code, via_httpx.status_code) == (200, 200)
    assert [c["displayName"] for c in live.json()["value"]] == ["Seeded by marker"]
    # Only the server's own port: another loopback port is refused as before, never reached.
    other = "http://127.0.0.1:9/"
    with pytest.raises(requests.exceptions.ConnectionError, match="mockgraph refused a connection"):
        requests.get(other, timeout=5)
    assert [e.host for e in mockgraph.journal.unroutable()] == ["127.0.0.1:9"]


@pytest.mark.mockgraph(allow_hosts=["127.0.0.1"])
def test_allow_hosts_lets_the_live_server_through_the_interceptor(
    mockgraph: GraphMock, mockgraph_server: MockGraphServer
) -> None:
    headers = mockgraph.tokens.headers()
    live = requests.get(mockgraph_server.url_for("/beta/identity/apiConnectors"), headers=headers, timeout=5)
    intercepted = requests.get(
        "https://graph.microsoft.com/beta/identity/apiConnectors", headers=headers, timeout=5
    )
    assert (live.status_code, intercepted.status_code) == (200, 200)
    assert len(mockgraph.journal.calls("GET", "/beta/identity/apiConnectors")) == 2
