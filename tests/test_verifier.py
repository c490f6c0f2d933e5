"""``mockgraph verify`` against the emulator on a live loopback server: it passes, cleans up, and leaks nothing."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockgraph import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, create_app
from mockgraph.cli.main import main
from mockgraph.identity import mint_token
from mockgraph.server.threaded import MockGraphServer
from mockgraph.verify.base_url import BaseUrlError, verification_root
from mockgraph.verify.probe import Target, run_scenarios
from mockgraph.verify.scenarios import SCENARIOS
from mockgraph.web.hooks import journal_of
from mockgraph.web.state import state_of

TOKEN = mint_token()
READ_ONLY_TOKEN = mint_token(roles=["APIConnectors.Read.All"])


@pytest.fixture
def server() -> Iterator[MockGraphServer]:
    live = MockGraphServer(create_app()).start()  # enforce mode: the real permission decisions
    yield live
    live.stop()


def test_verify_passes_against_the_emulator_and_writes_junit(
    server: MockGraphServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "verify.xml"
    argv = ["verify", "--base-url", server.url, "--token", TOKEN, "--low-privilege-token", READ_ONLY_TOKEN]
    code = main([*argv, "--junit-xml", str(report)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"{len(SCENARIOS)} scenarios: {len(SCENARIOS)} passed, 0 failed (0 divergences), 0 not run" in out
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    assert suite.get("tests") == str(len(SCENARIOS))
    assert suite.get("failures") == "0"
    assert {case.get("name") for case in suite.iter("testcase")} == {scenario.name for scenario in SCENARIOS}
    # Everything it created was deleted again.
    assert state_of(server.app).store.dump() in ({}, {DEFAULT_TENANT_ID: {"apiConnectors": []}})


@pytest.mark.parametrize("api_version", ["beta", "v1.0"])
def test_verify_passes_on_both_versions(server: MockGraphServer, api_version: str) -> None:
    target = Target(server.url, TOKEN, READ_ONLY_TOKEN, version=api_version)
    results = run_scenarios(target, SCENARIOS)
    assert [(r.name, r.divergences) for r in results if r.outcome != "passed"] == []


def test_without_a_low_privilege_token_the_403_scenario_is_reported_as_not_run(
    server: MockGraphServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "verify.xml"
    assert main(["verify", "--base-url", server.url, "--token", TOKEN, "--junit-xml", str(report)]) == 0
    out = capsys.readouterr().out
    assert "NOT RUN  refusal: 403 for a token without write permission" in out
    assert "1 not run" in out
    skipped = [
        case for case in ET.parse(report).getroot().iter("testcase") if case.find("skipped") is not None
    ]
    assert [case.get("name") for case in skipped] == ["refusal: 403 for a token without write permission"]


def test_verify_gets_its_token_by_client_credentials(
    server: MockGraphServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["verify", "--base-url", server.url, "--authority", server.url, "--tenant", DEFAULT_TENANT_ID]
    code = main([*argv, "--client-id", DEFAULT_CLIENT_ID, "--client-secret", DEFAULT_CLIENT_SECRET])
    assert code == 0, capsys.readouterr().out


def test_a_refused_client_secret_is_a_clear_start_error(
    server: MockGraphServer, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["verify", "--base-url", server.url, "--authority", server.url, "--tenant", DEFAULT_TENANT_ID]
    code = main([*argv, "--client-id", DEFAULT_CLIENT_ID, "--client-secret", "wrong-secret-value"])
    err = capsys.readouterr().err
    assert code == 2
    assert "401" in err
    assert "wrong-secret-value" not in err


def test_no_credentials_is_a_clear_start_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--base-url", "http://127.0.0.1:9"]) == 2
    assert "--token" in capsys.readouterr().err


def test_the_transcript_and_report_hold_no_secret(server: MockGraphServer, tmp_path: Path) -> None:
    report = tmp_path / "verify.xml"
    assert main(["verify", "--base-url", server.url, "--token", TOKEN, "--junit-xml", str(report)]) == 0
    text = report.read_text()
    assert TOKEN not in text
    assert TOKEN.split(".")[1] not in text
    assert "&lt;PASSWORD&gt;" not in text  # the documented example's password
    assert "&lt;NEW_PASSWORD&gt;" not in text
    assert '"password": "******"' in text  # Graph's own mask is kept, it is not a secret
    for key in ("password", "pkcs12Value"):
        values = re.findall(rf'"{key}": "([^"]*)"', text)
        assert values, key
        assert set(values) <= {"&lt;redacted&gt;", "******"}, (key, set(values))


def test_unreachable_endpoint_is_a_transport_divergence() -> None:
    results = run_scenarios(Target("http://127.0.0.1:9", TOKEN, timeout=2), SCENARIOS[:1])
    assert results[0].outcome == "failed"
    assert results[0].divergences[0].kind == "transport"


@pytest.mark.parametrize(
    ("suffix", "flags", "version"),
    [
        ("/beta", [], "beta"),
        ("/V1.0/", ["--api-version", "v1.0"], "v1.0"),
        ("/Beta/", ["--api-version", "beta"], "beta"),
    ],
)
def test_a_base_url_ending_in_its_version_is_verified_at_the_root(
    server: MockGraphServer, capsys: pytest.CaptureFixture[str], suffix: str, flags: list[str], version: str
) -> None:
    argv = [
        "verify",
        "--base-url",
        server.url + suffix,
        "--token",
        TOKEN,
        "--low-privilege-token",
        READ_ONLY_TOKEN,
    ]
    code = main([*argv, *flags])
    captured = capsys.readouterr()
    assert code == 0, captured.out
    assert (
        f"ends in the version '{suffix.rstrip('/')}': verifying {server.url} with --api-version {version}"
        in (captured.err)
    )
    assert f"mockgraph verify against {server.url}\n" in captured.out
    paths = [entry.path for entry in journal_of(server.app).entries()]
    assert paths
    assert all(path.startswith(f"/{version}/identity/") for path in paths), sorted(set(paths))


@pytest.mark.parametrize(
    ("suffix", "flags", "message"),
    [
        ("/beta", ["--api-version", "v1.0"], "ends in the version '/beta' but --api-version is v1.0"),
        ("/v1.0/", ["--api-version", "beta"], "ends in the version '/v1.0' but --api-version is beta"),
        ("/beta/identity/apiConnectors", [], "has the version segment '/beta' inside its path"),
    ],
)
def test_a_base_url_with_a_conflicting_or_inner_version_is_refused(
    server: MockGraphServer, capsys: pytest.CaptureFixture[str], suffix: str, flags: list[str], message: str
) -> None:
    assert main(["verify", "--base-url", server.url + suffix, "--token", TOKEN, *flags]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert f"give Graph's root, {server.url}," in err or f"give the root, {server.url}," in err
    assert journal_of(server.app).entries() == []  # refused before any request


@pytest.mark.parametrize(
    ("base_url", "api_version", "expected"),
    [
        ("https://graph.microsoft.com", None, ("https://graph.microsoft.com", "beta", False)),
        ("https://graph.microsoft.com/", "v1.0", ("https://graph.microsoft.com", "v1.0", False)),
        ("https://graph.microsoft.com/v1.0", None, ("https://graph.microsoft.com", "v1.0", True)),
        (
            "http://127.0.0.1:5000/proxy/graph/BETA/",
            "beta",
            ("http://127.0.0.1:5000/proxy/graph", "beta", True),
        ),
        ("http://[::1]:5000/betamax", None, ("http://[::1]:5000/betamax", "beta", False)),
    ],
)
def test_verification_root(base_url: str, api_version: str | None, expected: tuple[str, str, bool]) -> None:
    root = verification_root(base_url, api_version)
    assert (root.base_url, root.version, root.notice is not None) == expected


@pytest.mark.parametrize(
    "base_url", ["graph.microsoft.com", "ftp://graph.microsoft.com", "https://g.example/?x=1"]
)
def test_a_base_url_that_is_not_an_http_root_is_refused(base_url: str) -> None:
    with pytest.raises(BaseUrlError, match="--base-url must"):
        verification_root(base_url, None)
