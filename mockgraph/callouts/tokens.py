"""The bearer token of a callout: what Entra's authentication events service presents to the API (§8.2).

A client-credentials app token for the API app, from the client ``99045fe1-...``: ``azp`` (v2) or ``appid``
(v1) names it, ``aud`` is the API's app id (v2) or its ``resourceId`` (v1, the Application ID URI), ``iss``
follows the tenant's kind. Signed with the emulator's key, so the endpoint validates it from the emulator's
discovery document and key set alone. ``TokenFlaw`` asks for a token the endpoint must refuse.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from mockgraph.callouts.target import AUTHENTICATION_EVENTS_APP_ID, ExtensionTarget, IssuerHost, TenantKind
from mockgraph.identity.discovery import ciam_issuer, workforce_issuer
from mockgraph.identity.keys import b64url, foreign_signing_key
from mockgraph.identity.tokens import TokenFactory, issuer_for

LIFETIME_SECONDS = 3600
# An app that is not the authentication events service, for the wrong-azp token (Microsoft Graph's id).
OTHER_CLIENT_ID = "00000003-0000-0000-c000-000000000000"
OTHER_AUDIENCE = "00000002-0000-0000-c000-000000000000"
_NAMESPACE = uuid.UUID("6d6f636b-6772-4170-8800-000000000003")


class TokenFlaw(StrEnum):
    """A deliberately bad callout token: an endpoint that validates properly refuses each."""

    WRONG_AZP = "wrong-azp"
    WRONG_ISSUER_KIND = "wrong-issuer-kind"
    WRONG_AUDIENCE = "wrong-audience"
    EXPIRED = "expired"
    UNKNOWN_KEY = "unknown-key"


def tenant_issuer(
    tenant_id: str, kind: TenantKind, *, domain_label: str, host: IssuerHost, version: int = 2
) -> str:
    """A tenant's ``iss``: v2 per tenant kind; v1 workforce tokens carry sts.windows.net.

    No source gives an external tenant's v1 issuer: its v2 issuer is used.
    """
    if kind is TenantKind.WORKFORCE:
        return workforce_issuer(tenant_id) if version == 2 else issuer_for(tenant_id)
    return ciam_issuer(tenant_id if host is IssuerHost.TENANT_ID else domain_label, tenant_id)


def issuer(target: ExtensionTarget, *, kind: TenantKind | None = None) -> str:
    """The ``iss`` of ``target``'s tokens (of another tenant kind's, for the wrong-issuer-kind token)."""
    return tenant_issuer(
        target.tenant_id,
        kind or target.tenant_kind,
        domain_label=target.domain_label,
        host=target.issuer_host,
        version=target.token_version,
    )


def audience(target: ExtensionTarget) -> str:
    """The API app's id for v2 tokens, its ``resourceId`` (Application ID URI) for v1 (§12 Q4: the likeliest)."""
    return target.app_id if target.token_version == 2 else target.resource_id


def service_principal_id(tenant_id: str) -> str:
    """The object id of the authentication events service's service principal in a tenant (derived, stable)."""
    return str(uuid.uuid5(_NAMESPACE, f"{tenant_id.lower()}/{AUTHENTICATION_EVENTS_APP_ID}"))


def callout_claims(
    target: ExtensionTarget,
    *,
    now: float,
    flaw: TokenFlaw | None = None,
    extra_claims: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The claim set; ``flaw`` spoils exactly one part of it (an unknown key is a signing matter)."""
    issued = int(now)
    client = OTHER_CLIENT_ID if flaw is TokenFlaw.WRONG_AZP else AUTHENTICATION_EVENTS_APP_ID
    other_kind = TenantKind.WORKFORCE if target.tenant_kind is TenantKind.EXTERNAL else TenantKind.EXTERNAL
    oid = service_principal_id(target.tenant_id)
    claims: dict[str, Any] = {
        "aud": OTHER_AUDIENCE if flaw is TokenFlaw.WRONG_AUDIENCE else audience(target),
        "iss": issuer(target, kind=other_kind if flaw is TokenFlaw.WRONG_ISSUER_KIND else None),
        "iat": issued,
        "nbf": issued,
        "exp": issued + LIFETIME_SECONDS,
    }
    if flaw is TokenFlaw.EXPIRED:
        claims.update(iat=issued - 2 * LIFETIME_SECONDS, nbf=issued - 2 * LIFETIME_SECONDS, exp=issued - 600)
    if target.token_version == 2:
        claims.update(azp=client, azpacr="1")
    else:
        claims.update(appid=client, appidacr="1")
    claims.update(
        idtyp="app",
        oid=oid,
        sub=oid,
        tid=target.tenant_id,
        uti=b64url(uuid.uuid4().bytes)[:22],
        ver="2.0" if target.token_version == 2 else "1.0",
    )
    claims.update(extra_claims or {})
    return claims


class CalloutTokens:
    """Mints callout tokens with the emulator's ``TokenFactory`` (its key and clock)."""

    def __init__(self, factory: TokenFactory, *, clock: Callable[[], float] | None = None) -> None:
        self.factory = factory
        self.clock = clock or factory.clock

    def mint(
        self,
        target: ExtensionTarget,
        *,
        flaw: TokenFlaw | str | None = None,
        extra_claims: Mapping[str, Any] | None = None,
    ) -> str:
        bad = None if flaw is None else TokenFlaw(flaw)
        claims = callout_claims(target, now=self.clock(), flaw=bad, extra_claims=extra_claims)
        key = foreign_signing_key() if bad is TokenFlaw.UNKNOWN_KEY else None
        return self.factory.sign(claims, key=key)
