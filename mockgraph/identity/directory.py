"""The directory: tenants, app registrations, service principals and users from the config, plus those
registered at run time.

Run-time entries live in the store (records of reserved collections under ``DIRECTORY_TENANT``), so every
worker sharing a ``--state`` file knows a tenant another worker registered. Lookups run on every request,
so the directory keeps a read-only view and rebuilds it only when the store's version of the reserved key
moves (one indexed read per lookup with SQLite, a dict read in memory).
"""

from __future__ import annotations

import hmac
import threading
import uuid
from collections.abc import Iterable
from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any, Protocol

from mockgraph.core.config import (
    AUTHENTICATION_EVENTS_APP_ID,
    AppRegistration,
    MockGraphConfig,
    ServicePrincipal,
    Tenant,
    UserAccount,
)

# Store key for directory entries added at run time; no Graph collection lives under it.
DIRECTORY_TENANT = "_mockgraph-directory"
DIRECTORY_KINDS: dict[str, type[Any]] = {
    "tenants": Tenant,
    "apps": AppRegistration,
    "servicePrincipals": ServicePrincipal,
    "users": UserAccount,
}
# Namespace for object ids derived from client ids when the config leaves ``object_id`` empty.
_OBJECT_ID_NAMESPACE = uuid.UUID("6d6f636b-6772-4170-8800-000000000001")

Entry = Tenant | AppRegistration | ServicePrincipal | UserAccount


class DirectoryRecords(Protocol):
    """Where run-time entries are kept; every ``mockgraph.storage`` store fits."""

    def list(self, tenant_id: str, collection: str) -> list[dict[str, Any]]: ...

    def insert(
        self, tenant_id: str, collection: str, record: dict[str, Any], *, limit: int | None = None
    ) -> dict[str, Any]: ...

    def version(self, tenant_id: str) -> int: ...


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


# Entries as JSON (seed documents, snapshots and the stored records use one spelling) --------------


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def entry_to_json(entry: Entry) -> dict[str, Any]:
    """An entry with Graph-style camelCase names and lists, as seeds and snapshots spell it."""
    return {_camel(k): list(v) if isinstance(v, tuple) else v for k, v in asdict(entry).items()}


# How each file format names an entry's keys and shapes, for messages a user can act on.
_JSON_WORDS = {"object": "an object", "list": "a list of strings", "key": "property"}
_TOML_WORDS = {"object": "a table", "list": "an array of strings", "key": "key"}


def _kind_of(value: Any) -> str:
    """What a value is, in words (never the value itself: it may be a secret)."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "an empty string" if not value else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null" if value is None else type(value).__name__


def entry_from_json(kind: str, document: Any, where: str, *, toml: bool = False) -> Any:
    """The ``kind`` entry ``document`` describes; ValueError (one line naming ``where`` and the key) otherwise.

    Keys are camelCase as seeds and snapshots spell them, or snake_case with ``toml`` (the settings file's
    ``[[apps]]`` tables). Every field is a string or a list of strings; a required one must be non-empty.
    """
    entry_type = DIRECTORY_KINDS[kind]
    words = _TOML_WORDS if toml else _JSON_WORDS
    if not isinstance(document, dict):
        raise ValueError(f"{where} must be {words['object']}, got {_kind_of(document)}")
    spell = (lambda name: name) if toml else _camel
    names = {spell(f.name): f for f in fields(entry_type)}
    unknown = sorted(set(document) - set(names))
    if unknown:
        raise ValueError(f"{where} has unknown {words['key']} '{unknown[0]}' (known: {', '.join(names)})")
    required = [key for key, f in names.items() if f.default is MISSING]
    missing = [key for key in required if key not in document]
    if missing:
        listed = ", ".join(f"'{key}'" for key in missing)
        raise ValueError(
            f"{where} is missing {words['key']} {listed}, a non-empty string (required: {', '.join(required)})"
        )
    values: dict[str, Any] = {}
    for key, value in document.items():
        # Every field is a string, a tuple of strings, a flag or an optional version number; anything else
        # would fail later, at lookup time.
        declared = str(names[key].type)
        wants_list = declared == "tuple[str, ...]"
        if wants_list and isinstance(value, list) and all(isinstance(v, str) for v in value):
            values[names[key].name] = tuple(value)
        elif declared in ("bool", "int | None"):
            values[names[key].name] = (
                value  # flags and versions: the entry type checks them, naming what it wants
            )
        elif not wants_list and isinstance(value, str) and (value or key not in required):
            values[names[key].name] = value
        else:
            wanted = words["list"] if wants_list else "a non-empty string" if key in required else "a string"
            raise ValueError(f"{where}: '{key}' must be {wanted}, got {_kind_of(value)}")
    try:
        return entry_type(**values)
    except (TypeError, ValueError) as error:
        message = str(error)
        raise ValueError(message if message.startswith(where) else f"{where}: {message}") from None


def entry_key(kind: str, entry: Any) -> str:
    """What identifies an entry of ``kind``: a later entry with the same key replaces an earlier one."""
    if kind == "tenants":
        return str(entry.tenant_id).lower()
    if kind == "apps":
        return f"{entry.tenant_id}/{entry.client_id}".lower()
    if kind == "servicePrincipals":
        return f"{entry.tenant_id}/{entry.app_id}".lower()
    return str(entry.username).lower()


@dataclass(frozen=True)
class Entries:
    """Tenants, apps, service principals and users, in the order they were registered."""

    tenants: tuple[Tenant, ...] = ()
    apps: tuple[AppRegistration, ...] = ()
    users: tuple[UserAccount, ...] = ()
    service_principals: tuple[ServicePrincipal, ...] = ()

    def by_kind(self) -> dict[str, tuple[Any, ...]]:
        return {
            "tenants": self.tenants,
            "apps": self.apps,
            "servicePrincipals": self.service_principals,
            "users": self.users,
        }


@dataclass(frozen=True)
class _View:
    """One consistent, read-only state of the directory (replaced whole, never changed)."""

    tenants: dict[str, Tenant] = field(default_factory=dict)
    domains: dict[str, Tenant] = field(default_factory=dict)
    apps: dict[tuple[str, str], AppRegistration] = field(default_factory=dict)
    users: dict[str, UserAccount] = field(default_factory=dict)
    principals: dict[tuple[str, str], ServicePrincipal] = field(default_factory=dict)

    @classmethod
    def of(cls, batches: Iterable[Entries]) -> _View:
        """Tenants first, then apps and users (which must name one); later entries replace by key."""
        listed = list(batches)
        view = cls()
        for batch in listed:
            for tenant in batch.tenants:
                view.tenants[tenant.tenant_id.lower()] = tenant
        for tenant in view.tenants.values():
            if tenant.domain:
                view.domains.setdefault(tenant.domain.lower(), tenant)
        for batch in listed:
            for app in batch.apps:
                if app.tenant_id.lower() not in view.tenants:
                    raise ValueError(
                        f"app {app.client_id} names unknown tenant {app.tenant_id} (list it under tenants)"
                    )
                view.apps[(app.tenant_id.lower(), app.client_id.lower())] = app
            for user in batch.users:
                if user.tenant_id.lower() not in view.tenants:
                    raise ValueError(
                        f"user {user.username} names unknown tenant {user.tenant_id} (list it under tenants)"
                    )
                view.users[user.username.lower()] = user
            for principal in batch.service_principals:
                if principal.tenant_id.lower() not in view.tenants:
                    raise ValueError(
                        f"service principal {principal.app_id} names unknown tenant {principal.tenant_id}"
                    )
                view.principals[(principal.tenant_id.lower(), principal.app_id.lower())] = principal
        return view


class Directory:
    """Who exists: lookups are case-insensitive where Entra's are (domains, client ids, usernames).

    With ``records`` (the app's store), run-time registrations are written there and read back by every
    process sharing it; without, they are kept in this object. Thread-safe.
    """

    def __init__(self, config: MockGraphConfig, records: DirectoryRecords | None = None) -> None:
        self.records = records
        self._configured = Entries(config.tenants, config.apps, config.users, config.service_principals)
        self._added: list[Entries] = []  # run-time entries when there is no store
        self._lock = threading.Lock()
        self._seen: int | None = None
        self._view = _View.of([self._configured])  # raises ValueError for a bad config
        self.default_tenant_id = config.tenants[0].tenant_id if config.tenants else ""
        self._current()  # raises ValueError for bad stored entries, at start rather than on a request

    # Registration -------------------------------------------------------------------------------

    def add_tenant(self, tenant: Tenant) -> None:
        self.register(Entries(tenants=(tenant,)))

    def add_app(self, app: AppRegistration) -> None:
        """Register (or replace) an app in its tenant. The tenant must already exist."""
        self.register(Entries(apps=(app,)))

    def add_user(self, user: UserAccount) -> None:
        """Register (or replace) a user. The tenant must already exist; usernames are unique."""
        self.register(Entries(users=(user,)))

    def add_service_principal(self, principal: ServicePrincipal) -> None:
        """Register (or replace) a service principal in its tenant. The tenant must already exist."""
        self.register(Entries(service_principals=(principal,)))

    def check(self, entries: Entries) -> None:
        """Raise ValueError, writing nothing, if ``entries`` cannot be registered (an unknown tenant)."""
        _View.of([*self._batches(), entries])

    def register(self, entries: Entries) -> None:
        """Add (or replace by key) every entry, after checking them all together."""
        with self._lock:
            self.check(entries)
            if self.records is None:
                self._added.append(entries)
                self._view = _View.of(self._batches())
                return
            for kind, listed in entries.by_kind().items():
                for entry in listed:
                    record = {"id": entry_key(kind, entry), "entry": entry_to_json(entry)}
                    self.records.insert(DIRECTORY_TENANT, kind, record)

    def entries(self) -> Entries:
        """Every entry, configured first, each key once (the latest registration wins)."""
        view = self._current()
        return Entries(
            tuple(view.tenants.values()),
            tuple(view.apps.values()),
            tuple(view.users.values()),
            tuple(view.principals.values()),
        )

    def _batches(self) -> list[Entries]:
        if self.records is None:
            return [self._configured, *self._added]
        return [self._configured, stored_entries(self.records)]

    def _current(self) -> _View:
        if self.records is None:
            return self._view
        version = self.records.version(DIRECTORY_TENANT)
        if version == self._seen:
            return self._view
        with self._lock:
            # The version is read before the records: a write in between makes the next call rebuild again.
            if version != self._seen:
                self._view = _View.of(self._batches())
                self._seen = version
            return self._view

    # Lookups ------------------------------------------------------------------------------------

    def tenant(self, tenant_id: str) -> Tenant | None:
        return self._current().tenants.get(tenant_id.lower())

    def resolve_tenant(self, segment: str) -> Tenant | None:
        """The tenant a URL segment names, by id or by verified domain (not ``common`` and friends)."""
        view = self._current()
        wanted = segment.lower()
        return view.tenants.get(wanted) or view.domains.get(wanted)

    def tenants(self) -> tuple[Tenant, ...]:
        return tuple(self._current().tenants.values())

    def app(self, tenant_id: str, client_id: str) -> AppRegistration | None:
        return self._current().apps.get((tenant_id.lower(), client_id.lower()))

    def apps_with_client_id(self, client_id: str) -> tuple[AppRegistration, ...]:
        wanted = client_id.lower()
        return tuple(a for (_, cid), a in self._current().apps.items() if cid == wanted)

    def user(self, username: str) -> UserAccount | None:
        return self._current().users.get(username.lower())

    def service_principal(self, tenant_id: str, app_id: str) -> ServicePrincipal | None:
        """The service principal of ``app_id`` in the tenant: a configured one, else the one of the app's
        registration there (unless it has none), else the first-party authentication-events one."""
        view = self._current()
        if tenant_id.lower() not in view.tenants:
            return None
        explicit = view.principals.get((tenant_id.lower(), app_id.lower()))
        if explicit is not None:
            return explicit
        app = view.apps.get((tenant_id.lower(), app_id.lower()))
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

    # Credential checks ----------------------------------------------------------------------------

    @staticmethod
    def secret_matches(app: AppRegistration, secret: str) -> bool:
        return _same_secret(secret, app.client_secret)

    @staticmethod
    def password_matches(user: UserAccount, password: str) -> bool:
        return _same_secret(password, user.password)


def stored_entries(records: DirectoryRecords) -> Entries:
    """The run-time entries ``records`` keeps; ValueError for one that is not a valid entry."""
    found: dict[str, list[Any]] = {}
    for kind in DIRECTORY_KINDS:
        found[kind] = []
        for index, record in enumerate(records.list(DIRECTORY_TENANT, kind)):
            where = f"stored directory entry {kind}[{index}]"
            found[kind].append(entry_from_json(kind, record.get("entry"), where))
    return Entries(
        tuple(found["tenants"]),
        tuple(found["apps"]),
        tuple(found["users"]),
        tuple(found["servicePrincipals"]),
    )
