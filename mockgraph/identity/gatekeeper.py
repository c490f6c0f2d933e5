"""The Gatekeeper: Graph's authentication, permission, role and tenant decisions for one app."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from mockgraph.core.config import DEFAULT_CLIENT_ID, MockGraphConfig
from mockgraph.core.errors import (
    AuthorizationDenied,
    InvalidAuthenticationToken,
    MissingApplicationPermission,
)
from mockgraph.core.operations import EMPTY_CATALOG, Catalog, Operation
from mockgraph.core.principal import AuthMode, Principal
from mockgraph.identity.directory import Directory, DirectoryRecords
from mockgraph.identity.issuer import TokenIssuer
from mockgraph.identity.keys import SigningKey, signing_key_for
from mockgraph.identity.permissions import PERSONAL_ACCOUNT_TENANT_ID
from mockgraph.identity.tokens import TokenFactory
from mockgraph.identity.verification import (
    VALIDATION_FAILURE,
    TokenVerifier,
    bearer_token,
    read_unverified,
)

PRINCIPAL_CACHE_SIZE = 1024


def _strings(value: Any) -> frozenset[str]:
    """``scp``: Entra sends one space-separated string (a list is read too)."""
    if isinstance(value, str):
        return frozenset(value.split())
    return _array(value)


def _array(value: Any) -> frozenset[str]:
    """``roles`` and ``wids``: Entra always sends an array. Anything else, a string too, grants nothing.

    A string is not split: a hand-made token with ``"roles": "A B"`` must not pass a test that a token
    Entra issues could fail. The caller is still authenticated, and the permission check answers 403.
    """
    if isinstance(value, list | tuple):
        return frozenset(v for v in value if isinstance(v, str))
    return frozenset()


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    """The caller a token describes. App tokens: ``idtyp`` app, or no ``idtyp`` and no ``scp``."""
    idtyp = claims.get("idtyp")
    is_app = idtyp == "app" or (idtyp != "user" and "scp" not in claims)
    username = claims.get("upn") or claims.get("unique_name") or claims.get("preferred_username")
    return Principal(
        tenant_id=str(claims["tid"]).lower(),
        kind="app" if is_app else "user",
        app_id=str(claims.get("appid") or claims.get("azp") or ""),
        object_id=str(claims.get("oid") or ""),
        application_permissions=_array(claims.get("roles")),
        delegated_scopes=_strings(claims.get("scp")),
        directory_roles=_array(claims.get("wids")),
        username=username if isinstance(username, str) else None,
    )


class Gatekeeper:
    """Authenticates requests and authorises operations for one app, per ``config.auth_mode``.

    ``clock`` (seconds since the epoch) is injectable for lifetime tests. ``records`` is the app's store:
    the directory keeps the tenants, apps and users registered at run time there (see ``Directory``).
    """

    def __init__(
        self,
        config: MockGraphConfig,
        *,
        catalog: Catalog = EMPTY_CATALOG,
        clock: Callable[[], float] = time.time,
        records: DirectoryRecords | None = None,
    ) -> None:
        self.config = config
        # The operations served: what a full-permission caller holds (auth off, apps the directory lacks).
        self.catalog = catalog
        self.mode = AuthMode(config.auth_mode)
        self.clock = clock
        self.directory = Directory(config, records)
        self.key: SigningKey = signing_key_for(config.signing_key_path)
        self.tokens = TokenFactory(self.key, clock=clock)
        self.issuer = TokenIssuer(self.directory, self.tokens, self.mode, catalog=catalog, clock=clock)
        self.verifier = TokenVerifier((self.key,), clock=clock, clock_skew=config.clock_skew_seconds)
        # The verifier hands back one claims dict per token; its Principal (immutable) is built once too.
        self._principals: dict[int, tuple[dict[str, Any], Principal]] = {}

    def authenticate(self, authorization: str | None) -> Principal:
        """The caller an ``Authorization`` header value names.

        :raises InvalidAuthenticationToken: 401, with Graph's message and the failing check as ``reason``.
        """
        if self.mode is AuthMode.OFF:
            return self._off_principal(authorization)
        token = bearer_token(authorization)
        if self.mode is AuthMode.PERMISSIVE:
            return principal_from_claims(read_unverified(token))
        claims = self.verifier.verify(token)
        tid = str(claims["tid"])
        if tid.lower() != PERSONAL_ACCOUNT_TENANT_ID and self.directory.tenant(tid) is None:
            raise InvalidAuthenticationToken(
                VALIDATION_FAILURE, reason=f"tid {tid} is not a registered tenant"
            )
        known = self._principals.get(id(claims))
        if known is not None and known[0] is claims:
            return known[1]
        principal = principal_from_claims(claims)
        if len(self._principals) >= PRINCIPAL_CACHE_SIZE:
            self._principals.clear()
        # Keyed by identity and holding the claims, so a recycled id() can never return another's principal.
        self._principals[id(claims)] = (claims, principal)
        return principal

    def authorize(self, principal: Principal, operation: Operation) -> None:
        """Refuse unless ``principal`` may perform ``operation`` (only in ``enforce`` mode).

        :raises MissingApplicationPermission: app token without an accepted permission in ``roles``.
        :raises AuthorizationDenied: personal account; delegated token without scope or role.
        """
        if self.mode is not AuthMode.ENFORCE:
            return
        row = operation.allow
        if principal.tenant_id == PERSONAL_ACCOUNT_TENANT_ID and not row.personal_accounts:
            raise AuthorizationDenied(
                reason=f"tid {PERSONAL_ACCOUNT_TENANT_ID} is a personal Microsoft account: not supported"
            )
        if principal.kind == "app":
            if not principal.application_permissions & set(row.application):
                raise MissingApplicationPermission(
                    row.application,
                    reason=f"roles claim holds none of {', '.join(row.application)}",
                )
            return
        if not principal.delegated_scopes & set(row.delegated):
            raise AuthorizationDenied(reason=f"scp claim holds none of {', '.join(row.delegated)}")
        if not principal.directory_roles & set(row.roles):
            raise AuthorizationDenied(
                reason=f"wids claim holds none of the supported roles {', '.join(row.roles)}"
            )

    def _off_principal(self, authorization: str | None) -> Principal:
        # A readable token's tid is still honoured, so tenant-isolation tests work without auth.
        try:
            return principal_from_claims(read_unverified(bearer_token(authorization)))
        except InvalidAuthenticationToken:
            pass
        tenant = self.directory.default_tenant_id
        apps = self.directory.apps_with_client_id(DEFAULT_CLIENT_ID)
        return Principal(
            tenant_id=tenant,
            kind="app",
            app_id=DEFAULT_CLIENT_ID,
            object_id=apps[0].object_id if apps else "",
            application_permissions=frozenset(self.catalog.application_permissions()),
        )
