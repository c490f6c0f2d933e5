"""Seed and snapshot documents: load tenants, apps, users and Graph objects from JSON; export the whole state.

A snapshot is ``{"version": 1, "secrets": bool, "tenants": [...], "apps": [...], "users": [...],
"data": {tenant: {collection: [stored records]}}}`` and can be seeded back as it is. Secrets (passwords,
PKCS#12 blobs, client secrets) are exported only when asked for; otherwise they read ``<redacted>``.
A seed may also hold ``"servicePrincipals"`` (directory entries like apps), and ``"connectors"`` and
``"customAuthenticationExtensions"``: create bodies as Graph takes them (a list for the default tenant, or
``{tenant: [bodies]}``), validated like ``POST``. Directory entries a seed adds are kept in the store under
a reserved key, so they survive a restart with ``--state`` like everything else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from mockgraph.core.config import AppRegistration, MockGraphConfig, ServicePrincipal, Tenant, UserAccount
from mockgraph.core.contracts import Contracts
from mockgraph.core.errors import BadRequest, GraphError
from mockgraph.identity import Directory
from mockgraph.resources.connectors import model as connectors
from mockgraph.resources.extensions import model as extensions
from mockgraph.storage.store import Record, Store
from mockgraph.web.journal import redact

SNAPSHOT_VERSION = 1
# Store key for directory entries added at run time; no Graph collection lives under it.
DIRECTORY_TENANT = "_mockgraph-directory"
DIRECTORY_KINDS: dict[str, type[Any]] = {
    "tenants": Tenant,
    "apps": AppRegistration,
    "users": UserAccount,
    "servicePrincipals": ServicePrincipal,
}
# Seed keys holding create bodies, by the store collection they fill.
BODY_KEYS = {"connectors": connectors.COLLECTION, "customAuthenticationExtensions": extensions.COLLECTION}
SEED_KEYS = frozenset({"version", "secrets", "data", *BODY_KEYS, *DIRECTORY_KINDS})


class InvalidSeed(BadRequest):
    """A seed document that cannot be loaded (400; nothing is written when it is caught while validating)."""

    default_code = "BadRequest"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _to_json(entry: Any) -> dict[str, Any]:
    return {_camel(k): list(v) if isinstance(v, tuple) else v for k, v in asdict(entry).items()}


def _from_json(kind: str, document: Any, index: int) -> Any:
    entry_type = DIRECTORY_KINDS[kind]
    if not isinstance(document, dict):
        raise InvalidSeed(f"{kind}[{index}] must be an object")
    names = {_camel(f.name): f.name for f in fields(entry_type)}
    unknown = sorted(set(document) - set(names))
    if unknown:
        raise InvalidSeed(f"{kind}[{index}] has unknown property '{unknown[0]}'")
    values = {names[k]: tuple(v) if isinstance(v, list) else v for k, v in document.items()}
    try:
        return entry_type(**values)
    except (TypeError, ValueError) as error:
        raise InvalidSeed(f"{kind}[{index}]: {error}") from None


def _entry_key(kind: str, entry: Any) -> str:
    if kind == "tenants":
        return str(entry.tenant_id).lower()
    if kind == "apps":
        return f"{entry.tenant_id}/{entry.client_id}".lower()
    if kind == "servicePrincipals":
        return f"{entry.tenant_id}/{entry.app_id}".lower()
    return str(entry.username).lower()


def directory_entries(config: MockGraphConfig, store: Store) -> dict[str, list[Any]]:
    """The configured directory entries, then those added at run time (a later one replaces by key)."""
    configured: dict[str, Iterable[Any]] = {
        "tenants": config.tenants,
        "apps": config.apps,
        "users": config.users,
        "servicePrincipals": config.service_principals,
    }
    result: dict[str, list[Any]] = {}
    for kind in DIRECTORY_KINDS:
        merged = {_entry_key(kind, e): e for e in configured[kind]}
        for index, record in enumerate(store.list(DIRECTORY_TENANT, kind)):
            entry = _from_json(kind, record["entry"], index)
            merged[_entry_key(kind, entry)] = entry
        result[kind] = list(merged.values())
    return result


def restore_directory(config: MockGraphConfig, store: Store, directory: Directory) -> None:
    """Register the persisted run-time entries (tenants first, as apps and users name them)."""
    entries = directory_entries(config, store)
    for tenant in entries["tenants"]:
        directory.add_tenant(tenant)
    for app in entries["apps"]:
        directory.add_app(app)
    for user in entries["users"]:
        directory.add_user(user)
    for principal in entries["servicePrincipals"]:
        directory.add_service_principal(principal)


def export_state(config: MockGraphConfig, store: Store, *, secrets: bool = False) -> dict[str, Any]:
    """The whole state as a versioned JSON document; secrets redacted unless ``secrets``."""
    data = {tenant: collections for tenant, collections in store.dump().items() if tenant != DIRECTORY_TENANT}
    document: dict[str, Any] = {"version": SNAPSHOT_VERSION, "secrets": secrets}
    for kind, entries in directory_entries(config, store).items():
        document[kind] = [_to_json(entry) for entry in entries]
    document["data"] = data
    return document if secrets else {**redact(document), "secrets": False}


@dataclass(frozen=True)
class SeedCounts:
    """How many objects of each kind a seed added."""

    tenants: int = 0
    apps: int = 0
    users: int = 0
    objects: int = 0
    service_principals: int = 0

    def to_json(self) -> dict[str, int]:
        return {_camel(name): count for name, count in asdict(self).items()}


def _records(
    document: dict[str, Any], contracts: Contracts, default_tenant: str
) -> list[tuple[str, str, Record]]:
    """Every Graph object the seed adds, validated: (tenant, collection, record)."""
    rows: list[tuple[str, str, Record]] = []
    for key, collection in BODY_KEYS.items():
        bodies = document.get(key, [])
        by_tenant = bodies if isinstance(bodies, dict) else {default_tenant: bodies}
        for tenant, listed in by_tenant.items():
            if not isinstance(listed, list):
                raise InvalidSeed(f"{key} must be a list of create bodies, or {{tenant: [bodies]}}")
            rows.extend(
                (str(tenant).lower(), collection, _created(collection, contracts, body)) for body in listed
            )
    data = document.get("data", {})
    if not isinstance(data, dict):
        raise InvalidSeed("data must be {tenant: {collection: [records]}}")
    for tenant, collections in data.items():
        if not isinstance(collections, dict):
            raise InvalidSeed(f"data.{tenant} must be {{collection: [records]}}")
        for collection, records in collections.items():
            if not isinstance(records, list) or not all(
                isinstance(r, dict) and isinstance(r.get("id"), str) and r["id"] for r in records
            ):
                raise InvalidSeed(f"data.{tenant}.{collection} must be a list of records with an 'id'")
            rows.extend((str(tenant).lower(), str(collection), record) for record in records)
    return rows


def _created(collection: str, contracts: Contracts, body: Any) -> Record:
    """The record ``POST`` would store for ``body`` (Graph's 400 when it would refuse it)."""
    if collection == extensions.COLLECTION:
        return extensions.new_record(extensions.CREATE_BODY.check(contracts, body))
    return connectors.new_record(connectors.validate(contracts, "identityApiConnectorCreate", body))


def apply_seed(
    document: Any,
    *,
    config: MockGraphConfig,
    store: Store,
    directory: Directory,
    contracts: Contracts,
) -> SeedCounts:
    """Add what ``document`` holds; everything is validated before anything is written."""
    if not isinstance(document, dict):
        raise InvalidSeed("a seed must be a JSON object")
    unknown = sorted(set(document) - SEED_KEYS)
    if unknown:
        raise InvalidSeed(f"unknown seed property '{unknown[0]}' (known: {', '.join(sorted(SEED_KEYS))})")
    if document.get("version", SNAPSHOT_VERSION) != SNAPSHOT_VERSION:
        raise InvalidSeed(f"unsupported seed version {document.get('version')!r} (this mockgraph reads 1)")
    entries: dict[str, list[Any]] = {}
    for kind in DIRECTORY_KINDS:
        listed = document.get(kind, [])
        if not isinstance(listed, list):
            raise InvalidSeed(f"{kind} must be a list")
        entries[kind] = [_from_json(kind, item, index) for index, item in enumerate(listed)]
    # Check the directory as a whole (an app must name a known tenant) on a scratch copy first.
    scratch = Directory(config)
    restore_directory(config, store, scratch)
    _register(entries, scratch)
    rows = _records(document, contracts, directory.default_tenant_id.lower())
    limits = {connectors.COLLECTION: config.connector_limit, extensions.COLLECTION: config.extension_limit}
    _check_limits(rows, store, limits)
    _register(entries, directory)
    for kind, listed in entries.items():
        for entry in listed:
            store.insert(DIRECTORY_TENANT, kind, {"id": _entry_key(kind, entry), "entry": _to_json(entry)})
    for tenant, collection, record in rows:
        store.insert(tenant, collection, record, limit=limits.get(collection))
    return SeedCounts(
        len(entries["tenants"]),
        len(entries["apps"]),
        len(entries["users"]),
        len(rows),
        len(entries["servicePrincipals"]),
    )


def _check_limits(rows: list[tuple[str, str, Record]], store: Store, limits: dict[str, int]) -> None:
    # Checked before the first write, so a seed over a limit adds nothing rather than a part.
    added: dict[tuple[str, str], int] = {}
    for tenant, collection, _ in rows:
        if collection in limits:
            added[(tenant, collection)] = added.get((tenant, collection), 0) + 1
    for (tenant, collection), count in sorted(added.items()):
        held = store.count(tenant, collection)
        if held + count > limits[collection]:
            what = "connectors" if collection == connectors.COLLECTION else "custom authentication extensions"
            raise InvalidSeed(
                f"the seed adds {count} {what} to tenant {tenant}, which holds {held}; "
                f"the limit is {limits[collection]}"
            )


def _register(entries: dict[str, list[Any]], directory: Directory) -> None:
    try:
        for tenant in entries["tenants"]:
            directory.add_tenant(tenant)
        for app in entries["apps"]:
            directory.add_app(app)
        for user in entries["users"]:
            directory.add_user(user)
        for principal in entries["servicePrincipals"]:
            directory.add_service_principal(principal)
    except ValueError as error:
        raise InvalidSeed(str(error)) from None


def read_seed_file(path: Path) -> Any:
    """The JSON document in ``path``; ValueError with a one-line reason when it cannot be read."""
    try:
        return json.loads(path.read_text("utf-8"))
    except OSError as error:
        raise ValueError(f"seed file {path} cannot be read: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"seed file {path} is not valid JSON: {error}") from None


def seed_error_message(error: GraphError) -> str:
    """A seed refusal as one line (for the command line)."""
    return f"{error.code}: {error.message}"
