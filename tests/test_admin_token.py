"""Tokens minted by a running server's key: ``POST /_mockgraph/token`` and ``mockgraph token --url``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
import requests

from mockgraph import create_app
from mockgraph.identity import mint_token
from mockgraph.server.threaded import MockGraphServer
from tests.support import assert_graph_error


@pytest.fixture
def server() -> Iterator[MockGraphServer]:
    live = MockGraphServer(create_app()).start()  # enforce: tokens must really verify
    try:
        yield live
    finally:
        live.stop()


def cli_token(server: MockGraphServer, *options: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mockgraph", "token", "--url", server.url_for("/").rstrip("/"), *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_cli_token_from_a_running_server_is_accepted_by_it(server: MockGraphServer) -> None:
    result = cli_token(server)
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    response = requests.get(
        server.url_for("/beta/identity/apiConnectors"),
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 200


def test_cli_token_claims_reach_the_decisions(server: MockGraphServer) -> None:
    reader = cli_token(server, "--role", "APIConnectors.Read.All").stdout.strip()
    assert jwt.decode(reader, options={"verify_signature": False})["roles"] == ["APIConnectors.Read.All"]
    headers = {"Authorization": f"Bearer {reader}"}
    assert (
        requests.get(server.url_for("/beta/identity/apiConnectors"), headers=headers, timeout=10).status_code
        == 200
    )
    refused = requests.post(
        server.url_for("/beta/identity/apiConnectors"), json={}, headers=headers, timeout=10
    )
    assert_graph_error(refused, 403, "AADB2C")
    expired = cli_token(server, "--bad", "expired").stdout.strip()
    answer = requests.get(
        server.url_for("/beta/identity/apiConnectors"),
        headers={"Authorization": f"Bearer {expired}"},
        timeout=10,
    )
    assert_graph_error(
        answer, 401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."
    )


def test_a_token_minted_in_another_process_without_the_server_is_refused(server: MockGraphServer) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockgraph", "token"], capture_output=True, text=True, timeout=60, check=True
    )
    # TOKEN=$(mockgraph token) captures the token alone; the advice goes to stderr.
    assert len(result.stdout.split()) == 1
    assert "one-off key" in result.stderr
    assert "--url" in result.stderr
    answer = requests.get(
        server.url_for("/beta/identity/apiConnectors"),
        headers={"Authorization": f"Bearer {result.stdout.strip()}"},
        timeout=10,
    )
    assert_graph_error(answer, 401, "InvalidAuthenticationToken", "Access token validation failure.")
    reason = answer.headers["x-mockgraph-reason"]
    # The kid is quoted first (or "<redacted>", where long base64 runs in reasons are redacted).
    assert reason.startswith("kid '")
    assert reason.endswith(
        "' is not in the emulator's JWKS: the token was signed by another key (e.g. 'mockgraph token' "
        "without --url); get one this server signs: mockgraph token --url <this server's URL>"
    )


def test_the_development_key_against_an_app_with_a_key_file_says_so(tmp_path: Path) -> None:
    app = create_app({"signing_key_path": tmp_path / "state-key.pem"})
    token = mint_token()  # this process's development key, which the app does not sign with
    answer = app.test_client().get(
        "/beta/identity/apiConnectors", headers={"Authorization": f"Bearer {token}"}
    )
    assert_graph_error(answer, 401, "InvalidAuthenticationToken")
    reason = answer.headers["x-mockgraph-reason"]
    assert "is this process's development key, but this app signs with its own key file" in reason
    assert "mockgraph_tokens, or POST /_mockgraph/token" in reason


def test_token_help_says_why_a_token_without_url_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockgraph", "token", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "x-mockgraph-reason header says the token was signed by another key" in text
    assert "TOKEN=$(mockgraph token --url http://127.0.0.1:5000" in text


@pytest.mark.parametrize(
    "spec",
    [
        {"colour": "red"},
        {"kind": "robot"},
        {"roles": "APIConnectors.Read.All"},
        {"lifetime": -1},
        {"bad": "mild"},
    ],
)
def test_bad_token_requests_are_graph_shaped_400s(spec: dict[str, object]) -> None:
    client = create_app().test_client()
    response = client.post("/_mockgraph/token", json=spec)
    assert_graph_error(response, 400, "BadRequest")


def test_unreachable_server_is_a_one_line_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockgraph", "token", "--url", "http://127.0.0.1:9"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
