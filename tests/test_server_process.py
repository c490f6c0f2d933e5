"""``mockgraph serve`` as a real subprocess on an ephemeral port: every operation over http and https, the admin API
and its CLI, clean stops on SIGINT/SIGTERM, and logs that hold no secret."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockgraph import make_pkcs12
from mockgraph.core.config import DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID
from tests._serve_process import BASIC_PASSWORD, ServeProcess, run_cli, run_cli_in_process, server_connector
from tests.support import assert_graph_error

PFX_PASSWORD = "pfx-pw-4b8d2e6f"
SEEDED_SECRET = "seeded-app-secret-9e1c5a7b"
SEEDED_APP = "5eed0000-0000-4000-8000-0000000000a2"


@pytest.fixture(params=["http", "https"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServeProcess]:
    args = ["--tls", "--tls-dir", str(tmp_path / "tls")] if request.param == "https" else []
    # The admin tests export secrets, which a server does only when told to.
    with ServeProcess(tmp_path, *args, "--log-format", "json", "--allow-secret-export") as process:
        assert process.url.startswith(f"{request.param}://127.0.0.1:")
        yield process


def test_every_graph_operation(server: ServeProcess) -> None:
    session = server.session()
    session.headers["Authorization"] = f"Bearer {server.token()}"
    base = f"{server.url}/beta/identity/apiConnectors"
    created = session.post(base, json=server_connector(), timeout=10)
    assert created.status_code == 201, created.text
    connector = created.json()
    assert connector["authenticationConfiguration"]["password"] == "******"
    item = f"{base}/{connector['id']}"
    assert [c["id"] for c in session.get(base, timeout=10).json()["value"]] == [connector["id"]]
    assert session.get(f"{server.url}/v1.0/identity/apiConnectors/$count", timeout=10).text == "1"
    assert (
        session.get(item, params={"$select": "displayName"}, timeout=10).json()["displayName"] == "Server API"
    )
    assert session.patch(item, json={"displayName": "Renamed"}, timeout=10).status_code == 204
    assert session.get(item, timeout=10).json()["displayName"] == "Renamed"
    pfx = make_pkcs12(password=PFX_PASSWORD)
    uploaded = session.post(
        f"{item}/uploadClientCertificate",
        json={"pkcs12Value": pfx.base64, "password": PFX_PASSWORD},
        timeout=10,
    )
    assert uploaded.status_code == 200, uploaded.text
    certificates = uploaded.json()["authenticationConfiguration"]["certificateList"]
    assert certificates[0]["thumbprint"] == pfx.facts.thumbprint
    assert session.delete(item, timeout=10).status_code == 204
    missing = session.get(item, timeout=10)
    assert_graph_error(missing, 404, "Request_ResourceNotFound")
    assert session.get(base, headers={"Authorization": ""}, timeout=10).status_code == 401
    assert server.stop() == 0


def test_admin_api_over_the_wire(server: ServeProcess) -> None:
    health = server.admin("GET", "health")
    assert (health.status_code, health.json()["status"]) == (200, "healthy")
    seeded = server.admin("POST", "seed", json={"connectors": [server_connector("Seeded")]})
    assert seeded.json()["added"]["objects"] == 1
    redacted = server.admin("GET", "snapshot").json()
    [record] = redacted["data"][DEFAULT_TENANT_ID]["apiConnectors"]
    assert record["authenticationConfiguration"]["password"] == "<redacted>"
    full = server.admin("GET", "snapshot", params={"secrets": "true"}).json()
    assert (
        full["data"][DEFAULT_TENANT_ID]["apiConnectors"][0]["authenticationConfiguration"]["password"]
        == BASIC_PASSWORD
    )
    rules = {"rules": [{"operation": "LIST_CONNECTORS", "status": 503, "count": 1}]}
    assert server.admin("PUT", "faults", json=rules).status_code == 200
    assert server.admin("GET", "faults").json()["rules"][0]["status"] == 503
    listed = server.session().get(
        f"{server.url}/beta/identity/apiConnectors",
        headers={"Authorization": f"Bearer {server.token()}"},
        timeout=10,
    )
    assert listed.status_code == 503
    assert server.admin("DELETE", "faults").status_code == 204
    journal = server.admin("GET", "journal").json()["value"]
    assert any(e["path"] == "/beta/identity/apiConnectors" and e["status"] == 503 for e in journal)
    assert server.admin("DELETE", "journal").status_code == 204
    assert server.admin("POST", "reset").status_code == 204
    assert server.admin("GET", "snapshot").json()["data"] == {}
    assert server.stop() == 0


def test_admin_commands_against_the_server(server: ServeProcess, tmp_path: Path) -> None:
    common = ["--url", server.url] + (["--ca", server.ca_file] if server.ca_file else [])
    # ``python -m mockgraph`` as a process for a success and a refusal (exit status and stderr through a real
    # process); the other commands run the same ``main`` in this process, as tests/test_cli_details.py does.
    health = run_cli("health", *common)
    assert health.returncode == 0, health.stderr
    assert json.loads(health.stdout)["status"] == "healthy"
    seed_file = tmp_path / "seed.json"
    seed_file.write_text(json.dumps({"connectors": [server_connector("From CLI")]}))
    assert json.loads(run_cli_in_process("seed", str(seed_file), *common).stdout)["added"]["objects"] == 1
    out = tmp_path / "snapshot.json"
    assert run_cli_in_process("snapshot", "--secrets", "-o", str(out), *common).returncode == 0
    assert BASIC_PASSWORD in out.read_text()
    assert BASIC_PASSWORD not in run_cli_in_process("snapshot", *common).stdout
    spec = json.dumps({"rules": [{"status": 429, "count": 2}]})
    assert (
        json.loads(run_cli_in_process("faults", "--set", spec, *common).stdout)["rules"][0]["status"] == 429
    )
    bad = run_cli("faults", "--set", '{"rules": [{"status": 200}]}', *common)
    assert bad.returncode == 1
    assert bad.stderr.startswith("mockgraph: error: 400 ")
    assert run_cli_in_process("faults", "--clear", *common).returncode == 0
    assert json.loads(run_cli_in_process("faults", *common).stdout) == {"rules": []}
    assert isinstance(json.loads(run_cli_in_process("journal", *common).stdout)["value"], list)
    assert run_cli_in_process("journal", "--clear", *common).returncode == 0
    assert run_cli_in_process("reset", *common).returncode == 0
    assert json.loads(run_cli_in_process("snapshot", *common).stdout)["data"] == {}
    assert server.stop() == 0


def test_admin_command_reports_an_unreachable_server() -> None:
    result = run_cli("health", "--url", "http://127.0.0.1:9")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "cannot reach" in result.stderr


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_stops_cleanly_on_a_signal(tmp_path: Path, signum: int) -> None:
    with ServeProcess(tmp_path) as process:
        assert process.admin("GET", "health").status_code == 200
        assert process.stop(signum) == 0
    assert "mockgraph stopped" in process.logs()
    assert "Traceback" not in process.logs()


def test_banner_names_urls_and_the_published_credentials(tmp_path: Path) -> None:
    with ServeProcess(tmp_path) as process:
        banner = "\n".join(process.banner)
        assert f"{process.url}/beta" in banner
        assert f"{process.url}/{DEFAULT_TENANT_ID}/oauth2/v2.0/token" in banner
        assert DEFAULT_CLIENT_SECRET in banner
        assert process.stop() == 0


def test_no_secret_in_the_logs_of_a_full_scenario(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(
        json.dumps(
            {
                "apps": [
                    {
                        "clientId": SEEDED_APP,
                        "clientSecret": SEEDED_SECRET,
                        "tenantId": DEFAULT_TENANT_ID,
                        "applicationPermissions": ["APIConnectors.ReadWrite.All"],
                    }
                ]
            }
        )
    )
    state = tmp_path / "state.db"
    with ServeProcess(
        tmp_path,
        "--tls",
        "--state",
        str(state),
        "--seed",
        str(seed),
        "--log-format",
        "json",
        "--allow-secret-export",
    ) as process:
        token = process.token(client_id=SEEDED_APP, secret=SEEDED_SECRET)
        session = process.session()
        session.headers["Authorization"] = f"Bearer {token}"
        base = f"{process.url}/beta/identity/apiConnectors"
        connector = session.post(base, json=server_connector(), timeout=10).json()
        pfx = make_pkcs12(password=PFX_PASSWORD)
        session.post(
            f"{base}/{connector['id']}/uploadClientCertificate",
            json={"pkcs12Value": pfx.base64, "password": PFX_PASSWORD},
            timeout=10,
        )
        # A secret in a query string (a mistaken client) must not reach the log either.
        session.get(base, params={"client_secret": SEEDED_SECRET}, timeout=10)
        session.post(
            f"{process.url}/{DEFAULT_TENANT_ID}/oauth2/v2.0/token?password={BASIC_PASSWORD}", timeout=10
        )
        process.admin("GET", "snapshot", params={"secrets": "true"})
        process.admin("GET", "journal")
        assert process.stop() == 0
    logs = process.logs()
    lines = [json.loads(line) for line in logs.splitlines() if line.startswith("{")]
    assert len(lines) >= 7
    assert {"method", "path", "status", "error", "ms", "requestId"} <= set(lines[0])
    assert any(line["status"] == 201 and line["requestId"] for line in lines)
    for secret in (SEEDED_SECRET, BASIC_PASSWORD, PFX_PASSWORD, pfx.base64[:40], token, token.split(".")[1]):
        assert secret not in logs
