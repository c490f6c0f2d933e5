"""MSAL and azure-identity get tokens from ``mockgraph serve --tls`` over https, trusting only its local CA."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msal
import pytest
from azure.identity import ClientSecretCredential

from mockgraph.core.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID
from tests._serve_process import ServeProcess
from tests.support import GRAPH_SCOPE, connector_body


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    tmp_path = tmp_path_factory.mktemp("https")
    with ServeProcess(tmp_path, "--tls", "--tls-dir", str(tmp_path / "tls")) as process:
        assert process.ca_file is not None
        yield process


@pytest.fixture(autouse=True)
def no_ca_bundle_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE beat a session's ``verify`` (which MSAL sets): unset them."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)


def _graph_accepts(server: ServeProcess, token: str) -> None:
    session = server.session()
    response = session.get(
        f"{server.url}/v1.0/identity/apiConnectors", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert response.status_code == 200, response.text


def test_msal_confidential_client_over_https(https_server: ServeProcess) -> None:
    app = msal.ConfidentialClientApplication(
        DEFAULT_CLIENT_ID,
        client_credential=DEFAULT_CLIENT_SECRET,
        authority=f"{https_server.url}/{DEFAULT_TENANT_ID}",
        instance_discovery=False,
        verify=https_server.ca_file,
    )
    result = app.acquire_token_for_client([GRAPH_SCOPE])
    assert "access_token" in result, result
    _graph_accepts(https_server, result["access_token"])


def test_msal_reports_a_wrong_secret_over_https(https_server: ServeProcess) -> None:
    app = msal.ConfidentialClientApplication(
        DEFAULT_CLIENT_ID,
        client_credential="not-the-secret",
        authority=f"{https_server.url}/{DEFAULT_TENANT_ID}",
        instance_discovery=False,
        verify=https_server.ca_file,
    )
    result = app.acquire_token_for_client([GRAPH_SCOPE])
    assert result.get("error") == "invalid_client"


def test_azure_identity_client_secret_credential_over_https(https_server: ServeProcess) -> None:
    credential = ClientSecretCredential(
        DEFAULT_TENANT_ID,
        DEFAULT_CLIENT_ID,
        DEFAULT_CLIENT_SECRET,
        authority=https_server.url,
        disable_instance_discovery=True,
        connection_verify=https_server.ca_file,
    )
    token = credential.get_token(GRAPH_SCOPE)
    assert token.expires_on > 0
    _graph_accepts(https_server, token.token)


def test_an_untrusted_ca_is_refused(https_server: ServeProcess, tmp_path: Path) -> None:
    import requests

    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{https_server.url}/_mockgraph/health", timeout=10)


def test_msgraph_beta_sdk_over_https(https_server: ServeProcess) -> None:
    """The README's recipe: the SDK's adapter pointed at the server, trusting its CA for both token and Graph."""
    import asyncio

    import httpx
    from azure.identity.aio import ClientSecretCredential as AsyncClientSecretCredential
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from msgraph_beta import GraphRequestAdapter, GraphServiceClient
    from msgraph_core import GraphClientFactory

    seeded = https_server.admin(
        "POST",
        "seed",
        json={"connectors": [connector_body("SDK over https", "https://api.example.com/x")]},
    )
    assert seeded.status_code == 200

    async def names() -> list[str]:
        credential = AsyncClientSecretCredential(
            DEFAULT_TENANT_ID,
            DEFAULT_CLIENT_ID,
            DEFAULT_CLIENT_SECRET,
            authority=https_server.url,
            disable_instance_discovery=True,
            connection_verify=https_server.ca_file,
        )
        auth = AzureIdentityAuthenticationProvider(
            credential, scopes=[GRAPH_SCOPE], allowed_hosts=["127.0.0.1"]
        )
        http_client = GraphClientFactory.create_with_default_middleware(
            client=httpx.AsyncClient(verify=str(https_server.ca_file))
        )
        adapter = GraphRequestAdapter(auth, http_client)
        adapter.base_url = f"{https_server.url}/beta"
        try:
            page = await GraphServiceClient(request_adapter=adapter).identity.api_connectors.get()
        finally:
            await credential.close()
            await http_client.aclose()
        assert page is not None
        return [c.display_name or "" for c in page.value or []]

    assert "SDK over https" in asyncio.run(names())
