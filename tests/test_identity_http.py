"""The decision ladder and tenant isolation through the real app, with real signed tokens, in each auth mode."""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import msal  # type: ignore[import-untyped]
import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient

from mockgraph import create_app
from mockgraph.core.config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_TENANT_ID,
    DEFAULT_USER_NAME,
    DEFAULT_USER_PASSWORD,
    GLOBAL_ADMINISTRATOR,
    READ_ALL,
    READ_WRITE_ALL,
    AppRegistration,
    MockGraphConfig,
    Tenant,
)
from mockgraph.core.errors import WWW_AUTHENTICATE
from mockgraph.core.principal import AuthMode
from mockgraph.identity import BadToken, mint_token
from tests.support import assert_graph_error, client_credentials_form, connector_body, password_form

TENANT_B = "b0b0b0b0-0000-4000-8000-000000000002"
APP_B = AppRegistration(
    client_id="tenant-b-app",
    client_secret="tenant-b-secret",
    tenant_id=TENANT_B,
    application_permissions=(READ_WRITE_ALL,),
)
COLLECTION = "/beta/identity/apiConnectors"
CONNECTOR = connector_body(target_url="https://api.example.com/endpoint")
INSUFFICIENT = "Insufficient privileges to complete the operation."
VALIDATION = "Access token validation failure."


def make_app(mode: AuthMode) -> Flask:
    config = MockGraphConfig(auth_mode=mode)
    return create_app(
        config.with_overrides(
            tenants=(*config.tenants, Tenant(TENANT_B, "b.example")), apps=(*config.apps, APP_B)
        )
    )


@pytest.fixture(params=list(AuthMode), ids=str)
def mode(request: pytest.FixtureRequest) -> AuthMode:
    return AuthMode(request.param)


@pytest.fixture
def client(mode: AuthMode) -> FlaskClient:
    return make_app(mode).test_client()


def auth(token: str | None) -> dict[str, str]:
    return {} if token is None else {"Authorization": f"Bearer {token}"}


# (name, token factory, request, expected per mode: (status, code, message prefix) or status only)
Row = tuple[str, Any, tuple[str, str], dict[AuthMode, Any]]
OK_GET = 200


def refused_unless_off(status: int, code: str, message: str) -> dict[AuthMode, Any]:
    """Permissive mode too refuses a request with no readable token; only ``off`` lets it through."""
    return {
        AuthMode.ENFORCE: (status, code, message),
        AuthMode.PERMISSIVE: (status, code, message),
        AuthMode.OFF: OK_GET,
    }


def refused_when_enforced(
    status: int, code: str, message: str, otherwise: int = OK_GET
) -> dict[AuthMode, Any]:
    """Only ``enforce`` refuses; permissive and off answer ``otherwise``."""
    return {
        AuthMode.ENFORCE: (status, code, message),
        AuthMode.PERMISSIVE: otherwise,
        AuthMode.OFF: otherwise,
    }


ROWS: list[Row] = [
    (
        "no token",
        lambda: None,
        ("GET", COLLECTION),
        refused_unless_off(401, "InvalidAuthenticationToken", "Access token is empty."),
    ),
    (
        "not a jwt",
        lambda: "opaque",
        ("GET", COLLECTION),
        refused_unless_off(401, "InvalidAuthenticationToken", "IDX14100"),
    ),
    (
        "undecodable",
        lambda: "x.y.z",
        ("GET", COLLECTION),
        refused_unless_off(401, "InvalidAuthenticationToken", "CompactToken parsing failed"),
    ),
    *[
        (
            f"bad token: {kind}",
            lambda kind=kind: mint_token(bad=kind),
            ("GET", COLLECTION),
            refused_when_enforced(401, "InvalidAuthenticationToken", message),
        )
        for kind, message in [
            (BadToken.EXPIRED, "Lifetime validation failed, the token is expired."),
            (BadToken.NOT_YET_VALID, "Access token has expired or is not yet valid."),
            (BadToken.WRONG_AUDIENCE, VALIDATION),
            (BadToken.WRONG_ISSUER, VALIDATION),
            (BadToken.ANOTHER_TENANT, VALIDATION),
            (BadToken.TAMPERED_SIGNATURE, VALIDATION),
            (BadToken.ALG_NONE, VALIDATION),
            (BadToken.UNKNOWN_KEY, VALIDATION),
        ]
    ],
    (
        "personal account",
        lambda: mint_token(bad=BadToken.PERSONAL_ACCOUNT),
        ("GET", COLLECTION),
        refused_when_enforced(403, "Authorization_RequestDenied", INSUFFICIENT),
    ),
    (
        "app without permission",
        lambda: mint_token(roles=["User.Read.All"]),
        ("GET", COLLECTION),
        refused_when_enforced(
            403,
            "AADB2C",
            "The application does not have any of the required application permissions "
            "(APIConnectors.Read.All, APIConnectors.ReadWrite.All) to access the resource.",
        ),
    ),
    (
        "app with read permission writes",
        lambda: mint_token(roles=[READ_ALL]),
        ("DELETE", f"{COLLECTION}/does-not-exist"),
        refused_when_enforced(
            403,
            "AADB2C",
            "The application does not have any of the required application permissions "
            "(APIConnectors.ReadWrite.All) to access the resource.",
            otherwise=404,
        ),
    ),
    (
        "app with read permission reads",
        lambda: mint_token(roles=[READ_ALL]),
        ("GET", COLLECTION),
        {mode: OK_GET for mode in AuthMode},
    ),
    (
        "user without scope",
        lambda: mint_token(kind="user", scp=["User.Read"]),
        ("GET", COLLECTION),
        refused_when_enforced(403, "Authorization_RequestDenied", INSUFFICIENT),
    ),
    (
        "user without role",
        lambda: mint_token(kind="user", wids=[]),
        ("GET", COLLECTION),
        refused_when_enforced(403, "Authorization_RequestDenied", INSUFFICIENT),
    ),
    (
        "user with scope and global administrator",
        lambda: mint_token(kind="user", wids=[GLOBAL_ADMINISTRATOR]),
        ("GET", COLLECTION),
        {mode: OK_GET for mode in AuthMode},
    ),
    (
        "app with everything",
        lambda: mint_token(),
        ("GET", COLLECTION),
        {mode: OK_GET for mode in AuthMode},
    ),
]


@pytest.mark.parametrize(("name", "token", "call", "expected"), ROWS, ids=[row[0] for row in ROWS])
def test_decision_ladder(
    client: FlaskClient,
    mode: AuthMode,
    name: str,
    token: Any,
    call: tuple[str, str],
    expected: dict[AuthMode, Any],
) -> None:
    method, path = call
    response = client.open(path, method=method, headers=auth(token()))
    want = expected[mode]
    if isinstance(want, int):
        assert response.status_code == want, response.get_data(as_text=True)
        return
    status, code, message = want
    assert assert_graph_error(response, status, code)["message"].startswith(message)
    assert response.headers["x-mockgraph-reason"]
    if status == 401:
        assert response.headers["WWW-Authenticate"] == WWW_AUTHENTICATE
    else:
        assert "WWW-Authenticate" not in response.headers


def test_expired_token_is_refused_even_after_it_was_accepted_once() -> None:
    clock = [0.0]
    app = make_app(AuthMode.ENFORCE)
    from mockgraph.web.state import state_of

    gatekeeper = state_of(app).gatekeeper
    real_time = gatekeeper.verifier._clock
    gatekeeper.verifier._clock = lambda: real_time() + clock[0]
    client = app.test_client()
    token = mint_token(lifetime=60)
    assert client.get(COLLECTION, headers=auth(token)).status_code == 200
    clock[0] = 60 + 301
    response = client.get(COLLECTION, headers=auth(token))
    assert_graph_error(
        response, 401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."
    )


# Tokens from the emulator's own token endpoint ------------------------------------------------------


def test_token_endpoint_tokens_work_against_graph_in_enforce() -> None:
    client = make_app(AuthMode.ENFORCE).test_client()
    token_url = f"/{DEFAULT_TENANT_ID}/oauth2/v2.0/token"
    app_token = (client.post(token_url, data=client_credentials_form()).json or {})["access_token"]
    created = client.post(COLLECTION, json=CONNECTOR, headers=auth(app_token))
    assert created.status_code == 201, created.get_data(as_text=True)
    user_token = (client.post(token_url, data=password_form()).json or {})["access_token"]
    listed = client.get(COLLECTION, headers=auth(user_token)).json or {}
    assert [c["id"] for c in listed["value"]] == [(created.json or {})["id"]]


def test_msal_gets_tokens_from_the_emulator_without_network() -> None:
    """MSAL (instance discovery off) reads discovery, user realm and the token endpoint, all in-process."""
    app = make_app(AuthMode.ENFORCE)
    client = app.test_client()
    authority = f"https://login.microsoftonline.com/{DEFAULT_TENANT_ID}"

    def forward(request: Any) -> tuple[int, dict[str, str], bytes]:
        response = client.open(
            request.path_url,
            method=request.method,
            headers=dict(request.headers),
            data=request.body,
            base_url="https://login.microsoftonline.com",
        )
        return response.status_code, {"Content-Type": response.content_type}, response.get_data()

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        for method in ("GET", "POST"):
            mock.add_callback(method, re.compile(r"https://login\.microsoftonline\.com/.*"), callback=forward)
        confidential = msal.ConfidentialClientApplication(
            DEFAULT_CLIENT_ID,
            client_credential=DEFAULT_CLIENT_SECRET,
            authority=authority,
            instance_discovery=False,
        )
        app_result = confidential.acquire_token_for_client(scopes=["https://graph.microsoft.com/.default"])
        public = msal.PublicClientApplication(
            DEFAULT_CLIENT_ID, authority=authority, instance_discovery=False
        )
        with warnings.catch_warnings():
            # MSAL marks the password grant deprecated; the emulator still serves it.
            warnings.simplefilter("ignore", DeprecationWarning)
            user_result = public.acquire_token_by_username_password(
                DEFAULT_USER_NAME, DEFAULT_USER_PASSWORD, scopes=["https://graph.microsoft.com/.default"]
            )
    assert "access_token" in app_result, app_result
    assert "access_token" in user_result, user_result
    assert client.get(COLLECTION, headers=auth(app_result["access_token"])).status_code == 200
    assert client.get(COLLECTION, headers=auth(user_result["access_token"])).status_code == 200
    assert user_result["id_token_claims"]["preferred_username"] == DEFAULT_USER_NAME


# Tenant isolation ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", list(AuthMode), ids=str)
def test_no_cross_tenant_read_or_write(mode: AuthMode) -> None:
    client = make_app(mode).test_client()
    token_a = mint_token()
    token_b = mint_token(tenant_id=TENANT_B, app_id=APP_B.client_id)
    created = client.post(COLLECTION, json=CONNECTOR, headers=auth(token_a))
    assert created.status_code == 201, created.get_data(as_text=True)
    connector_id = (created.json or {})["id"]
    item = f"{COLLECTION}/{connector_id}"

    # Tenant B sees nothing of A: no list entry, no count, and every item operation is 404.
    assert (client.get(COLLECTION, headers=auth(token_b)).json or {})["value"] == []
    assert client.get(f"{COLLECTION}/$count", headers=auth(token_b)).get_data(as_text=True) == "0"
    assert client.get(item, headers=auth(token_b)).status_code == 404
    patch = client.patch(item, json={"displayName": "hijacked"}, headers=auth(token_b))
    assert patch.status_code == 404
    assert client.delete(item, headers=auth(token_b)).status_code == 404

    # B's own connector stays B's; A's list never mixes it in, and A's connector is untouched.
    created_b = client.post(COLLECTION, json={**CONNECTOR, "displayName": "B's"}, headers=auth(token_b))
    assert created_b.status_code == 201
    listed_a = client.get(COLLECTION, headers=auth(token_a)).json or {}
    assert [(c["id"], c["displayName"]) for c in listed_a["value"]] == [(connector_id, "Test API")]
    listed_b = client.get(COLLECTION, headers=auth(token_b)).json or {}
    assert [c["displayName"] for c in listed_b["value"]] == ["B's"]
    assert client.get(item, headers=auth(token_a)).status_code == 200


def test_off_mode_without_token_acts_in_the_default_tenant() -> None:
    client = make_app(AuthMode.OFF).test_client()
    created = client.post(COLLECTION, json=CONNECTOR)
    assert created.status_code == 201
    listed = client.get(COLLECTION, headers=auth(mint_token())).json or {}
    assert len(listed["value"]) == 1
    assert json.dumps(listed).count("Test API") == 1


# Which apps accept whose tokens: one signing key per key configuration --------------------------------


def endpoint_token(app: Flask) -> str:
    """An app token from ``app``'s own Entra token endpoint (client credentials, the default app)."""
    form = {
        "grant_type": "client_credentials",
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
        "scope": "https://graph.microsoft.com/.default",
    }
    response = app.test_client().post(f"/{DEFAULT_TENANT_ID}/oauth2/v2.0/token", data=form)
    assert response.status_code == 200, response.get_data(as_text=True)
    token: str = (response.json or {})["access_token"]
    return token


def list_status(app: Flask, token: str) -> int:
    return app.test_client().get(COLLECTION, headers=auth(token)).status_code


def test_a_token_is_refused_by_an_app_with_another_key_file(tmp_path: Path) -> None:
    one = create_app({"signing_key_path": tmp_path / "one" / "key.pem"})
    other = create_app({"signing_key_path": tmp_path / "other" / "key.pem"})
    default = create_app()
    token = endpoint_token(one)
    assert list_status(one, token) == 200
    assert list_status(other, token) == 401
    assert list_status(default, token) == 401
    assert list_status(one, endpoint_token(default)) == 401
    assert list_status(one, mint_token()) == 401  # the development key is not this app's key


def test_a_token_is_accepted_by_every_app_with_the_same_key_file(tmp_path: Path) -> None:
    path = tmp_path / "shared.pem"
    first = create_app({"signing_key_path": path})
    second = create_app({"signing_key_path": path, "connector_limit": 1})  # other settings, same key
    assert list_status(second, endpoint_token(first)) == 200
    assert list_status(first, endpoint_token(second)) == 200
    assert list_status(first, mint_token(signing_key_path=path)) == 200


def test_apps_without_a_key_file_share_the_development_key() -> None:
    # As every Entra tenant's tokens carry one key set's signatures: the tenant decides, not the key.
    first, second = create_app(), create_app({"connector_limit": 1})
    assert list_status(second, endpoint_token(first)) == 200
    assert list_status(first, mint_token()) == 200
    elsewhere = create_app({"tenants": (Tenant(TENANT_B, "b.example"),), "apps": (APP_B,), "users": ()})
    assert list_status(elsewhere, endpoint_token(first)) == 401  # signed right, but not its tenant
