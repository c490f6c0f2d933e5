"""Minting Graph-shaped access tokens (good ones and deliberately bad ones) with PyJWT."""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import jwt

from mockgraph.core.config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_GRANTS,
    DEFAULT_TENANT_ID,
    DEFAULT_USER_NAME,
    DEFAULT_USER_OBJECT_ID,
    EXTERNAL_ID_USER_FLOW_ADMINISTRATOR,
)
from mockgraph.identity.keys import (
    SigningKey,
    b64url,
    foreign_signing_key,
    signing_key_for,
)
from mockgraph.identity.permissions import PERSONAL_ACCOUNT_TENANT_ID

GRAPH_AUDIENCE = "https://graph.microsoft.com"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
GRAPH_AUDIENCES = (GRAPH_AUDIENCE, GRAPH_APP_ID, GRAPH_AUDIENCE + "/")
DEFAULT_LIFETIME = 3600
# Entra's directory role template id that every service principal token carries in ``wids``.
APP_DEFAULT_WID = "0997a1d0-0d1d-4acb-b408-d5ca73121e90"
# A tenant no default configuration registers: the tenant of the ``another tenant`` bad token.
UNREGISTERED_TENANT_ID = "0badc0de-0000-4000-8000-00000000dead"

Kind = Literal["app", "user"]


def issuer_for(tenant_id: str) -> str:
    """The v1 issuer Graph access tokens carry (Graph accepts v1 tokens only)."""
    return f"https://sts.windows.net/{tenant_id}/"


class BadToken(StrEnum):
    """Kinds of deliberately bad tokens, each refused by an ``enforce`` gatekeeper."""

    EXPIRED = "expired"
    NOT_YET_VALID = "not-yet-valid"
    WRONG_AUDIENCE = "wrong-audience"
    WRONG_ISSUER = "wrong-issuer"
    ANOTHER_TENANT = "another-tenant"
    TAMPERED_SIGNATURE = "tampered-signature"
    ALG_NONE = "alg-none"
    UNKNOWN_KEY = "unknown-key"
    PERSONAL_ACCOUNT = "personal-account"


class TokenFactory:
    """Mints access tokens signed with one key; ``clock`` returns seconds since the epoch."""

    def __init__(self, key: SigningKey, *, clock: Callable[[], float] = time.time) -> None:
        self.key = key
        self.clock = clock

    def claims(
        self,
        *,
        tenant_id: str = DEFAULT_TENANT_ID,
        kind: Kind = "app",
        app_id: str = DEFAULT_CLIENT_ID,
        object_id: str | None = None,
        roles: Iterable[str] | None = None,
        scp: Iterable[str] | str | None = None,
        wids: Iterable[str] | None = None,
        username: str | None = None,
        name: str | None = None,
        app_display_name: str = "mockgraph app",
        lifetime: int = DEFAULT_LIFETIME,
        issued_at: int | None = None,
        extra_claims: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The claim set of a Graph access token; ``None`` arguments take the kind's defaults."""
        now = int(self.clock()) if issued_at is None else issued_at
        issuer = issuer_for(tenant_id)
        claims: dict[str, Any] = {
            "aud": GRAPH_AUDIENCE,
            "iss": issuer,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "app_displayname": app_display_name,
            "appid": app_id,
            "azp": app_id,
            "appidacr": "1",
            "idtyp": kind,
            "tid": tenant_id,
            "uti": b64url(uuid.uuid4().bytes)[:22],
            "ver": "1.0",
            "xms_tcdt": 1700000000,
        }
        if kind == "app":
            oid = object_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"{tenant_id}/{app_id}"))
            claims.update(
                idp=issuer,
                oid=oid,
                sub=oid,
                roles=list(roles if roles is not None else DEFAULT_GRANTS),
                wids=list(wids if wids is not None else (APP_DEFAULT_WID,)),
            )
        else:
            oid = object_id or DEFAULT_USER_OBJECT_ID
            upn = username or DEFAULT_USER_NAME
            scopes = scp if scp is not None else DEFAULT_GRANTS
            claims.update(
                oid=oid,
                # Entra's ``sub`` is pairwise per app; a hash keeps it stable and opaque.
                sub=b64url(hashlib.sha256(f"{oid}/{app_id}".encode()).digest())[:43],
                scp=scopes if isinstance(scopes, str) else " ".join(scopes),
                wids=list(wids if wids is not None else (EXTERNAL_ID_USER_FLOW_ADMINISTRATOR,)),
                upn=upn,
                unique_name=upn,
                name=name or upn.split("@", 1)[0],
                amr=["pwd"],
                acr="1",
            )
            if roles is not None:
                claims["roles"] = list(roles)
        claims.update(extra_claims or {})
        return claims

    def sign(self, claims: Mapping[str, Any], *, key: SigningKey | None = None) -> str:
        """Sign ``claims`` with RS256 under ``key`` (this factory's key by default)."""
        signer = key or self.key
        headers = {"typ": "JWT", "kid": signer.kid, "x5t": signer.kid}
        return jwt.encode(dict(claims), signer.private_key, algorithm="RS256", headers=headers)

    def mint(self, **options: Any) -> str:
        """A valid token; keyword options as for :meth:`claims`."""
        return self.sign(self.claims(**options))

    def mint_bad(self, kind_of_bad: BadToken | str, /, **options: Any) -> str:
        """A token that is bad in exactly the way ``kind_of_bad`` names; options as for :meth:`claims`."""
        bad = BadToken(kind_of_bad)
        if bad is BadToken.PERSONAL_ACCOUNT:
            options = {
                "kind": "user",
                **options,
                "tenant_id": PERSONAL_ACCOUNT_TENANT_ID,
            }
        if bad is BadToken.ANOTHER_TENANT:
            options = {**options, "tenant_id": UNREGISTERED_TENANT_ID}
        claims = self.claims(**options)
        now = int(self.clock())
        if bad is BadToken.EXPIRED:
            claims.update(iat=now - 7200, nbf=now - 7200, exp=now - 3600)
        elif bad is BadToken.NOT_YET_VALID:
            claims.update(iat=now, nbf=now + 3600, exp=now + 7200)
        elif bad is BadToken.WRONG_AUDIENCE:
            claims["aud"] = "https://management.azure.com"
        elif bad is BadToken.WRONG_ISSUER:
            claims["iss"] = issuer_for(UNREGISTERED_TENANT_ID)
        elif bad is BadToken.ALG_NONE:
            return _unsigned(claims)
        elif bad is BadToken.UNKNOWN_KEY:
            return self.sign(claims, key=foreign_signing_key())
        elif bad is BadToken.TAMPERED_SIGNATURE:
            return _tamper(self.sign(claims))
        return self.sign(claims)


def _unsigned(claims: Mapping[str, Any]) -> str:
    header = b64url(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{b64url(json.dumps(dict(claims)).encode())}."


def _tamper(token: str) -> str:
    """Change one signature character in the middle (the last one may only hold padding bits)."""
    head, payload, signature = token.split(".")
    middle = len(signature) // 2
    swapped = "A" if signature[middle] != "A" else "B"
    return f"{head}.{payload}.{signature[:middle]}{swapped}{signature[middle + 1 :]}"


def mint_token(
    *,
    bad: BadToken | str | None = None,
    signing_key_path: Path | None = None,
    key: SigningKey | None = None,
    **options: Any,
) -> str:
    """Mint one access token with the process key (or ``key`` / the key file at ``signing_key_path``).

    ``options`` are those of :meth:`TokenFactory.claims` (``tenant_id``, ``kind``, ``app_id``,
    ``object_id``, ``roles``, ``scp``, ``wids``, ``lifetime``, ``extra_claims``...). ``bad`` asks for a
    deliberately bad token of that :class:`BadToken` kind. This is what ``mockgraph token`` prints.
    """
    factory = TokenFactory(key or signing_key_for(signing_key_path))
    return factory.mint(**options) if bad is None else factory.mint_bad(bad, **options)
