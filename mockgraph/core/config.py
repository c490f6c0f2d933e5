"""Configuration of one emulator app: auth mode, limits, and the directory of tenants, apps, service principals
and users.

The defaults describe a ready-to-use directory: one tenant, one app with a *published* development
secret (like Azurite's well-known account key: it is the one secret mockgraph ever prints), and one
user holding External ID User Flow Administrator.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mockgraph.core.network import NetworkPolicy
from mockgraph.core.principal import AuthMode

DEFAULT_TENANT_ID = "a7c0ffee-0000-4000-8000-000000000001"
DEFAULT_TENANT_DOMAIN = "mockgraph.onmicrosoft.com"
DEFAULT_CLIENT_ID = "a7c0ffee-0000-4000-8000-0000000000a1"
DEFAULT_CLIENT_SECRET = "mockgraph-dev-secret-0000-not-a-real-secret"
DEFAULT_USER_NAME = "flowadmin@mockgraph.onmicrosoft.com"
DEFAULT_USER_PASSWORD = "mockgraph-dev-password-not-a-real-password"
DEFAULT_USER_OBJECT_ID = "a7c0ffee-0000-4000-8000-0000000000b1"

EXTERNAL_ID_USER_FLOW_ADMINISTRATOR = "6e591065-9bad-43ed-90f3-e9424366d2f0"
GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
# Role template ids (Entra built-in roles reference; custom-authentication-extensions.md section 6.2).
AUTHENTICATION_EXTENSIBILITY_ADMINISTRATOR = "25a516ed-2fa0-40ea-a2d0-12923a21473a"
APPLICATION_ADMINISTRATOR = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"

READ_ALL = "APIConnectors.Read.All"
READ_WRITE_ALL = "APIConnectors.ReadWrite.All"
USER_FLOW_READ_ALL = "IdentityUserFlow.Read.All"
USER_FLOW_READ_WRITE_ALL = "IdentityUserFlow.ReadWrite.All"
EXTENSION_READ_ALL = "CustomAuthenticationExtension.Read.All"
EXTENSION_READ_WRITE_ALL = "CustomAuthenticationExtension.ReadWrite.All"
EVENT_LISTENER_READ_ALL = "EventListener.Read.All"
EVENT_LISTENER_READ_WRITE_ALL = "EventListener.ReadWrite.All"
# The Graph app role an extension's API app needs so Entra may call it (id 214e810f-fda8-4fd7-a475-29461495eb00).
RECEIVE_PAYLOAD = "CustomAuthenticationExtension.Receive.Payload"
RECEIVE_PAYLOAD_ROLE_ID = "214e810f-fda8-4fd7-a475-29461495eb00"
# Microsoft's first-party "Azure AD Authentication Extensions" app: the client of every extension callout.
AUTHENTICATION_EVENTS_APP_ID = "99045fe1-7639-4a75-9d4a-577b6ca3810f"
# What the default app is granted and what a minted token carries unless told otherwise: enough to
# manage connectors, the user flows that attach them, custom authentication extensions and their listeners.
DEFAULT_GRANTS = (
    READ_WRITE_ALL,
    USER_FLOW_READ_WRITE_ALL,
    EXTENSION_READ_WRITE_ALL,
    EVENT_LISTENER_READ_WRITE_ALL,
)

DEFAULT_CONNECTOR_LIMIT = 20
# "You can have a maximum of 100 custom extension policies." (reference section 7)
DEFAULT_EXTENSION_LIMIT = 100
# "You can have a maximum of 250 event listeners." (the External ID limits page says 249; the Graph pages win).
DEFAULT_LISTENER_LIMIT = 250
# Graph rejects request bodies over 4 MB on most workloads; only the total size is limited.
DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Tenant:
    """A directory tenant; tokens name it in ``tid``."""

    tenant_id: str
    domain: str = ""


@dataclass(frozen=True)
class AppRegistration:
    """A registered client application and what it was granted."""

    client_id: str
    client_secret: str
    tenant_id: str = DEFAULT_TENANT_ID
    display_name: str = "mockgraph app"
    application_permissions: tuple[str, ...] = ()
    delegated_scopes: tuple[str, ...] = ()
    object_id: str = ""
    # Application ID URIs (``api://{host}/{appId}`` for an extension's API); validateAuthenticationConfiguration
    # looks a resourceId up here.
    identifier_uris: tuple[str, ...] = ()
    # The manifest's accessTokenAcceptedVersion: 1, 2, or None (Entra treats None as 1).
    access_token_accepted_version: int | None = None
    # Whether the app has a service principal in its tenant (the portal creates one with the registration).
    has_service_principal: bool = True

    def __post_init__(self) -> None:
        # Seeds and TOML files build entries from untyped values: refuse what Entra's manifest cannot hold.
        version = self.access_token_accepted_version
        if version is not None and (isinstance(version, bool) or version not in (1, 2)):
            raise ValueError(f"app {self.client_id}: access_token_accepted_version must be 1, 2 or absent")
        if not isinstance(self.has_service_principal, bool):
            raise ValueError(f"app {self.client_id}: has_service_principal must be true or false")


@dataclass(frozen=True)
class ServicePrincipal:
    """An application's identity in a tenant where no registration of it is configured (a multi-tenant or
    first-party app), and the Graph application permissions granted to it there (its appRoleAssignments).

    A registered app (``AppRegistration``) has its service principal implicitly, granted its
    ``application_permissions``; an entry here with the same tenant and app id replaces that one.
    """

    app_id: str
    tenant_id: str = DEFAULT_TENANT_ID
    display_name: str = ""
    object_id: str = ""
    application_permissions: tuple[str, ...] = ()
    # The URIs it answers to as a resource (Graph's servicePrincipalNames: the app's identifierUris).
    service_principal_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class UserAccount:
    """A directory user who can sign in with the password grant."""

    username: str
    password: str
    object_id: str
    tenant_id: str = DEFAULT_TENANT_ID
    directory_roles: tuple[str, ...] = ()
    display_name: str = ""


def default_tenants() -> tuple[Tenant, ...]:
    return (Tenant(DEFAULT_TENANT_ID, DEFAULT_TENANT_DOMAIN),)


def default_apps() -> tuple[AppRegistration, ...]:
    return (
        AppRegistration(
            client_id=DEFAULT_CLIENT_ID,
            client_secret=DEFAULT_CLIENT_SECRET,
            display_name="mockgraph default app",
            application_permissions=DEFAULT_GRANTS,
            delegated_scopes=DEFAULT_GRANTS,
            object_id="a7c0ffee-0000-4000-8000-0000000000c1",
        ),
    )


def default_users() -> tuple[UserAccount, ...]:
    return (
        UserAccount(
            username=DEFAULT_USER_NAME,
            password=DEFAULT_USER_PASSWORD,
            object_id=DEFAULT_USER_OBJECT_ID,
            directory_roles=(EXTERNAL_ID_USER_FLOW_ADMINISTRATOR,),
            display_name="User Flow Administrator",
        ),
    )


@dataclass(frozen=True)
class MockGraphConfig:
    """Everything that shapes one emulator app. All fields have working defaults."""

    auth_mode: AuthMode = AuthMode.ENFORCE
    connector_limit: int = DEFAULT_CONNECTOR_LIMIT
    listener_limit: int = DEFAULT_LISTENER_LIMIT
    extension_limit: int = DEFAULT_EXTENSION_LIMIT
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    tenants: tuple[Tenant, ...] = field(default_factory=default_tenants)
    apps: tuple[AppRegistration, ...] = field(default_factory=default_apps)
    users: tuple[UserAccount, ...] = field(default_factory=default_users)
    service_principals: tuple[ServicePrincipal, ...] = ()
    # validateAuthenticationConfiguration: append to Graph's message what is missing in the emulator's
    # directory and where to add it (False: Graph's documented messages only).
    validation_hints: bool = True
    # Refuse (400) creating or updating an extension whose configuration validateAuthenticationConfiguration
    # reports errors for, or whose targetUrl is not https (Graph is not documented to; off by default).
    strict_extension_writes: bool = False
    signing_key_path: Path | None = None
    state_path: Path | None = None
    # Tolerance when checking a token's nbf/exp, as Microsoft.IdentityModel's default ClockSkew (5 minutes).
    clock_skew_seconds: int = 300
    # What a served emulator trusts from the network (Host names, origins, secret export); ``mockgraph serve``
    # sets it. None, the in-process default, serves every host (the interceptor's Graph and Entra names).
    network: NetworkPolicy | None = None

    def with_overrides(self, **changes: Any) -> MockGraphConfig:
        """A copy with some fields changed (``auth_mode`` may be a string, ``network`` a mapping)."""
        if "auth_mode" in changes:
            changes["auth_mode"] = AuthMode(changes["auth_mode"])
        if isinstance(changes.get("network"), dict):
            network = dict(changes["network"])
            if "allowed_hosts" in network:
                network["allowed_hosts"] = tuple(network["allowed_hosts"])
            changes["network"] = NetworkPolicy(**network)
        return replace(self, **changes)


def coerce_config(config: MockGraphConfig | dict[str, Any] | None) -> MockGraphConfig:
    """Accept a config object, a mapping of field names, or nothing (the defaults)."""
    if config is None:
        return MockGraphConfig()
    if isinstance(config, MockGraphConfig):
        return config
    return MockGraphConfig().with_overrides(**config)
