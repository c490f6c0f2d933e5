"""The served emulator's Host policy and the absolute URLs it returns, through Flask's test client.

The policy is a ``NetworkPolicy`` in the app's config (what ``mockgraph serve`` sets); without one (in process)
every host is served, so the interceptor keeps answering Graph's and Entra's own host names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Request
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder

from mockgraph import create_app
from mockgraph.core.config import DEFAULT_TENANT_ID
from mockgraph.core.network import VERDICT_LIMIT, NetworkPolicy, host_is_trusted, is_loopback_address
from mockgraph.identity import mint_token
from mockgraph.web.exposure import base_url

AUTH = {"Authorization": f"Bearer {mint_token()}"}
CONNECTOR = {
    "displayName": "x",
    "targetUrl": "https://api.example.com/x",
    "authenticationConfiguration": {
        "@odata.type": "#microsoft.graph.basicAuthentication",
        "username": "u",
        "password": "p",
    },
}
PATHS = [
    "/beta/identity/apiConnectors",
    f"/{DEFAULT_TENANT_ID}/v2.0/.well-known/openid-configuration",
    "/_mockgraph/health",
    "/_mockgraph/journal",
]


def served(**policy: Any) -> FlaskClient:
    return create_app({"auth_mode": "permissive", "network": NetworkPolicy(**policy)}).test_client()


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:5000", "127.0.0.1.evil.example", "localhost.evil"]
)
@pytest.mark.parametrize("path", PATHS)
def test_a_foreign_host_is_refused_with_graphs_envelope(host: str, path: str) -> None:
    response = served().get(path, base_url=f"http://{host}", headers=AUTH)
    assert response.status_code == 403
    assert response.content_type == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == "Authorization_RequestDenied"
    assert "--allowed-host" in error["message"]
    assert error["innerError"]["request-id"] == response.headers["request-id"]
    assert (
        response.headers["x-mockgraph-reason"] == f"Host {host.split(':')[0]!r} is not trusted by this server"
    )


def test_a_foreign_host_cannot_post_to_the_token_endpoint() -> None:
    response = served().post(
        f"/{DEFAULT_TENANT_ID}/oauth2/v2.0/token",
        base_url="http://rebind.example:5000",
        data={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y", "scope": "z"},
    )
    assert response.status_code == 403
    assert "access_token" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "host",
    [
        "localhost",
        "LOCALHOST:5000",
        "127.0.0.1:5000",
        "127.1.2.3",
        "[::1]:5000",
        "[::ffff:127.0.0.1]",
        "10.1.2.3:80",
    ],
)
def test_loopback_names_and_ip_literals_are_served(host: str) -> None:
    assert (
        served().get("/beta/identity/apiConnectors", base_url=f"http://{host}", headers=AUTH).status_code
        == 200
    )


def test_allowed_hosts_the_bound_host_and_the_public_url_host_are_served() -> None:
    client = served(
        bound_host="devbox",
        allowed_hosts=("mockgraph", ".svc.test"),
        public_url="https://graph.local.test:8443",
    )
    for host in ("mockgraph:5000", "devbox", "a.svc.test", "svc.test", "graph.local.test"):
        assert (
            client.get("/beta/identity/apiConnectors", base_url=f"http://{host}", headers=AUTH).status_code
            == 200
        )
    assert (
        client.get("/beta/identity/apiConnectors", base_url="http://evil.svc.test.example").status_code == 403
    )


def test_a_star_serves_every_well_formed_host() -> None:
    assert (
        served(allowed_hosts=("*",)).get("/_mockgraph/health", base_url="http://any.example").status_code
        == 200
    )


def test_a_request_without_a_host_header_is_served() -> None:
    # HTTP/1.0 clients may send none; a browser always sends one, so it cannot be a rebinding page.
    client = served()
    response = client.get("/_mockgraph/health", environ_overrides={"HTTP_HOST": None})
    assert response.status_code == 200


def test_without_a_policy_every_host_is_served_and_reflected() -> None:
    client = create_app({"auth_mode": "off"}).test_client()
    response = client.post(
        "/beta/identity/apiConnectors", json=CONNECTOR, base_url="https://graph.microsoft.com"
    )
    assert response.headers["Location"].startswith("https://graph.microsoft.com/beta/identity/apiConnectors/")


def test_returned_urls_use_the_served_host() -> None:
    client = served()
    base = "http://127.0.0.1:5123"
    created = client.post("/beta/identity/apiConnectors", json=CONNECTOR, headers=AUTH, base_url=base)
    assert created.headers["Location"].startswith(f"{base}/beta/identity/apiConnectors/")


def test_every_returned_url_uses_the_public_url_when_set() -> None:
    public = "https://mockgraph.example.test:8443"
    client = served(public_url=public)
    local = "http://127.0.0.1:5000"
    created = client.post("/beta/identity/apiConnectors", json=CONNECTOR, headers=AUTH, base_url=local)
    client.post("/beta/identity/apiConnectors", json=CONNECTOR, headers=AUTH, base_url=local)
    assert created.headers["Location"].startswith(f"{public}/beta/identity/apiConnectors/")
    page = client.get("/beta/identity/apiConnectors?$top=1", headers=AUTH, base_url=local).get_json()
    assert page["@odata.nextLink"].startswith(f"{public}/beta/identity/apiConnectors?")
    flow = client.post(
        "/beta/identity/b2xUserFlows",
        json={"id": "SignUp", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1},
        headers=AUTH,
        base_url=local,
    )
    assert flow.headers["Location"].startswith(f"{public}/beta/identity/b2xUserFlows/")
    urls: list[str] = []
    for path in (
        f"/{DEFAULT_TENANT_ID}/v2.0/.well-known/openid-configuration",
        "/common/.well-known/openid-configuration",
        "/common/discovery/instance?authorization_endpoint=https://x/common/oauth2/v2.0/authorize",
    ):
        document = client.get(path, base_url=local).get_json()
        urls += [v for v in document.values() if isinstance(v, str) and v.startswith("http")]
    mine = [
        u
        for u in urls
        if urlsplit(u).hostname
        not in ("login.microsoftonline.com", "sts.windows.net", "graph.microsoft.com", "pas.windows.net")
    ]
    assert mine
    assert all(u.startswith(public + "/") for u in mine), mine
    assert not any("127.0.0.1" in u for u in urls)


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.255.0.9", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("::ffff:7f00:1", True),
        ("::ffff:10.0.0.1", False),
        ("0.0.0.0", False),
        ("::", False),
        ("192.0.2.10", False),
        ("localhost", False),  # an address, not a name: the admin guard judges the peer's address
        ("", False),
        (None, False),
    ],
)
def test_loopback_addresses(address: str | None, loopback: bool) -> None:
    assert is_loopback_address(address) is loopback


@pytest.mark.parametrize(
    ("authority", "trusted"),
    [
        ("localhost", True),
        ("localhost:1", True),
        ("LocalHost", True),
        ("127.0.0.1", True),
        ("[::1]:80", True),
        ("192.168.1.20:5000", True),
        ("[fe80::1]", True),
        ("evil.example", False),
        ("localhost.", False),
        ("sub.localhost", False),
        ("", False),
        ("[::1", False),
        ("a b", False),
        ("localhost:99999", False),
        ("localhost:x", False),
        ("evil.example@localhost", False),
    ],
)
def test_trusted_hosts(authority: str, trusted: bool) -> None:
    assert host_is_trusted(authority, NetworkPolicy()) is trusted


def test_remembered_verdicts_are_bounded() -> None:
    policy = NetworkPolicy()
    for index in range(VERDICT_LIMIT + 50):
        assert policy.trusts_host(f"junk{index}.example") is False
    assert policy.trusts_host("127.0.0.1:5000") is True
    assert len(policy._verdicts) <= VERDICT_LIMIT


@settings(max_examples=400, derandomize=True)
@given(
    host=st.one_of(
        st.text(alphabet="aAzZ09.-:[]_%\u00fc", max_size=14),
        st.sampled_from(["xn--bcher-kva.example", "EXAMPLE.com:443", "[::1]:8080", "127.0.0.1:80", "[:::]"]),
    ),
    scheme=st.sampled_from(["http", "https"]),
)
def test_the_base_url_is_werkzeugs_host_url(host: str, scheme: str) -> None:
    # base_url builds a plain host's URL itself (werkzeug's round trip cost ~3 us per create); it must say
    # exactly what werkzeug says, or fail as werkzeug does.
    environ = EnvironBuilder(path="/", base_url=f"{scheme}://localhost").get_environ()
    environ["HTTP_HOST"] = host

    def outcome(read: Callable[[Request], str]) -> str:
        try:
            return read(Request(dict(environ)))
        except ValueError as error:
            return type(error).__name__

    assert outcome(lambda req: base_url(None, req)) == outcome(lambda req: req.host_url)
