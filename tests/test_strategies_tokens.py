"""For every generated token, the emulator's decision equals an oracle written here from the reference.

The oracle follows section 2 of the reference (the permission table, Read.All for reads as observed on the
live service, the Entra roles for delegated calls, personal accounts not supported) and the decision ladder:
401 for bad tokens, then personal account, then permission, then directory role. It deliberately does not
import the emulator's own permission table, so the two are independent statements of the same rules.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockgraph import create_app, make_pkcs12
from mockgraph import strategies as mgst
from mockgraph.identity import mint_token
from mockgraph.web.state import state_of
from tests.support import assert_graph_error, connector_body

READ_ALL = "APIConnectors.Read.All"
READ_WRITE_ALL = "APIConnectors.ReadWrite.All"
EXTERNAL_ID_USER_FLOW_ADMINISTRATOR = "6e591065-9bad-43ed-90f3-e9424366d2f0"
GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
PERSONAL_ACCOUNT_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"
COLLECTION = "/beta/identity/apiConnectors"
BASIC = connector_body("oracle", "https://oracle.example/api")
CERTIFICATE = make_pkcs12(key_type="ec")

# operation -> (method, path template, body, success status, is a read)
OPERATIONS: dict[str, tuple[str, str, dict[str, Any] | None, int, bool]] = {
    "list": ("GET", COLLECTION, None, 200, True),
    "count": ("GET", f"{COLLECTION}/$count", None, 200, True),
    "get": ("GET", f"{COLLECTION}/{{id}}", None, 200, True),
    "create": ("POST", COLLECTION, BASIC, 201, False),
    "update": ("PATCH", f"{COLLECTION}/{{id}}", {"displayName": "renamed"}, 204, False),
    "delete": ("DELETE", f"{COLLECTION}/{{id}}", None, 204, False),
    "upload": (
        "POST",
        f"{COLLECTION}/{{id}}/uploadClientCertificate",
        {"pkcs12Value": CERTIFICATE.base64, "password": ""},
        200,
        False,
    ),
}


def oracle(claims: dict[str, Any], operation: str) -> tuple[int, str | None]:
    """The status and error code Graph gives this token for this operation (reference section 2)."""
    success, is_read = OPERATIONS[operation][3], OPERATIONS[operation][4]
    accepted = {READ_ALL, READ_WRITE_ALL} if is_read else {READ_WRITE_ALL}
    if claims["tid"] == PERSONAL_ACCOUNT_TENANT:
        return 403, "Authorization_RequestDenied"
    if claims["idtyp"] == "app":
        return (success, None) if accepted & set(claims.get("roles", [])) else (403, "AADB2C")
    has_scope = bool(accepted & set(claims.get("scp", "").split()))
    has_role = bool({EXTERNAL_ID_USER_FLOW_ADMINISTRATOR, GLOBAL_ADMINISTRATOR} & set(claims.get("wids", [])))
    return (success, None) if has_scope and has_role else (403, "Authorization_RequestDenied")


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app()  # enforce: every check Graph makes


def call(app: Flask, operation: str, headers: dict[str, str]) -> tuple[Any, Any, Any]:
    """Seed one connector, make the call, and return (response, store before, store after)."""
    state = state_of(app)
    state.store.reset()
    client: FlaskClient = app.test_client()
    seeded = client.post(COLLECTION, json=BASIC, headers={"Authorization": f"Bearer {mint_token()}"})
    assert seeded.status_code == 201
    method, template, body, _, _ = OPERATIONS[operation]
    before = state.store.dump()
    response = client.open(
        template.format(id=seeded.get_json()["id"]), method=method, json=body, headers=headers
    )
    return response, before, state.store.dump()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=mgst.access_tokens(), operation=st.sampled_from(sorted(OPERATIONS)))
def test_every_token_gets_the_oracles_decision(
    app: Flask, token: mgst.GeneratedToken, operation: str
) -> None:
    response, before, after = call(app, operation, {"Authorization": token.authorization})
    status, code = oracle(token.claims, operation)
    assert response.status_code == status, (token.claims, operation, response.get_data(as_text=True))
    if code is not None:
        assert_graph_error(response, status, code)
        assert after == before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=mgst.invalid_authorizations(), operation=st.sampled_from(sorted(OPERATIONS)))
def test_every_bad_credential_is_refused_and_changes_nothing(
    app: Flask, bad: mgst.InvalidAuthorization, operation: str
) -> None:
    response, before, after = call(app, operation, bad.headers())
    assert after == before
    if bad.kind is mgst.InvalidTokenKind.PERSONAL_ACCOUNT:
        assert_graph_error(response, 403, "Authorization_RequestDenied")
    else:
        assert_graph_error(response, 401, "InvalidAuthenticationToken")
        assert response.headers["WWW-Authenticate"].startswith("Bearer ")


@pytest.mark.parametrize("kind", list(mgst.InvalidTokenKind))
def test_each_bad_token_kind_can_be_asked_for_alone(kind: mgst.InvalidTokenKind) -> None:
    @settings(max_examples=3, deadline=None)
    @given(mgst.invalid_authorizations(kind=kind))
    def check(bad: mgst.InvalidAuthorization) -> None:
        assert bad.kind is kind
        assert (bad.header is None) is (kind is mgst.InvalidTokenKind.MISSING)
        if bad.header and len(bad.header) > 20:
            assert bad.header not in repr(bad)  # a failing example never prints the token

    check()


def test_the_token_kinds_cover_every_bad_token_the_identity_api_mints() -> None:
    from mockgraph.identity import BadToken

    assert {bad.value for bad in BadToken} <= {kind.value for kind in mgst.InvalidTokenKind}


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
@pytest.mark.parametrize("allowed", [True, False])
def test_the_generated_tokens_reach_both_sides_of_every_decision(
    app: Flask, operation: str, allowed: bool
) -> None:
    from hypothesis import find

    success = OPERATIONS[operation][3]
    token = find(mgst.access_tokens(), lambda t: (oracle(t.claims, operation)[0] == success) is allowed)
    response, _, _ = call(app, operation, {"Authorization": token.authorization})
    assert (response.status_code == success) is allowed
