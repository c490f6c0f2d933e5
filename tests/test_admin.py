"""The /_mockgraph admin API through Flask's test client: loopback only, seed, snapshot, reset, journal, faults."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from mockgraph import create_app
from mockgraph.core.config import DEFAULT_TENANT_ID
from mockgraph.web.state import state_of
from tests.support import assert_graph_error, basic_auth, client_credentials_form, connector_body

APP_ID = "ad000000-0000-4000-8000-0000000000a4"
APP_SECRET = "admin-test-secret-6c2e"
APP = {"clientId": APP_ID, "clientSecret": APP_SECRET}
BODY = connector_body("Seeded", "https://api.example.com/x", basic_auth(password="seeded-password-1"))


def _token(app: Flask, client_id: str, secret: str) -> int:
    response = app.test_client().post(
        f"/{DEFAULT_TENANT_ID}/oauth2/v2.0/token", data=client_credentials_form(client_id, secret)
    )
    return response.status_code


def seeded_client() -> FlaskClient:
    """A client of a fresh app seeded, through the admin API, with the app ``APP`` and the connector ``BODY``."""
    client = create_app().test_client()
    assert client.post("/_mockgraph/seed", json={"apps": [APP], "connectors": [BODY]}).status_code == 200
    return client


def test_non_loopback_callers_get_graphs_403() -> None:
    client = create_app().test_client()
    for method, path in [("GET", "health"), ("POST", "reset"), ("GET", "snapshot"), ("PUT", "faults")]:
        response = client.open(
            f"/_mockgraph/{path}", method=method, environ_base={"REMOTE_ADDR": "192.0.2.10"}
        )
        assert_graph_error(response, 403, "Authorization_RequestDenied")
    ipv6 = client.get("/_mockgraph/health", environ_base={"REMOTE_ADDR": "::1"})
    assert ipv6.status_code == 200


def test_seed_adds_apps_that_can_sign_in_and_connectors() -> None:
    app = create_app()
    client = app.test_client()
    assert _token(app, APP_ID, APP_SECRET) >= 400  # unknown before the seed
    seeded = client.post(
        "/_mockgraph/seed",
        json={"apps": [APP], "connectors": [BODY, BODY]},
    )
    assert seeded.status_code == 200
    assert seeded.get_json()["added"] == {"tenants": 0, "apps": 1, "users": 0, "objects": 2}
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
        assert_graph_error(response, 400, None)
    assert client.get("/_mockgraph/snapshot").get_json()["data"] == {}


def test_snapshot_redacts_unless_asked_and_round_trips() -> None:
    client = seeded_client()
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
    client = seeded_client()
    client.put("/_mockgraph/faults", json={"rules": [{"status": 503, "count": 1}]})
    assert client.post("/_mockgraph/reset").status_code == 204
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
    assert client.delete("/_mockgraph/journal").status_code == 204
    bad = client.put("/_mockgraph/faults", json={"rules": [{"status": 200}]})
    assert bad.status_code == 400
    good = client.put("/_mockgraph/faults", json={"rules": [{"operation": "*", "status": 429, "count": 1}]})
    assert good.get_json()["rules"][0]["status"] == 429
    assert client.delete("/_mockgraph/faults").status_code == 204
    assert client.get("/_mockgraph/faults").get_json() == {"rules": []}


def test_missing_journal_or_faults_is_501() -> None:
    app = create_app()
    state_of(app).extras.clear()
    client = app.test_client()
    for method, path in [("GET", "journal"), ("DELETE", "journal"), ("GET", "faults"), ("PUT", "faults")]:
        response = client.open(f"/_mockgraph/{path}", method=method, json={"rules": []})
        assert_graph_error(response, 501, "NotImplemented")
    assert client.post("/_mockgraph/reset").status_code == 204
