"""MSAL and azure-identity get tokens from ``mockgraph serve --tls`` over https, trusting only its local CA."""

from __future__ import annotations

import os
import re
import subprocess
import sys
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


def test_msgraph_beta_sdk_over_https_with_the_readme_recipe(
    https_server: ServeProcess, tmp_path: Path
) -> None:
    """The stock GraphServiceClient, trusting the CA through SSL_CERT_FILE alone, as the README says."""
    seeded = https_server.admin(
        "POST",
        "seed",
        json={"connectors": [connector_body("SDK over https", "https://api.example.com/x")]},
    )
    assert seeded.status_code == 200
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    found = re.search(
        r"<!-- python-sdk-recipe:start -->\s*```python\n(.*?)```\s*<!-- python-sdk-recipe:end -->",
        readme,
        re.S,
    )
    assert found, "the README's SDK recipe markers are missing"
    script = tmp_path / "sdk_recipe.py"
    script.write_text(found.group(1), encoding="utf-8")
    env = {
        key: value for key, value in os.environ.items() if key not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
    }
    assert https_server.ca_file is not None
    result = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning:httpx", str(script)],
        env={**env, "SSL_CERT_FILE": str(https_server.ca_file), "MOCKGRAPH_URL": https_server.url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "SDK over https" in result.stdout
    # Without the CA the same recipe fails on the certificate, as the README warns.
    failed = subprocess.run(
        [sys.executable, str(script)],
        env={**{k: v for k, v in env.items() if k != "SSL_CERT_FILE"}, "MOCKGRAPH_URL": https_server.url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode != 0
    assert "CERTIFICATE_VERIFY_FAILED" in failed.stderr or "certificate verify failed" in failed.stderr
