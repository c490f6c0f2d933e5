"""The token endpoint's logic, free of HTTP: Entra's client-credentials and password grants and their errors."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mockgraph.core.config import AppRegistration, Tenant, UserAccount
from mockgraph.core.operations import EMPTY_CATALOG, Catalog
from mockgraph.core.principal import AuthMode
from mockgraph.core.text import clip
from mockgraph.identity.directory import Directory, service_principal_id
from mockgraph.identity.keys import b64url
from mockgraph.identity.oauth_errors import EntraError, error_document, missing_parameter, unknown_tenant
from mockgraph.identity.scopes import check_default_scope, delegated_scopes
from mockgraph.identity.tokens import GRAPH_AUDIENCE, TokenFactory

EXPIRES_IN = 3599
TENANTLESS = frozenset({"common", "organizations"})
_NAMESPACE = uuid.UUID("6d6f636b-6772-4170-8800-000000000002")


@dataclass(frozen=True)
class TokenResponse:
    """What the endpoint answers: a status, a JSON body and the reason (for errors)."""

    status: int
    body: dict[str, Any]
    reason: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Client:
    client_id: str
    secret: str | None


class TokenIssuer:
    """Issues tokens for the apps and users of ``directory`` (anyone, unless ``mode`` is ``enforce``)."""

    def __init__(
        self,
        directory: Directory,
        tokens: TokenFactory,
        mode: AuthMode,
        *,
        catalog: Catalog = EMPTY_CATALOG,
        clock: Callable[[], float] = time.time,
    ) -> None:
        # What a token for an app the directory does not know carries: every grant the operations accept.
        self.catalog = catalog
        self.directory = directory
        self.tokens = tokens
        self.mode = mode
        self.clock = clock

    def issue(
        self,
        tenant_segment: str,
        form: Mapping[str, str],
        *,
        basic_auth: tuple[str, str] | None = None,
        correlation_id: str | None = None,
    ) -> TokenResponse:
        """Answer one ``POST /{tenant}/oauth2/v2.0/token``; never raises for a bad request."""
        try:
            body = self._issue(tenant_segment, form, basic_auth)
        except EntraError as exc:
            return TokenResponse(exc.status, self.error_body(exc, correlation_id), exc.reason)
        return TokenResponse(200, body, headers={"Cache-Control": "no-store, no-cache", "Pragma": "no-cache"})

    def error_body(self, exc: EntraError, correlation_id: str | None) -> dict[str, Any]:
        """Entra's error document for ``exc`` (see :func:`error_document`)."""
        return error_document(exc, correlation_id, self.clock())

    # Grants ---------------------------------------------------------------------------------------

    def _issue(self, segment: str, form: Mapping[str, str], basic: tuple[str, str] | None) -> dict[str, Any]:
        grant = form.get("grant_type", "")
        if not grant:
            raise missing_parameter("grant_type")
        if grant not in ("client_credentials", "password"):
            raise EntraError(
                400,
                "unsupported_grant_type",
                70003,
                f"The app requested an unsupported grant type '{clip(grant)}'.",
                f"grant_type '{clip(grant)}' is not supported by the emulator",
            )
        tenant = None if segment.lower() in TENANTLESS else self._tenant(segment)
        client = self._client(form, basic)
        if grant == "client_credentials":
            return self._client_credentials(segment, tenant, client, form)
        return self._password(segment, tenant, client, form)

    def resolve_path_tenant(self, segment: str) -> Tenant | None:
        """The tenant a URL segment names; outside ``enforce`` any GUID names a tenant."""
        tenant = self.directory.resolve_tenant(segment)
        if tenant is None and self.mode is not AuthMode.ENFORCE and _is_guid(segment):
            tenant = Tenant(segment.lower())
        return tenant

    def _tenant(self, segment: str) -> Tenant:
        tenant = self.resolve_path_tenant(segment)
        if tenant is None:
            raise unknown_tenant(segment)
        return tenant

    @staticmethod
    def _client(form: Mapping[str, str], basic: tuple[str, str] | None) -> _Client:
        client_id = form.get("client_id") or (basic[0] if basic else "")
        if not client_id:
            raise missing_parameter("client_id")
        secret = form.get("client_secret") or (basic[1] if basic else None)
        return _Client(client_id, secret or None)

    def _client_credentials(
        self, segment: str, tenant: Tenant | None, client: _Client, form: Mapping[str, str]
    ) -> dict[str, Any]:
        check_default_scope(form.get("scope", ""), segment)
        if client.secret is None:
            raise EntraError(
                401,
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
                "no client secret",
            )
        if tenant is None:
            # Tenantless authority: Entra picks the app's home tenant (MSAL warns against relying on it).
            homes = self.directory.apps_with_client_id(client.client_id)
            tenant = self.directory.tenant(homes[0].tenant_id) if homes else None
            if tenant is None:
                tenant = self._fallback_tenant(segment)
        app = self._app(tenant, client)
        if app is None:
            roles = self.catalog.application_permissions()
            token = self.tokens.mint(
                tenant_id=tenant.tenant_id, kind="app", app_id=client.client_id, roles=roles
            )
        else:
            token = self.tokens.mint(
                tenant_id=tenant.tenant_id,
                kind="app",
                app_id=app.client_id,
                object_id=service_principal_id(app),
                roles=app.application_permissions,
                app_display_name=app.display_name,
            )
        return {
            "token_type": "Bearer",
            "expires_in": EXPIRES_IN,
            "ext_expires_in": EXPIRES_IN,
            "access_token": token,
        }

    def _fallback_tenant(self, segment: str) -> Tenant:
        if self.mode is AuthMode.ENFORCE:
            raise unknown_tenant(segment)
        return Tenant(self.directory.default_tenant_id)

    def _app(self, tenant: Tenant, client: _Client) -> AppRegistration | None:
        """The registered app (credentials checked), or None when a non-enforcing mode accepts anyone."""
        app = self.directory.app(tenant.tenant_id, client.client_id)
        if self.mode is not AuthMode.ENFORCE:
            return app
        if app is None:
            client_id = clip(client.client_id)
            raise EntraError(
                400,
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory "
                f"'{tenant.domain or tenant.tenant_id}'. This can happen if the application has not been "
                "installed by the administrator of the tenant or consented to by any user in the tenant. "
                "You may have sent your authentication request to the wrong tenant.",
                f"client_id '{client_id}' is not registered in tenant {tenant.tenant_id}",
            )
        if client.secret is not None and not self.directory.secret_matches(app, client.secret):
            raise EntraError(
                401,
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client "
                f"secret value, not the client secret ID, for a secret added to app '{app.client_id}'.",
                f"client secret does not match app {app.client_id}",
            )
        return app

    def _password(
        self, segment: str, tenant: Tenant | None, client: _Client, form: Mapping[str, str]
    ) -> dict[str, Any]:
        for name in ("username", "password", "scope"):
            if not form.get(name):
                raise missing_parameter(name)
        username, password = form["username"], form["password"]
        requested, oidc = delegated_scopes(form["scope"])
        user = self.directory.user(username)
        if tenant is None:
            home = self.directory.tenant(user.tenant_id) if user is not None else None
            tenant = home or self._fallback_tenant(segment)
        app = self._app(tenant, client)
        user = self._user(tenant, user, username, password)
        granted = app.delegated_scopes if app is not None else self.catalog.delegated_scopes()
        scopes = self._consented(requested, granted, client.client_id, app)
        oid = (
            user.object_id if user else str(uuid.uuid5(_NAMESPACE, f"{tenant.tenant_id}/{username.lower()}"))
        )
        wids = user.directory_roles if user else self.catalog.directory_roles()
        name = (user.display_name if user else "") or username.split("@", 1)[0]
        token = self.tokens.mint(
            tenant_id=tenant.tenant_id,
            kind="user",
            app_id=client.client_id,
            object_id=oid,
            scp=scopes,
            wids=wids,
            username=username,
            name=name,
            app_display_name=app.display_name if app else "mockgraph app",
        )
        body: dict[str, Any] = {
            "token_type": "Bearer",
            "scope": " ".join([GRAPH_AUDIENCE + "/" + s for s in scopes] + sorted(oidc - {"offline_access"})),
            "expires_in": EXPIRES_IN,
            "ext_expires_in": EXPIRES_IN,
            "access_token": token,
        }
        if "openid" in oidc:
            body["id_token"] = self._id_token(tenant.tenant_id, client.client_id, oid, username, name)
        if form.get("client_info") == "1":
            body["client_info"] = b64url(f'{{"uid":"{oid}","utid":"{tenant.tenant_id}"}}'.encode())
        return body

    def _user(
        self, tenant: Tenant, user: UserAccount | None, username: str, password: str
    ) -> UserAccount | None:
        if self.mode is not AuthMode.ENFORCE:
            return user if user is not None and user.tenant_id.lower() == tenant.tenant_id.lower() else None
        if user is None or user.tenant_id.lower() != tenant.tenant_id.lower():
            raise EntraError(
                400,
                "invalid_grant",
                50034,
                f"The user account {{EUII Hidden}} does not exist in the {tenant.tenant_id} directory. "
                "To sign into this application, the account must be added to the directory.",
                f"no user '{clip(username)}' in tenant {tenant.tenant_id}",
            )
        if not self.directory.password_matches(user, password):
            raise EntraError(
                400,
                "invalid_grant",
                50126,
                "Error validating credentials due to invalid username or password.",
                f"wrong password for '{clip(username)}'",
            )
        return user

    def _consented(
        self,
        requested: tuple[str, ...] | None,
        granted: tuple[str, ...],
        client_id: str,
        app: AppRegistration | None,
    ) -> tuple[str, ...]:
        if requested is None:
            return tuple(granted)
        missing = [s for s in requested if s not in granted]
        if missing and self.mode is AuthMode.ENFORCE:
            client_id = clip(client_id)
            name = clip(app.display_name) if app else client_id
            raise EntraError(
                400,
                "invalid_grant",
                65001,
                f"The user or administrator has not consented to use the application with ID '{client_id}' "
                f"named '{name}'. Send an interactive authorization request for this user and resource.",
                f"scopes {clip(', '.join(missing))} were not granted to {client_id}",
            )
        return requested

    def _id_token(self, tenant_id: str, client_id: str, oid: str, username: str, name: str) -> str:
        now = int(self.clock())
        claims = {
            "aud": client_id,
            "iss": f"https://login.microsoftonline.com/{tenant_id}/v2.0",
            "iat": now,
            "nbf": now,
            "exp": now + EXPIRES_IN + 1,
            "name": name,
            "oid": oid,
            "preferred_username": username,
            "sub": b64url(uuid.uuid5(_NAMESPACE, f"{oid}/{client_id}").bytes),
            "tid": tenant_id,
            "ver": "2.0",
        }
        return self.tokens.sign(claims)


def _is_guid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36
