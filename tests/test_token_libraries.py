"""Microsoft's token libraries (MSAL, azure-identity) get tokens from the intercepted login host, unmodified."""

from __future__ import annotations

import httpx
import msal
import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential

from mockgraph.core.config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_TENANT_ID,
    DEFAULT_USER_NAME,
    DEFAULT_USER_PASSWORD,
)
from mockgraph.testing.interceptor import GraphMock
from tests.support import assert_graph_error

GRAPH_DEFAULT = ["https://graph.microsoft.com/.default"]
CONNECTORS = "https://graph.microsoft.com/v1.0/identity/apiConnectors"
SOME_TENANT = "0f5b1c9a-6d3e-4b7f-8a2c-1e9d7b6a5c40"


def confidential(tenant: str, client_id: str, secret: str) -> msal.ConfidentialClientApplication:
    return msal.ConfidentialClientApplication(
        client_id, client_credential=secret, authority=f"https://login.microsoftonline.com/{tenant}"
    )


@pytest.mark.mockgraph(auth_mode="permissive")
def test_msal_confidential_client_gets_a_token_graph_accepts(mockgraph: GraphMock) -> None:
    result = confidential(SOME_TENANT, "any-client-id", "any-secret").acquire_token_for_client(GRAPH_DEFAULT)
    assert "access_token" in result, result
    response = requests.get(
        CONNECTORS, headers={"Authorization": f"Bearer {result['access_token']}"}, timeout=5
    )
    assert response.status_code == 200
    entry = mockgraph.journal.assert_called_once("GET", "/v1.0/identity/apiConnectors", status=200)
    assert entry.principal is not None
    assert (entry.principal["tenantId"], entry.principal["appId"]) == (SOME_TENANT, "any-client-id")
    token_request = mockgraph.journal.assert_called_once("POST", f"/{SOME_TENANT}/oauth2/v2.0/token")
    assert token_request.form is not None
    assert token_request.form["client_secret"] == "<redacted>"


@pytest.mark.mockgraph(auth_mode="enforce")
def test_msal_with_the_registered_app_works_under_enforce(mockgraph: GraphMock) -> None:
    app = confidential(DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
    token = app.acquire_token_for_client(GRAPH_DEFAULT)["access_token"]
    response = requests.get(CONNECTORS, headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert response.status_code == 200
    # A second call is served from MSAL's cache: no second token request.
    assert app.acquire_token_for_client(GRAPH_DEFAULT)["access_token"] == token
    mockgraph.journal.assert_called("POST", f"/{DEFAULT_TENANT_ID}/oauth2/v2.0/token", times=1)


@pytest.mark.mockgraph(auth_mode="enforce")
def test_msal_reports_entras_error_for_a_wrong_secret(mockgraph: GraphMock) -> None:
    result = confidential(DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID, "wrong").acquire_token_for_client(
        GRAPH_DEFAULT
    )
    assert result.get("error") == "invalid_client"
    assert 7000215 in result.get("error_codes", [])
    entry = mockgraph.journal.assert_called_once(
        "POST", f"/{DEFAULT_TENANT_ID}/oauth2/v2.0/token", status=401
    )
    assert entry.error_code == "invalid_client"
    assert entry.reason is not None
    assert "secret" in entry.reason


@pytest.mark.mockgraph(auth_mode="enforce")
@pytest.mark.filterwarnings("ignore:This API has been deprecated:DeprecationWarning")
def test_msal_password_grant_for_the_default_user(mockgraph: GraphMock) -> None:
    app = msal.PublicClientApplication(
        DEFAULT_CLIENT_ID, authority=f"https://login.microsoftonline.com/{DEFAULT_TENANT_ID}"
    )
    result = app.acquire_token_by_username_password(
        DEFAULT_USER_NAME,
        DEFAULT_USER_PASSWORD,
        scopes=["https://graph.microsoft.com/APIConnectors.ReadWrite.All"],
    )
    assert "access_token" in result, result
    response = httpx.get(CONNECTORS, headers={"Authorization": f"Bearer {result['access_token']}"})
    assert response.status_code == 200
    entry = mockgraph.journal.assert_called_once("GET", "/v1.0/identity/apiConnectors")
    assert entry.principal is not None
    assert entry.principal["kind"] == "user"
    password_request = mockgraph.journal.assert_called_once("POST", f"/{DEFAULT_TENANT_ID}/oauth2/v2.0/token")
    assert password_request.form is not None
    assert password_request.form["password"] == "<redacted>"


def test_azure_identity_client_secret_credential_token_works_with_httpx(mockgraph: GraphMock) -> None:
    token = ClientSecretCredential(SOME_TENANT, "another-app", "another-secret").get_token(*GRAPH_DEFAULT)
    response = httpx.get(CONNECTORS, headers={"Authorization": f"Bearer {token.token}"})
    assert response.status_code == 200
    assert response.json()["value"] == []


@pytest.mark.mockgraph(auth_mode="enforce")
def test_azure_identity_surfaces_an_unknown_app(mockgraph: GraphMock) -> None:
    credential = ClientSecretCredential(DEFAULT_TENANT_ID, "never-registered", "x")
    with pytest.raises(ClientAuthenticationError, match="AADSTS700016"):
        credential.get_token(*GRAPH_DEFAULT)


def test_a_request_without_a_token_still_fails_as_on_graph(mockgraph: GraphMock) -> None:
    response = requests.get(CONNECTORS, timeout=5)
    assert_graph_error(response, 401, "InvalidAuthenticationToken")
    assert "WWW-Authenticate" in response.headers
    mockgraph.journal.assert_called_once("GET", CONNECTORS, status=401)
