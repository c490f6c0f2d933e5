"""Seed and snapshot documents: load tenants, apps, users and Graph objects from JSON; export the whole state.

A snapshot is ``{"version": 1, "secrets": bool, "tenants": [...], "apps": [...], "users": [...],
"data": {tenant: {collection: [stored records]}}}`` and can be seeded back as it is. Secrets (passwords,
PKCS#12 blobs, client secrets) are exported only when asked for; otherwise they read ``<redacted>``.
A seed may also hold ``"connectors"``: create bodies as Graph takes them (a list for the default tenant, or
``{tenant: [bodies]}``), validated like ``POST``; and ``"authenticationEventsFlows"`` and
``"authenticationEventListeners"`` in the same shape, validated like ``POST /beta`` (a listener body without
``priority`` gets 500, so v1.0 bodies seed too), whose references (a handler's extension, a listener's flow) may
name records of the store or of the seed's own ``data``. Directory entries a seed adds are kept in the store
under a reserved key, so they survive a restart with ``--state`` like everything else.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from mockgraph.core.config import AppRegistration, MockGraphConfig, Tenant, UserAccount
from mockgraph.core.contracts import Contracts
from mockgraph.core.errors import BadRequest, GraphError
from mockgraph.identity import Directory
from mockgraph.resources.connectors import model as connectors
from mockgraph.resources.eventsflows import model as flows
from mockgraph.resources.eventsflows.table import TABLE as FLOWS_TABLE
from mockgraph.resources.listeners import model as listeners
from mockgraph.resources.listeners.references import EXTENSIONS
from mockgraph.resources.listeners.table import TABLE as LISTENERS_TABLE
from mockgraph.storage.store import Record, Store
from mockgraph.web.journal import redact

SNAPSHOT_VERSION = 1
# Store key for directory entries added at run time; no Graph collection lives under it.
DIRECTORY_TENANT = "_mockgraph-directory"
DIRECTORY_KINDS: dict[str, type[Any]] = {"tenants": Tenant, "apps": AppRegistration, "users": UserAccount}
# Create bodies a seed may give per collection (besides connectors), in the order they are built: flows first,
# so a listener may name a flow of the same seed's data.
EVENT_SEEDS = (flows.COLLECTION, listeners.COLLECTION)
SEED_KEYS = frozenset({"version", "secrets", "connectors", "data", *EVENT_SEEDS, *DIRECTORY_KINDS})


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
    except TypeError as error:
        raise InvalidSeed(f"{kind}[{index}]: {error}") from None


def _entry_key(kind: str, entry: Any) -> str:
    if kind == "tenants":
        return str(entry.tenant_id).lower()
    if kind == "apps":
        return f"{entry.tenant_id}/{entry.client_id}".lower()
    return str(entry.username).lower()


def directory_entries(config: MockGraphConfig, store: Store) -> dict[str, list[Any]]:
    """The configured tenants, apps and users, then those added at run time (a later one replaces by key)."""
    configured: dict[str, Iterable[Any]] = {
        "tenants": config.tenants,
        "apps": config.apps,
        "users": config.users,
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

    def to_json(self) -> dict[str, int]:
        return asdict(self)


def _bodies(document: dict[str, Any], key: str, default_tenant: str) -> dict[str, list[Any]]:
    bodies = document.get(key, [])
    by_tenant = bodies if isinstance(bodies, dict) else {default_tenant: bodies}
    for listed in by_tenant.values():
        if not isinstance(listed, list):
            raise InvalidSeed(f"{key} must be a list of create bodies, or {{tenant: [bodies]}}")
    return {str(tenant).lower(): listed for tenant, listed in by_tenant.items()}


def _records(
    document: dict[str, Any], contracts: Contracts, default_tenant: str, store: Store
) -> list[tuple[str, str, Record]]:
    """Every Graph object the seed adds, validated: (tenant, collection, record)."""
    rows: list[tuple[str, str, Record]] = []
    for tenant, listed in _bodies(document, "connectors", default_tenant).items():
        for body in listed:
            valid = connectors.validate(contracts, "identityApiConnectorCreate", body)
            rows.append((str(tenant).lower(), connectors.COLLECTION, connectors.new_record(valid)))
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
    for key in EVENT_SEEDS:
        for tenant, listed in _bodies(document, key, default_tenant).items():
            for index, body in enumerate(listed):
                try:
                    rows.append((tenant, key, _event_record(key, body, contracts, tenant, store, rows)))
                except GraphError as error:
                    raise InvalidSeed(f"{key}[{index}] of tenant {tenant}: {error.message}") from None
    return rows


def _event_record(
    key: str, body: Any, contracts: Contracts, tenant: str, store: Store, rows: list[tuple[str, str, Record]]
) -> Record:
    """A flow or listener built from a create body as ``POST /beta`` builds it, against the store and the seed."""

    def seeded(collection: str) -> list[Record]:
        held = {r["id"].lower(): r for r in store.list(tenant, collection)}
        held.update({r["id"].lower(): r for t, c, r in rows if t == tenant and c == collection})
        return list(held.values())

    def find(collection: str, object_id: str) -> Record | None:
        return next((r for r in seeded(collection) if r["id"].lower() == object_id.lower()), None)

    if key == flows.COLLECTION:
        rule = FLOWS_TABLE["CREATE_EVENTS_FLOW"].body
        assert rule is not None
        valid = rule.on("beta").check(contracts, body)
        return flows.new_record(valid, lambda i: find(EXTENSIONS, i), seeded(flows.COLLECTION))
    rule = LISTENERS_TABLE["CREATE_LISTENER"].body
    assert rule is not None
    with_priority = {"priority": listeners.DEFAULT_PRIORITY, **body} if isinstance(body, dict) else body
    valid = rule.on("beta").check(contracts, with_priority)
    return listeners.new_record(
        valid, lambda i: find(EXTENSIONS, i), lambda i: find(flows.COLLECTION, i) is not None
    )


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
    _register(entries, scratch.add_tenant, scratch.add_app, scratch.add_user)
    rows = _records(document, contracts, directory.default_tenant_id.lower(), store)
    limits = {connectors.COLLECTION: config.connector_limit, listeners.COLLECTION: config.listener_limit}
    for collection, limit in limits.items():
        _check_limit(rows, store, collection, limit)
    _register(entries, directory.add_tenant, directory.add_app, directory.add_user)
    for kind, listed in entries.items():
        for entry in listed:
            store.insert(DIRECTORY_TENANT, kind, {"id": _entry_key(kind, entry), "entry": _to_json(entry)})
    for tenant, collection, record in rows:
        store.insert(tenant, collection, record, limit=limits.get(collection))
    return SeedCounts(len(entries["tenants"]), len(entries["apps"]), len(entries["users"]), len(rows))


def _check_limit(rows: list[tuple[str, str, Record]], store: Store, collection: str, limit: int) -> None:
    # Checked before the first write, so a seed over the limit adds nothing rather than a part.
    noun = "connectors" if collection == connectors.COLLECTION else collection
    added: dict[str, int] = {}
    for tenant, seeded, _ in rows:
        if seeded == collection:
            added[tenant] = added.get(tenant, 0) + 1
    for tenant, count in sorted(added.items()):
        held = store.count(tenant, collection)
        if held + count > limit:
            raise InvalidSeed(
                f"the seed adds {count} {noun} to tenant {tenant}, which holds {held}; the limit is {limit}"
            )


def _register(
    entries: dict[str, list[Any]],
    add_tenant: Callable[[Tenant], None],
    add_app: Callable[[AppRegistration], None],
    add_user: Callable[[UserAccount], None],
) -> None:
    try:
        for tenant in entries["tenants"]:
            add_tenant(tenant)
        for app in entries["apps"]:
            add_app(app)
        for user in entries["users"]:
            add_user(user)
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
