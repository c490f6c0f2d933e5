"""Strategies for access tokens: valid ones with any mix of claims, and bad ones by named kind."""

from __future__ import annotations

import base64
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mockgraph.core.config import (
    DEFAULT_TENANT_ID,
    EXTERNAL_ID_USER_FLOW_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
    READ_ALL,
    READ_WRITE_ALL,
)
from mockgraph.identity import BadToken, TokenFactory
from mockgraph.identity.keys import SigningKey, process_signing_key
from mockgraph.identity.permissions import PERSONAL_ACCOUNT_TENANT_ID

TOKEN_KINDS = ("app", "user")
# Permissions that matter here, and some that do not (a token usually carries others).
PERMISSIONS = (READ_ALL, READ_WRITE_ALL, "User.Read.All", "IdentityUserFlow.ReadWrite.All")
USER_ADMINISTRATOR = "fe930be7-5e62-47db-91af-98c3a49a38b1"
APP_DEFAULT_WID = "0997a1d0-0d1d-4acb-b408-d5ca73121e90"
DIRECTORY_ROLES = (
    EXTERNAL_ID_USER_FLOW_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
    USER_ADMINISTRATOR,
    APP_DEFAULT_WID,
)
TENANTS = (DEFAULT_TENANT_ID, PERSONAL_ACCOUNT_TENANT_ID)


@dataclass(frozen=True)
class GeneratedToken:
    """A signed access token and the claims inside it."""

    token: str
    claims: dict[str, Any]

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header value that carries it."""
        return f"Bearer {self.token}"

    def __repr__(self) -> str:
        # Hypothesis prints failing examples: show the claims, never the bearer token itself.
        return f"GeneratedToken(claims={self.claims!r})"


def _pool(name: str, given: Collection[str] | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if given is None:
        return default
    if isinstance(given, str) or not all(isinstance(value, str) for value in given):
        raise InvalidArgument(f"{name}={given!r} must be a collection of strings")
    return tuple(dict.fromkeys(given))


def access_tokens(
    *,
    kinds: Collection[str] = TOKEN_KINDS,
    tenants: Collection[str] | None = None,
    permissions: Collection[str] | None = None,
    directory_roles: Collection[str] | None = None,
    key: SigningKey | None = None,
) -> st.SearchStrategy[GeneratedToken]:
    """Correctly signed, current Graph access tokens with any combination of claims.

    ``kinds``: ``app`` (permissions in ``roles``) and/or ``user`` (delegated: scopes in ``scp``, directory
    roles in ``wids``). Each token carries any subset (the empty one included) of ``permissions`` and
    ``directory_roles``, for one of ``tenants`` (default: the default tenant and the personal-account
    tenant). Signed with ``key`` (default: the process key every default app trusts). Whether Graph
    lets a token through is up to the caller's oracle: these tokens are well formed, not necessarily
    authorised.
    """
    chosen = tuple(dict.fromkeys(kinds)) if not isinstance(kinds, str) else ()
    if not chosen or any(kind not in TOKEN_KINDS for kind in chosen):
        raise InvalidArgument(f"kinds={kinds!r} must be a non-empty collection drawn from {TOKEN_KINDS}")
    tenant_pool = _pool("tenants", tenants, TENANTS)
    if not tenant_pool:
        raise InvalidArgument("tenants must not be empty")
    permission_pool = _pool("permissions", permissions, PERMISSIONS)
    role_pool = _pool("directory_roles", directory_roles, DIRECTORY_ROLES)
    factory = TokenFactory(key or process_signing_key())

    def mint(kind: str, tenant: str, granted: list[str], roles: list[str]) -> GeneratedToken:
        if kind == "app":
            claims = factory.claims(kind="app", tenant_id=tenant, roles=granted, wids=roles)
        else:
            claims = factory.claims(kind="user", tenant_id=tenant, scp=granted, wids=roles)
        return GeneratedToken(factory.sign(claims), claims)

    def subsets(pool: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
        return st.lists(st.sampled_from(pool), unique=True) if pool else st.just([])

    return st.builds(
        mint,
        st.sampled_from(chosen),
        st.sampled_from(tenant_pool),
        subsets(permission_pool),
        subsets(role_pool),
    )


class InvalidTokenKind(StrEnum):
    """One way a request's credentials are bad. Graph answers 401, except ``personal-account`` (403)."""

    MISSING = "missing"
    EMPTY = "empty"
    WRONG_SCHEME = "wrong-scheme"
    NOT_A_JWT = "not-a-jwt"
    MALFORMED = "malformed"
    EXPIRED = BadToken.EXPIRED.value
    NOT_YET_VALID = BadToken.NOT_YET_VALID.value
    WRONG_AUDIENCE = BadToken.WRONG_AUDIENCE.value
    WRONG_ISSUER = BadToken.WRONG_ISSUER.value
    ANOTHER_TENANT = BadToken.ANOTHER_TENANT.value
    TAMPERED_SIGNATURE = BadToken.TAMPERED_SIGNATURE.value
    ALG_NONE = BadToken.ALG_NONE.value
    UNKNOWN_KEY = BadToken.UNKNOWN_KEY.value
    PERSONAL_ACCOUNT = BadToken.PERSONAL_ACCOUNT.value


@dataclass(frozen=True)
class InvalidAuthorization:
    """A bad ``Authorization`` header (None: the header is left out) and the kind of badness."""

    kind: InvalidTokenKind
    header: str | None

    def headers(self) -> dict[str, str]:
        """Request headers carrying it (empty for ``missing``)."""
        return {} if self.header is None else {"Authorization": self.header}

    def __repr__(self) -> str:
        return f"InvalidAuthorization(kind={self.kind.value!r})"


_B64URL = st.binary(min_size=1, max_size=24).map(
    lambda raw: base64.urlsafe_b64encode(raw).decode().rstrip("=")
)


def _headers_for(kind: InvalidTokenKind, factory: TokenFactory) -> st.SearchStrategy[str | None]:
    if kind is InvalidTokenKind.MISSING:
        return st.none()
    if kind is InvalidTokenKind.EMPTY:
        return st.sampled_from(["Bearer", "Bearer ", "Bearer    ", ""])
    if kind is InvalidTokenKind.WRONG_SCHEME:
        return st.builds(
            lambda scheme: f"{scheme} {factory.mint()}", st.sampled_from(["Basic", "Token", "MAC"])
        )
    if kind is InvalidTokenKind.NOT_A_JWT:
        return st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=40).map(
            lambda t: f"Bearer {t}"
        )
    if kind is InvalidTokenKind.MALFORMED:
        parts = st.lists(_B64URL, min_size=2, max_size=5).filter(lambda p: len(p) != 3)
        garbage_three = st.tuples(st.just("e30"), st.just("!!notjson"), _B64URL).map(list)
        return st.one_of(parts, garbage_three).map(lambda p: "Bearer " + ".".join(p))
    bad = BadToken(kind.value)
    return st.builds(
        lambda kind_of_user: "Bearer " + factory.mint_bad(bad, kind=kind_of_user),
        st.sampled_from(TOKEN_KINDS),
    )


def invalid_authorizations(
    *,
    kind: InvalidTokenKind | str | None = None,
    key: SigningKey | None = None,
) -> st.SearchStrategy[InvalidAuthorization]:
    """``Authorization`` headers that Graph refuses, of ``kind`` (None: any kind).

    Tokens that are otherwise well formed are minted with ``key`` (default: the process key), so
    exactly the named defect is what makes them bad. Never a header Graph would accept.
    """
    if kind is None:
        kinds = list(InvalidTokenKind)
    else:
        try:
            kinds = [InvalidTokenKind(kind)]
        except ValueError:
            raise InvalidArgument(
                f"kind={kind!r} is not one of {[k.value for k in InvalidTokenKind]}"
            ) from None
    factory = TokenFactory(key or process_signing_key())
    return st.one_of(*(_authorizations(each, factory) for each in kinds))


def _authorizations(kind: InvalidTokenKind, factory: TokenFactory) -> st.SearchStrategy[InvalidAuthorization]:
    return st.builds(InvalidAuthorization, st.just(kind), _headers_for(kind, factory))
