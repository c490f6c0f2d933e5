"""One guard for every ``/_mockgraph`` route: loopback callers only (two public read-only documents aside),
and state-changing calls that a web page in the developer's browser cannot forge (JSON or the CSRF header, no
foreign ``Origin``). Flask's test client; a non-loopback caller is an ``environ_base`` remote address."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask, Response

from mockgraph import create_app
from mockgraph.admin.guard import CSRF_HEADER, PUBLIC_PATHS, csrf_token
from mockgraph.core.network import NetworkPolicy

REMOTE = {"REMOTE_ADDR": "192.0.2.10"}
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
JSON = {"Content-Type": "application/json"}


def admin_calls(app: Flask) -> list[tuple[str, str]]:
    """Every (method, path) the app routes under ``/_mockgraph``, read from its URL map."""
    calls = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/_mockgraph"):
            # A path parameter (the dashboard's request id, a static file) gets a placeholder value.
            path = re.sub(r"<[^>]+>", "x", rule.rule)
            calls += [(method, path) for method in sorted(rule.methods or ())]
    return calls


def test_the_url_map_has_the_admin_routes_this_test_knows() -> None:
    paths = {path for _, path in admin_calls(create_app())}
    # A sanity floor: if routes move elsewhere, the guard test below must still see them.
    assert {"/_mockgraph/reset", "/_mockgraph/simulate", "/_mockgraph/openapi.json"} <= paths
    assert set(PUBLIC_PATHS) == {"/_mockgraph/health", "/_mockgraph/openapi.json"}


@pytest.mark.parametrize("call", admin_calls(create_app()), ids=lambda c: f"{c[0]} {c[1]}")
def test_every_admin_route_refuses_non_loopback_callers(call: tuple[str, str]) -> None:
    method, path = call
    client = create_app().test_client()
    response = client.open(path, method=method, json={}, environ_base=REMOTE)
    if path in PUBLIC_PATHS and method in ("GET", "HEAD"):
        assert response.status_code == 200
        return
    assert response.status_code == 403, response.get_data(as_text=True)
    assert response.headers["x-mockgraph-reason"] == "admin call from non-loopback address 192.0.2.10"
    if method != "HEAD":
        error = response.get_json()["error"]
        assert error["code"] == "Authorization_RequestDenied"
        assert "loopback" in error["message"]
        assert error["innerError"]["request-id"]


def test_a_route_added_later_under_the_prefix_is_guarded_too() -> None:
    app = create_app()
    app.add_url_rule("/_mockgraph/added-later", "added_later", lambda: Response("ran"), methods=["GET"])
    client = app.test_client()
    assert client.get("/_mockgraph/added-later", environ_base=REMOTE).status_code == 403
    assert client.get("/_mockgraph/added-later").get_data(as_text=True) == "ran"
    # An unknown admin path is refused from afar before anything else answers it.
    assert client.get("/_mockgraph/no-such-thing", environ_base=REMOTE).status_code == 403


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_loopback_callers_are_served(address: str) -> None:
    # ``::ffff:127.0.0.1`` is how an IPv4 loopback caller appears to a server bound to ``::``.
    response = create_app().test_client().get("/_mockgraph/journal", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 200


@pytest.mark.parametrize("address", ["::ffff:192.0.2.10", "10.0.0.1", "", "not-an-address"])
def test_other_callers_are_refused(address: str) -> None:
    response = create_app().test_client().get("/_mockgraph/journal", environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 403


def unsafe_calls() -> list[tuple[str, str, Any]]:
    return [
        ("POST", "/_mockgraph/reset", None),
        ("POST", "/_mockgraph/seed", {"connectors": []}),
        ("POST", "/_mockgraph/token", {}),
        ("PUT", "/_mockgraph/faults", {"rules": []}),
        ("DELETE", "/_mockgraph/faults", None),
        ("DELETE", "/_mockgraph/journal", None),
    ]


@pytest.mark.parametrize(("method", "path", "body"), unsafe_calls())
@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
def test_state_changing_admin_calls_a_form_could_send_are_refused(
    method: str, path: str, body: Any, content_type: str | None
) -> None:
    """A cross-site form or ``fetch(no-cors)`` can send these content types (or none) but not JSON."""
    client = create_app().test_client()
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.open(path, method=method, data=b"{}" if body is not None else b"", headers=headers)
    assert response.status_code == 415, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "UnsupportedMediaType"
    assert "application/json" in response.get_json()["error"]["message"]
    assert CSRF_HEADER in response.get_json()["error"]["message"]
    assert response.headers["x-mockgraph-reason"].startswith("admin call without JSON")


@pytest.mark.parametrize(("method", "path", "body"), unsafe_calls())
def test_state_changing_admin_calls_with_json_are_served(method: str, path: str, body: Any) -> None:
    client = create_app().test_client()
    if body is None:
        response = client.open(path, method=method, headers=JSON)
    else:
        response = client.open(path, method=method, json=body)
    assert response.status_code in (200, 204), response.get_data(as_text=True)


@pytest.mark.parametrize(("method", "path", "body"), [c for c in unsafe_calls() if c[2] is None])
def test_bodyless_state_changing_calls_may_send_the_csrf_token_instead(
    method: str, path: str, body: Any
) -> None:
    app = create_app()
    response = app.test_client().open(path, method=method, headers={CSRF_HEADER: csrf_token(app)})
    assert response.status_code == 204, response.get_data(as_text=True)


def test_the_csrf_header_must_carry_this_apps_token() -> None:
    app, other = create_app(), create_app()
    assert csrf_token(app) != csrf_token(other)
    assert len(csrf_token(app)) >= 32
    client = app.test_client()
    refused = client.post("/_mockgraph/reset", headers={CSRF_HEADER: csrf_token(other)})
    assert refused.status_code == 403
    assert refused.headers["x-mockgraph-reason"] == f"admin call with a wrong {CSRF_HEADER} header"
    assert client.post("/_mockgraph/reset", headers={CSRF_HEADER: csrf_token(app)}).status_code == 204


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "http://localhost:3000", "https://localhost", "file://"]
)
def test_a_foreign_origin_is_refused_even_with_json(origin: str) -> None:
    client = create_app().test_client()
    response = client.post("/_mockgraph/reset", headers={**JSON, "Origin": origin})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "Authorization_RequestDenied"
    assert response.headers["x-mockgraph-reason"].startswith("admin call from foreign origin")


def test_the_served_origin_an_allowed_host_and_no_origin_are_fine() -> None:
    client = create_app().test_client()
    assert client.post("/_mockgraph/reset", headers=JSON).status_code == 204
    assert client.post("/_mockgraph/reset", headers={**JSON, "Origin": "http://localhost"}).status_code == 204
    served = client.post(
        "/_mockgraph/reset",
        headers={**JSON, "Origin": "http://127.0.0.1:5000"},
        base_url="http://127.0.0.1:5000",
    )
    assert served.status_code == 204
    policy = NetworkPolicy(allowed_hosts=("dashboard.test",))
    allowed = create_app({"network": policy}).test_client()
    response = allowed.post(
        "/_mockgraph/reset",
        headers={**JSON, "Origin": "http://dashboard.test:8080"},
        base_url="http://localhost",
    )
    assert response.status_code == 204


def test_reads_need_neither_json_nor_a_same_origin() -> None:
    client = create_app().test_client()
    assert client.get("/_mockgraph/journal", headers={"Origin": "http://evil.example"}).status_code == 200


def test_secret_export_is_refused_unless_the_server_opted_in() -> None:
    in_process = create_app().test_client()
    assert in_process.get("/_mockgraph/snapshot?secrets=true").get_json()["secrets"] is True
    served = create_app({"network": NetworkPolicy()}).test_client()
    refused = served.get("/_mockgraph/snapshot?secrets=true")
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "Authorization_RequestDenied"
    assert "--allow-secret-export" in refused.get_json()["error"]["message"]
    assert refused.headers["x-mockgraph-reason"] == "secret export is off on this server"
    assert served.get("/_mockgraph/snapshot").get_json()["secrets"] is False
    opted_in = create_app({"network": NetworkPolicy(allow_secret_export=True)}).test_client()
    assert opted_in.get("/_mockgraph/snapshot?secrets=true").get_json()["secrets"] is True
