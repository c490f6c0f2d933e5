"""The directory: tenants, app registrations, service principals and users from the config, plus runtime
registration."""

from __future__ import annotations

import hmac
import threading
import uuid

from mockgraph.core.config import (
    AUTHENTICATION_EVENTS_APP_ID,
    AppRegistration,
    MockGraphConfig,
    ServicePrincipal,
    Tenant,
    UserAccount,
)

# Namespace for object ids derived from client ids when the config leaves ``object_id`` empty.
_OBJECT_ID_NAMESPACE = uuid.UUID("6d6f636b-6772-4170-8800-000000000001")


def _same_secret(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def service_principal_id(app: AppRegistration) -> str:
    """The ``oid`` an app token carries: the configured object id, else one derived from the client id."""
    return app.object_id or str(uuid.uuid5(_OBJECT_ID_NAMESPACE, f"{app.tenant_id}/{app.client_id}"))


def authentication_events_principal(tenant_id: str) -> ServicePrincipal:
    """Microsoft's authentication-events service principal, present in every tenant as first-party apps are."""
    return ServicePrincipal(
        app_id=AUTHENTICATION_EVENTS_APP_ID,
        tenant_id=tenant_id,
        display_name="Azure AD Authentication Extensions",
        object_id=str(
            uuid.uuid5(_OBJECT_ID_NAMESPACE, f"{tenant_id.lower()}/{AUTHENTICATION_EVENTS_APP_ID}")
        ),
    )


def principal_of(app: AppRegistration) -> ServicePrincipal:
    """The service principal a registered app has in its tenant, granted what the app is granted."""
    return ServicePrincipal(
        app_id=app.client_id,
        tenant_id=app.tenant_id,
        display_name=app.display_name,
        object_id=service_principal_id(app),
        application_permissions=app.application_permissions,
        service_principal_names=app.identifier_uris,
    )


class Directory:
    """Who exists: lookups are case-insensitive where Entra's are (domains, client ids, usernames).

    Thread-safe: a server thread may register while others look up.
    """

    def __init__(self, config: MockGraphConfig) -> None:
        self._lock = threading.Lock()
        self._tenants: dict[str, Tenant] = {}
        self._apps: dict[tuple[str, str], AppRegistration] = {}
        self._users: dict[str, UserAccount] = {}
        self._principals: dict[tuple[str, str], ServicePrincipal] = {}
        for tenant in config.tenants:
            self.add_tenant(tenant)
        for app in config.apps:
            self.add_app(app)
        for principal in config.service_principals:
            self.add_service_principal(principal)
        for user in config.users:
            self.add_user(user)
        self.default_tenant_id = config.tenants[0].tenant_id if config.tenants else ""

    # Registration -------------------------------------------------------------------------------

    def add_tenant(self, tenant: Tenant) -> None:
        with self._lock:
            self._tenants[tenant.tenant_id.lower()] = tenant

    def add_app(self, app: AppRegistration) -> None:
        """Register (or replace) an app in its tenant. The tenant must already exist."""
        with self._lock:
            if app.tenant_id.lower() not in self._tenants:
                raise ValueError(f"app {app.client_id} names unknown tenant {app.tenant_id}")
            self._apps[(app.tenant_id.lower(), app.client_id.lower())] = app

    def add_service_principal(self, principal: ServicePrincipal) -> None:
        """Register (or replace) a service principal in its tenant. The tenant must already exist."""
        if self.tenant(principal.tenant_id) is None:
            raise ValueError(
                f"service principal {principal.app_id} names unknown tenant {principal.tenant_id}"
            )
        with self._lock:
            self._principals[(principal.tenant_id.lower(), principal.app_id.lower())] = principal

    def add_user(self, user: UserAccount) -> None:
        """Register (or replace) a user. The tenant must already exist; usernames are unique."""
        with self._lock:
            if user.tenant_id.lower() not in self._tenants:
                raise ValueError(f"user {user.username} names unknown tenant {user.tenant_id}")
            self._users[user.username.lower()] = user

    # Lookups ------------------------------------------------------------------------------------

    def tenant(self, tenant_id: str) -> Tenant | None:
        with self._lock:
            return self._tenants.get(tenant_id.lower())

    def resolve_tenant(self, segment: str) -> Tenant | None:
        """The tenant a URL segment names, by id or by verified domain (not ``common`` and friends)."""
        wanted = segment.lower()
        with self._lock:
            if wanted in self._tenants:
                return self._tenants[wanted]
            return next(
                (t for t in self._tenants.values() if t.domain and t.domain.lower() == wanted),
                None,
            )

    def tenants(self) -> tuple[Tenant, ...]:
        with self._lock:
            return tuple(self._tenants.values())

    def app(self, tenant_id: str, client_id: str) -> AppRegistration | None:
        with self._lock:
            return self._apps.get((tenant_id.lower(), client_id.lower()))

    def apps_with_client_id(self, client_id: str) -> tuple[AppRegistration, ...]:
        with self._lock:
            return tuple(a for (_, cid), a in self._apps.items() if cid == client_id.lower())

    def service_principal(self, tenant_id: str, app_id: str) -> ServicePrincipal | None:
        """The service principal of ``app_id`` in the tenant: a configured one, else the one of the app's
        registration there (unless it has none), else the first-party authentication-events one."""
        if self.tenant(tenant_id) is None:
            return None
        with self._lock:
            explicit = self._principals.get((tenant_id.lower(), app_id.lower()))
        if explicit is not None:
            return explicit
        app = self.app(tenant_id, app_id)
        if app is not None:
            return principal_of(app) if app.has_service_principal else None
        if app_id.lower() == AUTHENTICATION_EVENTS_APP_ID:
            return authentication_events_principal(tenant_id)
        return None

    def resource_names(self, tenant_id: str, app_id: str) -> tuple[str, ...]:
        """The identifier URIs ``app_id`` answers to in the tenant: its registration's ``identifierUris`` and
        its service principal's names (empty when neither exists)."""
        app = self.app(tenant_id, app_id)
        principal = self.service_principal(tenant_id, app_id)
        names = (
            *(app.identifier_uris if app else ()),
            *(principal.service_principal_names if principal else ()),
        )
        return tuple(dict.fromkeys(names))

    def user(self, username: str) -> UserAccount | None:
        with self._lock:
            return self._users.get(username.lower())

    # Credential checks ----------------------------------------------------------------------------

    @staticmethod
    def secret_matches(app: AppRegistration, secret: str) -> bool:
        return _same_secret(secret, app.client_secret)

    @staticmethod
    def password_matches(user: UserAccount, password: str) -> bool:
        return _same_secret(password, user.password)
