"""GraphMock: requests and httpx (sync and async) answered in-process; context manager, decorator, hosts, strictness."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import requests
import responses

from mockgraph import create_app
from mockgraph.server.threaded import MockGraphServer
from mockgraph.signup import FailureKind, OutcomeKind, SignUpUser, try_connector
from mockgraph.testing.interceptor import GraphMock
from tests.support import assert_graph_error, client_credentials_form, connector_body

GRAPH = "https://graph.microsoft.com"
BODY = connector_body("Intercepted", "https://api.example.com/i")


def test_requests_reach_the_app_with_graphs_urls_and_headers() -> None:
    with GraphMock() as graph:
        headers = graph.tokens.headers()
        created = requests.post(f"{GRAPH}/beta/identity/apiConnectors", json=BODY, headers=headers, timeout=5)
        listed = requests.get(
            f"{GRAPH}/beta/identity/apiConnectors?$top=1&$select=id", headers=headers, timeout=5
        )
    assert created.status_code == 201
    assert created.headers["Location"].startswith(f"{GRAPH}/beta/identity/apiConnectors/")
    assert created.json()["@odata.context"] == f"{GRAPH}/beta/$metadata#identity/apiConnectors/$entity"
    assert listed.json()["value"] == [{"id": created.json()["id"]}]
    assert graph.connectors.count() == 1


def test_httpx_sync_and_async_clients_are_intercepted() -> None:
    async def create_async(headers: dict[str, str]) -> httpx.Response:
        async with httpx.AsyncClient(http2=True) as client:
            return await client.post(f"{GRAPH}/v1.0/identity/apiConnectors", json=BODY, headers=headers)

    with GraphMock() as graph:
        headers = graph.tokens.headers()
        with httpx.Client() as client:
            sync = client.post(f"{GRAPH}/v1.0/identity/apiConnectors", json=BODY, headers=headers)
        asynchronous = asyncio.run(create_async(headers))
        listed = httpx.get(f"{GRAPH}/v1.0/identity/apiConnectors", headers=headers)
    assert (sync.status_code, asynchronous.status_code) == (201, 201)
    assert [c["displayName"] for c in listed.json()["value"]] == ["Intercepted", "Intercepted"]
    graph.journal.assert_called(
        "POST", "/v1.0/identity/apiConnectors", json={"displayName": "Intercepted"}, times=2
    )


def test_the_login_host_answers_discovery_keys_and_tokens() -> None:
    with GraphMock() as graph:
        tenant = graph.connectors.tenant_id
        login = f"https://login.microsoftonline.com/{tenant}"
        discovery = requests.get(f"{login}/v2.0/.well-known/openid-configuration", timeout=5).json()
        keys = httpx.get(f"{login}/discovery/v2.0/keys").json()
        token = requests.post(
            discovery["token_endpoint"],
            data=client_credentials_form("anyone", "anything"),
            timeout=5,
        )
        instance = requests.get(
            "https://login.microsoftonline.com/common/discovery/instance",
            params={"api-version": "1.1", "authorization_endpoint": f"{login}/oauth2/v2.0/authorize"},
            timeout=5,
        ).json()
    assert discovery["token_endpoint"] == f"{login}/oauth2/v2.0/token"
    assert keys["keys"]
    assert token.status_code == 200
    assert token.json()["token_type"] == "Bearer"
    assert instance["tenant_discovery_endpoint"] == f"{login}/v2.0/.well-known/openid-configuration"


def test_other_graph_urls_get_graphs_errors_and_are_unroutable() -> None:
    with GraphMock() as graph:
        headers = graph.tokens.headers()
        version = requests.get(f"{GRAPH}/v2.0/me", headers=headers, timeout=5)
        segment = httpx.get(f"{GRAPH}/beta/users", headers=headers)
        token_on_graph = requests.post(f"{GRAPH}/common/oauth2/v2.0/token", data={"a": "b"}, timeout=5)
        graph_on_login = requests.get(
            "https://login.microsoftonline.com/beta/identity/apiConnectors", timeout=5
        )
    assert_graph_error(version, 400, "BadRequest", "Invalid version: v2.0")
    assert_graph_error(segment, 400, "BadRequest", "Resource not found for the segment 'users'.")
    assert token_on_graph.status_code == 400  # Graph has no token endpoint
    assert graph_on_login.status_code == 404
    assert len(graph.journal.unroutable()) == 4


def test_strict_mode_fails_on_exit_listing_what_was_unroutable() -> None:
    graph = GraphMock(strict=True)
    with pytest.raises(AssertionError, match=r"could not route 1 request\(s\)"), graph:
        requests.get(f"{GRAPH}/beta/nothing-here", timeout=5)


def test_allowed_hosts_go_through_and_nothing_else_does() -> None:
    with MockGraphServer(create_app({"auth_mode": "off"})) as server:
        with GraphMock(allow_hosts=["127.0.0.1"]) as graph:
            via_requests = requests.get(server.url_for("/beta/identity/apiConnectors"), timeout=5)
            via_httpx = httpx.get(server.url_for("/v1.0/identity/apiConnectors"))
            with pytest.raises(requests.exceptions.ConnectionError):
                requests.get("http://localhost:9/", timeout=5)
        assert (via_requests.status_code, via_httpx.status_code) == (200, 200)
        assert [e.host for e in graph.journal.unroutable()] == ["localhost:9"]


def test_an_allowed_host_and_port_lets_that_port_only_through() -> None:
    with MockGraphServer(create_app({"auth_mode": "off"})) as server:
        address = server.url.removeprefix("http://")
        with GraphMock(allow_hosts=[address]) as graph:
            via_requests = requests.get(server.url_for("/beta/identity/apiConnectors"), timeout=5)
            via_httpx = httpx.get(server.url_for("/v1.0/identity/apiConnectors?$top=1"))
            for refused in ("http://127.0.0.1:9/", f"http://localhost:{server.port}/"):
                with pytest.raises(requests.exceptions.ConnectionError):
                    requests.get(refused, timeout=5)
                with pytest.raises(httpx.ConnectError):
                    httpx.get(refused)
        assert (via_requests.status_code, via_httpx.status_code) == (200, 200)
        assert len(graph.journal.unroutable()) == 4


def test_the_sign_up_simulators_real_http_is_routed_like_requests() -> None:
    # Any loopback HTTP answer will do; the emulator's 400 for an unknown path is a final one.
    connector = create_app({"auth_mode": "off"})
    user = SignUpUser(email="john@fabrikam.com")
    with MockGraphServer(connector) as server:
        target = server.url_for("/api/validate")
        with GraphMock() as graph:
            refused = try_connector(target, user)
        with GraphMock(allow_hosts=["127.0.0.1"]):
            allowed = try_connector(target, user)
    assert (refused.failure, refused.attempts) == (FailureKind.CONNECTION_ERROR, 2)
    assert len(graph.journal.unroutable()) == 2
    assert (allowed.kind, allowed.status, allowed.attempts) == (OutcomeKind.FAILURE, 400, 1)


def test_the_decorator_activates_per_call_and_starts_fresh() -> None:
    graph = GraphMock()

    @graph
    def create() -> int:
        response = requests.post(
            f"{GRAPH}/beta/identity/apiConnectors", json=BODY, headers=graph.tokens.headers(), timeout=5
        )
        return graph.connectors.count() if response.status_code == 201 else -1

    assert create() == 1
    assert create() == 1  # the mock owns its app, so each activation starts empty
    assert not graph.active
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"{GRAPH}/beta/identity/apiConnectors", timeout=5)


def test_the_decorator_wraps_coroutines() -> None:
    graph = GraphMock()

    @graph
    async def list_connectors() -> int:
        async with httpx.AsyncClient() as client:
            response = await client.get(
                f"{GRAPH}/beta/identity/apiConnectors", headers=graph.tokens.headers()
            )
        return response.status_code

    assert asyncio.run(list_connectors()) == 200


def test_an_app_passed_in_is_not_reset_and_patches_are_undone() -> None:
    app = create_app({"auth_mode": "off"})
    original_send = requests.adapters.HTTPAdapter.send
    original_handle = httpx.HTTPTransport.handle_request
    first = GraphMock(app)
    with first:
        requests.post(f"{GRAPH}/beta/identity/apiConnectors", json=BODY, timeout=5)
    with GraphMock(app) as second:
        assert second.connectors.count() == 1
    assert requests.adapters.HTTPAdapter.send is original_send
    assert httpx.HTTPTransport.handle_request is original_handle


def test_starting_twice_is_an_error_and_app_with_config_is_refused() -> None:
    graph = GraphMock()
    with graph, pytest.raises(RuntimeError):
        graph.start()
    with pytest.raises(ValueError, match="either an app or a config"):
        GraphMock(create_app(), config={"auth_mode": "off"})


def test_it_coexists_with_a_users_own_responses_mock_outside_it() -> None:
    with responses.RequestsMock() as users_mock:
        users_mock.get("https://api.example.com/ping", json={"ok": True})
        assert requests.get("https://api.example.com/ping", timeout=5).json() == {"ok": True}
        with GraphMock() as graph:
            answered = requests.get(
                f"{GRAPH}/beta/identity/apiConnectors", headers=graph.tokens.headers(), timeout=5
            )
        assert answered.status_code == 200
        assert requests.get("https://api.example.com/ping", timeout=5).json() == {"ok": True}
