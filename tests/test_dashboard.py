"""The dashboard at /_mockgraph/ through the Flask test client: pages without JavaScript, the decision shown for
each kind of answer, the filters, and the protections (loopback, CSRF token, no framing or inline script).

The same pages in a real browser, actions included, are in test_dashboard_browser.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockgraph import create_app, make_pkcs12
from mockgraph.admin import guard
from mockgraph.admin.dashboard import CONTENT_SECURITY_POLICY
from mockgraph.admin.dashboard.explain import json_pointer
from mockgraph.core.config import (
    DEFAULT_CLIENT_SECRET,
    DEFAULT_TENANT_ID,
    DEFAULT_USER_PASSWORD,
    GLOBAL_ADMINISTRATOR,
    READ_WRITE_ALL,
)
from mockgraph.web.state import state_of
from tests.support import basic_auth, connector_body, pkcs12_auth

CONNECTORS = "/beta/identity/apiConnectors"
OTHER_TENANT = "b7c0ffee-0000-4000-8000-0000000000f2"
PAGES = (
    "/_mockgraph/",
    "/_mockgraph/dashboard/state",
    "/_mockgraph/dashboard/actions",
    "/_mockgraph/dashboard/live/requests",
    "/_mockgraph/dashboard/live/state",
    "/_mockgraph/dashboard/live/faults",
)
DEFAULT_SECRETS = (DEFAULT_CLIENT_SECRET, DEFAULT_USER_PASSWORD)
FILES = ("/_mockgraph/dashboard/static/dashboard.js", "/_mockgraph/dashboard/static/dashboard.css")


def enforcing_app() -> Flask:
    return create_app({"auth_mode": "enforce"})


def bearer(app: Flask, **claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {state_of(app).gatekeeper.tokens.mint(**claims)}"}


def text_of(html: str) -> str:
    """The page's text with tags removed and entities decoded, whitespace collapsed."""
    parser = _Text()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


class _Markup(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def decision_rows(client: FlaskClient, query: str = "") -> list[str]:
    """The Requests page's rows as text, newest first."""
    html = client.get(f"/_mockgraph/{query}").get_data(as_text=True)
    rows = re.findall(r"<tr class=\"verdict-.*?</tr>", html, re.S)
    return [text_of(row) for row in rows]


def detail(client: FlaskClient, request_id: str) -> str:
    response = client.get(f"/_mockgraph/dashboard/requests/{request_id}")
    assert response.status_code == 200
    return text_of(response.get_data(as_text=True))


# Pages without JavaScript ---------------------------------------------------------------------------------


def test_the_requests_and_state_pages_are_plain_html_that_needs_no_script() -> None:
    app = enforcing_app()
    client = app.test_client()
    pfx = make_pkcs12(password="pfx-password-never-shown")
    headers = bearer(app)
    basic = client.post(
        CONNECTORS,
        json=connector_body("Basic API", auth=basic_auth("svc", "pw-never-shown")),
        headers=headers,
    )
    cert = client.post(CONNECTORS, json=connector_body("Cert API", auth=pkcs12_auth(pfx)), headers=headers)
    client.post(
        "/beta/identity/b2cUserFlows",
        json={"id": "SignUp", "userFlowType": "signUp", "userFlowTypeVersion": 3},
        headers=headers,
    )
    step = "/beta/identity/b2cUserFlows/B2C_1_SignUp/apiConnectorConfiguration/postAttributeCollection/$ref"
    linked = client.put(step, json={"@odata.id": cert.get_json()["id"]}, headers=headers)
    assert (basic.status_code, cert.status_code, linked.status_code) == (201, 201, 204)

    rows = decision_rows(client)
    assert len(rows) == 4
    assert "POST /beta/identity/apiConnectors 201" in rows[-1]
    state = text_of(client.get("/_mockgraph/dashboard/state").get_data(as_text=True))
    assert f"Tenant {DEFAULT_TENANT_ID}" in state
    assert "Basic API" in state
    assert "basic · svc / ******" in state
    assert f"{pfx.facts.thumbprint}" in state
    assert "valid active" in state
    assert "B2C_1_SignUp" in state
    assert f"postAttributeCollection → Cert API {cert.get_json()['id']}" in state
    assert "postFederationSignup → none" in state
    assert "mockgraph default app" in state
    assert "User Flow Administrator" in state
    for page in (state, *rows):
        for secret in ("pw-never-shown", "pfx-password-never-shown", pfx.base64[:40], *DEFAULT_SECRETS):
            assert secret not in page


def test_a_request_no_longer_in_the_journal_is_a_404_page() -> None:
    client = create_app({"auth_mode": "off"}).test_client()
    response = client.get("/_mockgraph/dashboard/requests/0b5e0000-0000-4000-8000-000000000000")
    assert response.status_code == 404
    assert "Not in the journal" in response.get_data(as_text=True)


# Decisions ------------------------------------------------------------------------------------------------


def test_each_answer_names_the_rule_that_decided_it() -> None:
    app = enforcing_app()
    client = app.test_client()
    allowed = client.get(CONNECTORS, headers=bearer(app))
    anonymous = client.get(CONNECTORS)
    unprivileged = client.get(CONNECTORS, headers=bearer(app, roles=["User.Read.All"]))
    delegated = client.get(
        CONNECTORS, headers=bearer(app, kind="user", scp=READ_WRITE_ALL, wids=[GLOBAL_ADMINISTRATOR])
    )
    no_password = connector_body(
        auth={"@odata.type": "#microsoft.graph.basicAuthentication", "username": "u"}
    )
    broken = client.post(CONNECTORS, json=no_password, headers=bearer(app))
    assert [r.status_code for r in (allowed, anonymous, unprivileged, delegated, broken)] == [
        200,
        401,
        403,
        200,
        400,
    ]
    rows = decision_rows(client)
    assert "allowed: the roles claim holds APIConnectors.ReadWrite.All" in rows[4]
    assert "not authenticated: no Authorization header" in rows[3]
    assert "refused: roles claim holds none of APIConnectors.Read.All, APIConnectors.ReadWrite.All" in rows[2]
    assert "roles: User.Read.All" in rows[2]
    assert "allowed: scp holds APIConnectors.ReadWrite.All and wids holds Global Administrator" in rows[1]
    assert (
        "the body breaks the contract identityApiConnectorCreate (required at /authenticationConfiguration): "
        "The property 'password' is required on 'authenticationConfiguration' and was not provided."
    ) in rows[0]
    page = detail(client, unprivileged.headers["request-id"])
    assert "LIST_CONNECTORS accepts any one application permission of APIConnectors.Read.All" in page


def test_a_fired_fault_rule_is_named_and_the_permission_check_did_not_run() -> None:
    app = enforcing_app()
    client = app.test_client()
    state_of(app).faults.fail_next(1, status=429, operation="LIST_CONNECTORS")
    throttled = client.get(CONNECTORS, headers=bearer(app))
    assert throttled.status_code == 429
    page = detail(client, throttled.headers["request-id"])
    assert "fault rule #0 (next 1 call(s)) answered 429 before the operation ran" in page
    assert "not checked: a fault rule answered first" in page
    assert decision_rows(client)[0].endswith(
        "fault rule #0 (next 1 call(s)) answered 429 before the operation ran"
    )


def test_a_404_says_where_the_object_is_instead() -> None:
    app = enforcing_app()
    client = app.test_client()
    seeded = client.post(
        "/_mockgraph/seed",
        json={
            "tenants": [{"tenantId": OTHER_TENANT}],
            "connectors": {OTHER_TENANT: [connector_body("Elsewhere")]},
        },
    )
    assert seeded.status_code == 200
    other_id = state_of(app).store.list(OTHER_TENANT, "apiConnectors")[0]["id"]
    mine = client.post(CONNECTORS, json=connector_body("Mine"), headers=bearer(app)).get_json()["id"]
    wrong_tenant = client.get(f"{CONNECTORS}/{other_id}", headers=bearer(app))
    typo = client.get(f"{CONNECTORS}/{mine[:-1]}x", headers=bearer(app))
    assert (wrong_tenant.status_code, typo.status_code) == (404, 404)
    assert (
        f"apiConnectors '{other_id}' exists in tenant {OTHER_TENANT}, not in the caller's {DEFAULT_TENANT_ID}"
        in detail(client, wrong_tenant.headers["request-id"])
    )
    assert f"similar ids there: {mine}" in detail(client, typo.headers["request-id"])


def test_a_path_no_operation_serves_lists_the_nearest_operations() -> None:
    app = enforcing_app()
    client = app.test_client()
    response = client.get("/beta/identity/apiConnector", headers=bearer(app))
    assert response.status_code == 400
    page = detail(client, response.headers["request-id"])
    assert "unknown segment 'apiConnector'" in page
    assert (
        "near miss GET /beta/identity/apiConnectors (LIST_CONNECTORS): path is /beta/identity/apiConnector, "
        "not /beta/identity/apiConnectors"
    ) in page


def test_permissive_mode_says_permissions_were_not_checked() -> None:
    app = create_app({"auth_mode": "permissive"})
    client = app.test_client()
    client.get(CONNECTORS, headers=bearer(app, roles=[]))
    assert "not checked: auth mode is permissive" in decision_rows(client)[0]


@pytest.mark.parametrize(
    ("dotted", "pointer"),
    [
        ("(body)", ""),
        ("authenticationConfiguration", "/authenticationConfiguration"),
        ("authenticationConfiguration.@odata.type", "/authenticationConfiguration/@odata.type"),
        ("value.0.id", "/value/0/id"),
        ("a/b.c~d", "/a~1b/c~0d"),
    ],
)
def test_reasons_dotted_paths_become_json_pointers(dotted: str, pointer: str) -> None:
    assert json_pointer(dotted) == pointer


# Filters --------------------------------------------------------------------------------------------------


def test_the_list_filters_by_status_tenant_and_operation() -> None:
    app = enforcing_app()
    client = app.test_client()
    client.post("/_mockgraph/seed", json={"tenants": [{"tenantId": OTHER_TENANT}]})
    client.get(CONNECTORS, headers=bearer(app))
    client.get(CONNECTORS, headers=bearer(app, tenant_id=OTHER_TENANT))
    client.get(f"{CONNECTORS}/missing", headers=bearer(app))
    client.get("/beta/identity/b2cUserFlows", headers=bearer(app))
    assert len(decision_rows(client)) == 5
    assert [r.split()[2] for r in decision_rows(client, "?status=4xx")] == [f"{CONNECTORS}/missing"]
    assert len(decision_rows(client, "?status=404")) == 1
    assert len(decision_rows(client, "?status=2xx")) == 4
    other = decision_rows(client, f"?tenant={OTHER_TENANT.upper()}")
    assert len(other) == 1
    assert "b7c0ffee…00f2" in other[0]
    by_name = decision_rows(client, "?operation=LIST_CONNECTORS")
    by_id = decision_rows(client, "?operation=identity_ListApiConnector")
    assert len(by_name) == len(by_id) == 2
    assert len(decision_rows(client, "?status=nonsense")) == 5  # unreadable: no filter


def test_the_list_shows_the_newest_entries_and_says_how_many_match() -> None:
    client = create_app({"auth_mode": "off"}).test_client()
    for index in range(205):
        client.get(f"{CONNECTORS}?$top={index + 1}")
    html = client.get("/_mockgraph/").get_data(as_text=True)
    rows = decision_rows(client)
    assert len(rows) == 200
    assert "$top=205" in rows[0]
    assert "Showing the newest 200 of 205" in text_of(html)


# Protections ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES + FILES)
def test_every_dashboard_response_forbids_framing_sniffing_and_referrers(path: str) -> None:
    response = create_app({"auth_mode": "off"}).test_client().get(path)
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY  # no 'unsafe-inline', no other origin
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", PAGES)
def test_pages_hold_no_inline_script_style_or_outside_resource(path: str) -> None:
    app = create_app({"auth_mode": "off"})
    client = app.test_client()
    client.post(CONNECTORS, json=connector_body())
    parser = _Markup()
    parser.feed(client.get(path).get_data(as_text=True))
    assert parser.tags
    for tag, attributes in parser.tags:
        assert tag != "style"
        assert "style" not in attributes, tag
        assert not [name for name in attributes if name.startswith("on")], (tag, attributes)
        if tag == "script":
            assert attributes.get("src") == "/_mockgraph/dashboard/static/dashboard.js"
        for name in ("src", "href", "action"):
            value = attributes.get(name)
            if value is not None:
                assert value.startswith("/_mockgraph/") or value == "data:,", (tag, name, value)


def test_the_page_carries_its_apps_own_csrf_token() -> None:
    first, second = create_app({"auth_mode": "off"}), create_app({"auth_mode": "off"})
    tokens = []
    for app in (first, second):
        html = app.test_client().get("/_mockgraph/").get_data(as_text=True)
        found = re.search(r'<meta name="mockgraph-csrf" content="([^"]+)">', html)
        assert found is not None
        assert found.group(1) == guard.csrf_token(app)
        tokens.append(found.group(1))
    assert tokens[0] != tokens[1]
    assert len(tokens[0]) >= 40  # 32 random bytes


@pytest.mark.parametrize("path", PAGES + FILES)
def test_callers_on_another_machine_get_no_page(path: str) -> None:
    client = create_app({"auth_mode": "off"}).test_client()
    response = client.get(path, environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert response.status_code == 403
    assert "dashboard" not in response.get_data(as_text=True)


def test_admin_changes_from_another_origin_or_with_a_wrong_token_are_refused() -> None:
    app = create_app({"auth_mode": "off"})
    client = app.test_client()
    token = guard.csrf_token(app)
    client.post(CONNECTORS, json=connector_body())
    foreign = client.post("/_mockgraph/reset", headers={"Origin": "https://evil.example"})
    wrong = client.post("/_mockgraph/reset", headers={"X-MockGraph-CSRF": token[:-1] + "x"})
    fault = client.put(
        "/_mockgraph/faults",
        json={"rules": [{"status": 503, "count": 1}]},
        headers={"Origin": "http://evil.example", "X-MockGraph-CSRF": token},
    )
    assert [r.status_code for r in (foreign, wrong, fault)] == [403, 403, 403]
    assert state_of(app).store.count(DEFAULT_TENANT_ID, "apiConnectors") == 1
    assert not state_of(app).faults.active
    same_origin = client.post(
        "/_mockgraph/reset", headers={"Origin": "http://localhost", "X-MockGraph-CSRF": token}
    )
    assert same_origin.status_code == 204
    assert state_of(app).store.count(DEFAULT_TENANT_ID, "apiConnectors") == 0


def test_the_dashboard_reads_the_journal_without_adding_to_it() -> None:
    app = create_app({"auth_mode": "off"})
    client = app.test_client()
    client.get(CONNECTORS)
    for path in PAGES + FILES:
        client.get(path)
    journal = state_of(app).journal
    assert [e.path for e in journal.entries()] == [CONNECTORS]
    client.delete("/_mockgraph/faults")  # the admin API itself is journaled, as before
    assert [e.path for e in journal.entries()] == [CONNECTORS, "/_mockgraph/faults"]
