"""Units for the decision ladder, the auth modes and the permission table (no Flask)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from mockgraph.core.config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_TENANT_ID,
    EXTERNAL_ID_USER_FLOW_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
    READ_ALL,
    READ_WRITE_ALL,
    MockGraphConfig,
    Tenant,
)
from mockgraph.core.errors import (
    WWW_AUTHENTICATE,
    AuthorizationDenied,
    GraphError,
    InvalidAuthenticationToken,
    MissingApplicationPermission,
)
from mockgraph.core.operations import Operation, Permissions
from mockgraph.core.principal import AuthMode, Principal
from mockgraph.identity import BadToken, Gatekeeper, mint_token
from mockgraph.identity.permissions import PERSONAL_ACCOUNT_TENANT_ID, render_markdown
from mockgraph.resources import CATALOG
from mockgraph.resources.connectors.table import TABLE as CONNECTORS

READS = tuple(CONNECTORS[name] for name in ("LIST_CONNECTORS", "GET_CONNECTOR", "COUNT_CONNECTORS"))
WRITES = tuple(
    CONNECTORS[name]
    for name in ("CREATE_CONNECTOR", "UPDATE_CONNECTOR", "DELETE_CONNECTOR", "UPLOAD_CERTIFICATE")
)
LIST_CONNECTORS = CONNECTORS["LIST_CONNECTORS"]
INSUFFICIENT = "Insufficient privileges to complete the operation."


def gatekeeper(mode: AuthMode = AuthMode.ENFORCE, **changes: Any) -> Gatekeeper:
    return Gatekeeper(MockGraphConfig(auth_mode=mode, **changes), catalog=CATALOG)


def bearer(token: str) -> str:
    return f"Bearer {token}"


def refusal(gk: Gatekeeper, token: str | None, operation: Operation = LIST_CONNECTORS) -> GraphError:
    with pytest.raises(GraphError) as caught:
        gk.authorize(gk.authenticate(token), operation)
    assert caught.value.reason, "every refusal names its reason"
    return caught.value


# Permission table -----------------------------------------------------------------------------


def test_every_operation_accepts_some_permission() -> None:
    assert CATALOG.operations
    for operation in CATALOG:
        assert operation.allow.application, operation.name
        assert operation.allow.delegated, operation.name
        assert operation.allow.roles, operation.name


@pytest.mark.parametrize("operation", READS)
def test_reads_accept_read_or_readwrite(operation: Operation) -> None:
    row = operation.allow
    assert row.application == (READ_ALL, READ_WRITE_ALL)
    assert row.delegated == (READ_ALL, READ_WRITE_ALL)


@pytest.mark.parametrize("operation", WRITES)
def test_writes_need_readwrite(operation: Operation) -> None:
    row = operation.allow
    assert row.application == (READ_WRITE_ALL,)
    assert row.delegated == (READ_WRITE_ALL,)
    assert set(row.roles) == {EXTERNAL_ID_USER_FLOW_ADMINISTRATOR, GLOBAL_ADMINISTRATOR}


def test_markdown_names_every_operation_and_role() -> None:
    text = render_markdown(CATALOG)
    for operation in CATALOG:
        assert f"`{operation.id}`" in text
    assert "External ID User Flow Administrator (`6e591065-9bad-43ed-90f3-e9424366d2f0`)" in text
    assert text.count("\n") == len(CATALOG.operations) + 2


def test_fidelity_doc_contains_the_rendered_table() -> None:
    doc = Path(__file__).resolve().parents[1] / "docs" / "fidelity.md"
    assert render_markdown(CATALOG) in doc.read_text(encoding="utf-8")


# Rung 1: authentication -------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "", "   ", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz"])
@pytest.mark.parametrize("mode", [AuthMode.ENFORCE, AuthMode.PERMISSIVE])
def test_no_bearer_token_is_empty(header: str | None, mode: AuthMode) -> None:
    error = refusal(gatekeeper(mode), header)
    assert isinstance(error, InvalidAuthenticationToken)
    assert (error.status, error.code, error.message) == (
        401,
        "InvalidAuthenticationToken",
        "Access token is empty.",
    )
    assert error.headers == {"WWW-Authenticate": WWW_AUTHENTICATE}


@pytest.mark.parametrize("mode", [AuthMode.ENFORCE, AuthMode.PERMISSIVE])
def test_token_without_dots_gets_idx14100(mode: AuthMode) -> None:
    error = refusal(gatekeeper(mode), "Bearer abcdef")
    assert error.status == 401
    assert error.message.startswith("IDX14100: JWT is not well formed, there are no dots (.).\n")


@pytest.mark.parametrize("mode", [AuthMode.ENFORCE, AuthMode.PERMISSIVE])
def test_undecodable_token_gets_compact_token_failure(mode: AuthMode) -> None:
    error = refusal(gatekeeper(mode), "Bearer not.a.jwt")
    assert (error.status, error.message) == (401, "CompactToken parsing failed with error code: 80049217")


BAD_401 = {
    BadToken.EXPIRED: ("Lifetime validation failed, the token is expired.", "exp"),
    BadToken.NOT_YET_VALID: ("Access token has expired or is not yet valid.", "nbf"),
    BadToken.WRONG_AUDIENCE: ("Access token validation failure.", "aud"),
    BadToken.WRONG_ISSUER: ("Access token validation failure.", "iss"),
    BadToken.ANOTHER_TENANT: ("Access token validation failure.", "tid"),
    BadToken.TAMPERED_SIGNATURE: ("Access token validation failure.", "signature"),
    BadToken.ALG_NONE: ("Access token validation failure.", "alg"),
    BadToken.UNKNOWN_KEY: ("Access token validation failure.", "kid"),
}


@pytest.mark.parametrize("kind", list(BAD_401))
def test_enforce_refuses_bad_tokens_with_401(kind: BadToken) -> None:
    error = refusal(gatekeeper(), bearer(mint_token(bad=kind)))
    message, claim = BAD_401[kind]
    assert isinstance(error, InvalidAuthenticationToken)
    assert (error.status, error.code, error.message) == (401, "InvalidAuthenticationToken", message)
    assert claim in (error.reason or "")
    assert error.headers["WWW-Authenticate"] == WWW_AUTHENTICATE


def test_tenant_registered_at_runtime_is_then_accepted() -> None:
    gk = gatekeeper()
    other = "11111111-2222-4333-8444-555555555555"
    token = bearer(mint_token(tenant_id=other))
    assert isinstance(refusal(gk, token), InvalidAuthenticationToken)
    gk.directory.add_tenant(Tenant(other, "other.example"))
    assert gk.authenticate(token).tenant_id == other


# Rungs 2 and 3: permission and role -------------------------------------------------------------


@pytest.mark.parametrize("operation", list(CATALOG), ids=lambda op: op.name)
def test_app_without_permission_gets_aadb2c_listing_what_the_operation_accepts(operation: Operation) -> None:
    error = refusal(gatekeeper(), bearer(mint_token(roles=["User.Read.All"])), operation)
    row = operation.allow
    assert isinstance(error, MissingApplicationPermission)
    assert (error.status, error.code) == (403, "AADB2C")
    assert error.message == (
        "The application does not have any of the required application permissions "
        f"({', '.join(row.application)}) to access the resource."
    )
    assert "roles" in (error.reason or "")


def test_read_message_lists_both_permissions_like_the_live_service() -> None:
    error = refusal(gatekeeper(), bearer(mint_token(roles=[])), LIST_CONNECTORS)
    assert "(APIConnectors.Read.All, APIConnectors.ReadWrite.All)" in error.message


@pytest.mark.parametrize("operation", READS)
def test_read_permission_allows_reads(operation: Operation) -> None:
    gk = gatekeeper()
    gk.authorize(gk.authenticate(bearer(mint_token(roles=[READ_ALL]))), operation)


@pytest.mark.parametrize("operation", WRITES)
def test_read_permission_does_not_allow_writes(operation: Operation) -> None:
    error = refusal(gatekeeper(), bearer(mint_token(roles=[READ_ALL])), operation)
    assert isinstance(error, MissingApplicationPermission)
    assert "(APIConnectors.ReadWrite.All)" in error.message


@pytest.mark.parametrize("operation", list(CATALOG), ids=lambda op: op.name)
def test_app_and_user_with_everything_pass(operation: Operation) -> None:
    gk = gatekeeper()
    # "Everything": every permission, scope and role the table accepts (user flows need IdentityUserFlow.*;
    # custom authentication extensions other roles than the default user's).
    roles, scp, wids = (
        CATALOG.application_permissions(),
        CATALOG.delegated_scopes(),
        CATALOG.directory_roles(),
    )
    gk.authorize(gk.authenticate(bearer(mint_token(roles=roles))), operation)
    gk.authorize(gk.authenticate(bearer(mint_token(kind="user", scp=scp, wids=wids))), operation)
    gk.authorize(
        gk.authenticate(bearer(mint_token(kind="user", scp=scp, wids=[GLOBAL_ADMINISTRATOR]))), operation
    )


def test_token_without_idtyp_and_scp_is_an_app_token() -> None:
    token = mint_token(extra_claims={"idtyp": None})
    principal = gatekeeper().authenticate(bearer(token))
    assert principal.kind == "app"


@pytest.mark.parametrize(
    ("options", "claim"),
    [
        ({"scp": ["User.Read"]}, "scp"),
        ({"scp": [READ_ALL]}, "scp"),  # a read scope for a write
        ({"scp": [READ_WRITE_ALL], "wids": []}, "wids"),
        (
            {"scp": [READ_WRITE_ALL], "wids": ["fe930be7-5e62-47db-91af-98c3a49a38b1"]},
            "wids",
        ),  # User Administrator
    ],
)
def test_delegated_without_scope_or_role_is_denied(options: dict[str, Any], claim: str) -> None:
    error = refusal(gatekeeper(), bearer(mint_token(kind="user", **options)), CONNECTORS["CREATE_CONNECTOR"])
    assert type(error) is AuthorizationDenied
    assert (error.status, error.code, error.message) == (403, "Authorization_RequestDenied", INSUFFICIENT)
    assert claim in (error.reason or "")


def test_scope_is_checked_before_role() -> None:
    error = refusal(gatekeeper(), bearer(mint_token(kind="user", scp=["User.Read"], wids=[])))
    assert "scp" in (error.reason or "")


@pytest.mark.parametrize("kind", ["user", "app"])
def test_personal_account_is_denied(kind: str) -> None:
    error = refusal(gatekeeper(), bearer(mint_token(bad=BadToken.PERSONAL_ACCOUNT, kind=kind)))
    assert type(error) is AuthorizationDenied
    assert error.message == INSUFFICIENT
    assert PERSONAL_ACCOUNT_TENANT_ID in (error.reason or "")


def test_the_decision_reads_the_operations_own_row() -> None:
    gk = gatekeeper()
    principal = gk.authenticate(bearer(mint_token()))
    gk.authorize(principal, LIST_CONNECTORS)
    narrowed = dataclasses.replace(LIST_CONNECTORS, allow=Permissions(("Other.Read.All",), (), ()))
    with pytest.raises(MissingApplicationPermission, match=r"\(Other.Read.All\)"):
        gk.authorize(principal, narrowed)


# Principal -------------------------------------------------------------------------------------


def test_principal_reflects_the_token() -> None:
    token = mint_token(kind="user", scp=[READ_ALL], wids=[GLOBAL_ADMINISTRATOR], username="u@x.example")
    principal = gatekeeper().authenticate(bearer(token))
    assert principal == Principal(
        tenant_id=DEFAULT_TENANT_ID,
        kind="user",
        app_id=DEFAULT_CLIENT_ID,
        object_id=principal.object_id,
        delegated_scopes=frozenset({READ_ALL}),
        directory_roles=frozenset({GLOBAL_ADMINISTRATOR}),
        username="u@x.example",
    )


# Modes -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", [k for k in BadToken if k is not BadToken.PERSONAL_ACCOUNT])
@pytest.mark.parametrize("operation", [LIST_CONNECTORS, CONNECTORS["DELETE_CONNECTOR"]])
def test_permissive_honours_any_readable_token(kind: BadToken, operation: Operation) -> None:
    gk = gatekeeper(AuthMode.PERMISSIVE)
    token = mint_token(bad=kind, roles=[])
    principal = gk.authenticate(bearer(token))
    gk.authorize(principal, operation)
    expected_tid = (
        "0badc0de-0000-4000-8000-00000000dead" if kind is BadToken.ANOTHER_TENANT else DEFAULT_TENANT_ID
    )
    assert principal.tenant_id == expected_tid


def test_permissive_skips_permissions_roles_and_account_kind() -> None:
    gk = gatekeeper(AuthMode.PERMISSIVE)
    for token in (
        mint_token(kind="user", scp=[], wids=[]),
        mint_token(bad=BadToken.PERSONAL_ACCOUNT),
    ):
        gk.authorize(gk.authenticate(bearer(token)), CONNECTORS["CREATE_CONNECTOR"])


def test_permissive_needs_a_tid() -> None:
    error = refusal(gatekeeper(AuthMode.PERMISSIVE), bearer(mint_token(extra_claims={"tid": None})))
    assert (error.status, error.message) == (401, "Access token validation failure.")


@pytest.mark.parametrize("header", [None, "", "Bearer nodots", "Basic abc"])
def test_off_needs_no_token_and_acts_as_the_default_app(header: str | None) -> None:
    gk = gatekeeper(AuthMode.OFF)
    principal = gk.authenticate(header)
    assert (principal.tenant_id, principal.kind, principal.app_id) == (
        DEFAULT_TENANT_ID,
        "app",
        DEFAULT_CLIENT_ID,
    )
    assert principal.application_permissions == frozenset(CATALOG.application_permissions())
    for operation in CATALOG:
        gk.authorize(principal, operation)


def test_off_honours_the_tid_of_a_readable_token() -> None:
    other = "22222222-2222-4222-8222-222222222222"
    principal = gatekeeper(AuthMode.OFF).authenticate(bearer(mint_token(tenant_id=other, roles=[])))
    assert principal.tenant_id == other
