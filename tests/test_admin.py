"""The /_mockgraph admin API through Flask's test client: loopback only, seed, snapshot, reset, journal, faults.

Changes are sent as JSON (``json={}`` when there is nothing to send), as the admin guard requires."""

from __future__ import annotations

from typing import Any

from flask import Flask

from mockgraph import create_app
from mockgraph.core.config import DEFAULT_TENANT_ID
from mockgraph.web.state import state_of

APP_ID = "ad000000-0000-4000-8000-0000000000a4"
APP_SECRET = "admin-test-secret-6c2e"
BODY: dict[str, Any] = {
    "displayName": "Seeded",
    "targetUrl": "https://api.example.com/x",
    "authenticationConfiguration": {
        "@odata.type": "#microsoft.graph.basicAuthentication",
        "username": "u",
        "password": "seeded-password-1",
    },
}


def _token(app: Flask, client_id: str, secret: str) -> int:
    response = app.test_client().post(
        f"/{DEFAULT_TENANT_ID}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "scope": "https://graph.microsoft.com/.default",
        },
    )
    return response.status_code


def test_non_loopback_callers_get_graphs_403() -> None:
    """Every route, one by one, is in tests/test_admin_guard.py; health and openapi.json are public there."""
    client = create_app().test_client()
    for method, path in [("GET", "journal"), ("POST", "reset"), ("GET", "snapshot"), ("PUT", "faults")]:
        response = client.open(
            f"/_mockgraph/{path}", method=method, environ_base={"REMOTE_ADDR": "192.0.2.10"}
        )
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "Authorization_RequestDenied"
        assert "request-id" in response.get_json()["error"]["innerError"]
    ipv6 = client.get("/_mockgraph/journal", environ_base={"REMOTE_ADDR": "::1"})
    assert ipv6.status_code == 200


def test_seed_adds_apps_that_can_sign_in_and_connectors() -> None:
    app = create_app()
    client = app.test_client()
    assert _token(app, APP_ID, APP_SECRET) >= 400  # unknown before the seed
    seeded = client.post(
        "/_mockgraph/seed",
        json={"apps": [{"clientId": APP_ID, "clientSecret": APP_SECRET}], "connectors": [BODY, BODY]},
    )
    assert seeded.status_code == 200
    assert seeded.get_json()["added"] == {
        "tenants": 0,
        "apps": 1,
        "users": 0,
        "objects": 2,
        "servicePrincipals": 0,
    }
    assert _token(app, APP_ID, APP_SECRET) == 200
    assert state_of(app).store.count(DEFAULT_TENANT_ID, "apiConnectors") == 2


def test_bad_seeds_are_400_and_write_nothing() -> None:
    app = create_app()
    client = app.test_client()
    for document in (
        [],
        {"version": 2},
        {"colour": 1},
        {"apps": [{"clientId": "x", "clientSecret": "y", "tenantId": "nowhere"}], "connectors": [BODY]},
        {"connectors": [BODY, {"displayName": 5}]},
        {"data": {"t": {"c": [{"no": "id"}]}}},
    ):
        response = client.post("/_mockgraph/seed", json=document)
        assert response.status_code == 400, document
        assert response.get_json()["error"]["code"]
    assert client.get("/_mockgraph/snapshot").get_json()["data"] == {}


def test_snapshot_redacts_unless_asked_and_round_trips() -> None:
    source = create_app()
    client = source.test_client()
    client.post(
        "/_mockgraph/seed",
        json={"apps": [{"clientId": APP_ID, "clientSecret": APP_SECRET}], "connectors": [BODY]},
    )
    redacted = client.get("/_mockgraph/snapshot").get_json()
    assert redacted["version"] == 1
    assert redacted["secrets"] is False
    assert APP_SECRET not in str(redacted)
    assert "seeded-password-1" not in str(redacted)
    full = client.get("/_mockgraph/snapshot?secrets=true").get_json()
    assert full["secrets"] is True
    assert APP_SECRET in str(full)
    target = create_app()
    assert target.test_client().post("/_mockgraph/seed", json=full).status_code == 200
    assert target.test_client().get("/_mockgraph/snapshot?secrets=true").get_json() == full
    assert _token(target, APP_ID, APP_SECRET) == 200


def test_reset_forgets_objects_journal_and_faults_but_keeps_the_directory() -> None:
    app = create_app()
    client = app.test_client()
    client.post(
        "/_mockgraph/seed",
        json={"apps": [{"clientId": APP_ID, "clientSecret": APP_SECRET}], "connectors": [BODY]},
    )
    client.put("/_mockgraph/faults", json={"rules": [{"status": 503, "count": 1}]})
    assert client.post("/_mockgraph/reset", json={}).status_code == 204
    snapshot = client.get("/_mockgraph/snapshot").get_json()
    assert snapshot["data"] == {}
    assert APP_ID in [a["clientId"] for a in snapshot["apps"]]
    assert client.get("/_mockgraph/faults").get_json() == {"rules": []}
    assert [e["path"] for e in client.get("/_mockgraph/journal").get_json()["value"]] == [
        "/_mockgraph/reset",  # recorded as it finishes, after the clear
        "/_mockgraph/snapshot",
        "/_mockgraph/faults",
    ]


def test_journal_and_faults_through_the_admin_api() -> None:
    client = create_app({"auth_mode": "off"}).test_client()
    client.get("/beta/identity/apiConnectors")
    journal = client.get("/_mockgraph/journal").get_json()["value"]
    assert journal[0]["path"] == "/beta/identity/apiConnectors"
    assert client.delete("/_mockgraph/journal", json={}).status_code == 204
    bad = client.put("/_mockgraph/faults", json={"rules": [{"status": 200}]})
    assert bad.status_code == 400
    good = client.put("/_mockgraph/faults", json={"rules": [{"operation": "*", "status": 429, "count": 1}]})
    assert good.get_json()["rules"][0]["status"] == 429
    assert client.delete("/_mockgraph/faults", json={}).status_code == 204
    assert client.get("/_mockgraph/faults").get_json() == {"rules": []}
