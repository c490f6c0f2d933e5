"""The pytest plugin, tested as users meet it: a throwaway downstream project (pytester) using every fixture.

Runs that make HTTP calls use a subprocess: an in-process pytester run restores ``sys.modules`` afterwards, and
modules first imported inside it (httpcore, say) would be imported again later as new objects, which breaks
httpx's cached exception mapping for the rest of the suite.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

DOWNSTREAM = """
import asyncio

import httpx
import pytest
import requests

CONNECTORS = "/beta/identity/apiConnectors"
GRAPH = "https://graph.microsoft.com" + CONNECTORS
OTHER_TENANT = "5c4b3a29-1807-4f6e-9d5c-4b3a29180700"
BODY = {
    "displayName": "Downstream",
    "targetUrl": "https://api.downstream.example/hook",
    "authenticationConfiguration": {
        "@odata.type": "#microsoft.graph.basicAuthentication",
        "username": "u",
        "password": "p",
    },
}


def test_client_tokens_and_journal(mockgraph_client, mockgraph_tokens, mockgraph_journal, mockgraph_app):
    assert mockgraph_client.application is mockgraph_app
    response = mockgraph_client.post(CONNECTORS, json=BODY, headers=mockgraph_tokens.headers())
    assert response.status_code == 201
    mockgraph_journal.assert_called_once("POST", CONNECTORS, json={"displayName": "Downstream"})


def test_each_test_starts_empty(mockgraph_client, mockgraph_tokens, mockgraph_journal, mockgraph_store):
    listed = mockgraph_client.get(CONNECTORS, headers=mockgraph_tokens.headers()).get_json()
    assert listed["value"] == []
    assert len(mockgraph_journal) == 1
    assert mockgraph_store.dump() == {}


def test_connectors_seed_and_inspect_per_tenant(mockgraph_connectors, mockgraph_store):
    mine = mockgraph_connectors.seed(display_name="Mine")
    mockgraph_connectors.seed(display_name="Theirs", tenant_id=OTHER_TENANT)
    assert [c["id"] for c in mockgraph_connectors.list()] == [mine["id"]]
    assert mockgraph_connectors.count(OTHER_TENANT) == 1
    assert mockgraph_connectors.stored(mine["id"])["authenticationConfiguration"]["password"] == "seeded-password"
    assert sorted(mockgraph_store.dump()) == sorted([mockgraph_connectors.tenant_id, OTHER_TENANT])


def test_interception_for_requests_and_httpx(mockgraph):
    headers = mockgraph.tokens.headers()
    assert requests.post(GRAPH, json=BODY, headers=headers, timeout=5).status_code == 201

    async def listed():
        async with httpx.AsyncClient() as client:
            return (await client.get(GRAPH, headers=headers)).json()["value"]

    assert len(asyncio.run(listed())) == 1
    assert httpx.get(GRAPH, headers=headers).status_code == 200
    assert mockgraph.connectors.count() == 1


def test_faults(mockgraph, mockgraph_faults):
    mockgraph_faults.fail_next(1, status=429, operation="LIST_CONNECTORS")
    headers = mockgraph.tokens.headers()
    assert requests.get(GRAPH, headers=headers, timeout=5).status_code == 429
    assert requests.get(GRAPH, headers=headers, timeout=5).status_code == 200


def test_live_server(mockgraph_server, mockgraph_tokens, mockgraph_journal, make_mockgraph_server):
    assert mockgraph_server is make_mockgraph_server
    url = mockgraph_server.url_for(CONNECTORS)
    assert url.startswith("http://127.0.0.1:")
    response = requests.post(url, json=BODY, headers=mockgraph_tokens.headers(), timeout=5)
    assert response.status_code == 201
    mockgraph_journal.assert_called_once("POST", CONNECTORS, status=201)


def test_live_server_is_reset_between_tests(mockgraph_server, mockgraph_tokens):
    url = mockgraph_server.url_for(CONNECTORS)
    assert requests.get(url, headers=mockgraph_tokens.headers(), timeout=5).json()["value"] == []


@pytest.mark.mockgraph(
    auth_mode="enforce",
    tenant=OTHER_TENANT,
    seed={OTHER_TENANT: [BODY, {**BODY, "displayName": "Second"}]},
)
def test_marker(mockgraph_client, mockgraph_tokens, mockgraph_settings, mockgraph_connectors):
    assert mockgraph_settings.auth_mode == "enforce"
    assert mockgraph_connectors.tenant_id == OTHER_TENANT
    listed = mockgraph_client.get(CONNECTORS, headers=mockgraph_tokens.headers()).get_json()["value"]
    assert [c["displayName"] for c in listed] == ["Downstream", "Second"]
    assert mockgraph_client.get(CONNECTORS, headers={"Authorization": "Bearer " + mockgraph_tokens.mint_bad("expired")}).status_code == 401


def test_the_app_factory_is_session_wide(make_mockgraph_app, mockgraph_app):
    assert make_mockgraph_app() is mockgraph_app
    assert make_mockgraph_app(auth_mode="enforce") is make_mockgraph_app(auth_mode="enforce")
    assert make_mockgraph_app(auth_mode="enforce") is not mockgraph_app
"""


def test_a_downstream_project_uses_every_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_downstream=DOWNSTREAM)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=9)


def test_the_fixtures_are_listed_with_their_docs(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures")
    for name in (
        "mockgraph ",
        "mockgraph_app",
        "mockgraph_client",
        "mockgraph_store",
        "mockgraph_connectors",
        "mockgraph_tokens",
        "mockgraph_journal",
        "mockgraph_faults",
        "mockgraph_server",
        "make_mockgraph_app",
        "make_mockgraph_server",
    ):
        assert any(line.startswith(name) for line in result.outlines), name


def test_the_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.mockgraph(auth_mode=*"])


def test_strict_mode_fails_an_unroutable_request_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        import requests

        def test_typo(mockgraph):
            requests.get("https://graph.microsoft.com/beta/identity/apiconector", timeout=5)

        def test_foreign_host(mockgraph):
            with pytest.raises(requests.exceptions.ConnectionError):
                requests.get("https://api.example.com/", timeout=5)

        @pytest.mark.mockgraph(strict=False)
        def test_opted_out(mockgraph):
            requests.get("https://graph.microsoft.com/beta/identity/apiconector", timeout=5)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*could not route 1 request(s)*",
            "*GET /beta/identity/apiconector -> 400 BadRequest*",
            "*api.example.com GET / -> 0 (connection refused by mockgraph*",
        ]
    )


def test_an_unknown_marker_option_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mockgraph(auth="enforce")
        def test_x(mockgraph_app):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*unknown option(s) auth*"])


def test_the_plugin_runs_under_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_downstream=DOWNSTREAM)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=9)


def test_importing_the_plugin_patches_nothing() -> None:
    probe = textwrap.dedent(
        """
        import sys
        import requests.adapters
        send = requests.adapters.HTTPAdapter.send
        import mockgraph.pytest_plugin
        assert requests.adapters.HTTPAdapter.send is send
        loaded = [m for m in ("responses", "httpx", "mockgraph.testing.interceptor") if m in sys.modules]
        assert loaded == [], loaded
        print("ok")
        """
    )
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert completed.stdout.strip() == "ok", completed.stderr
