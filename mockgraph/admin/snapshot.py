"""Seed and snapshot documents: load tenants, apps, users and Graph objects from JSON; export the whole state.

A snapshot is ``{"version": 1, "secrets": bool, "tenants": [...], "apps": [...], "users": [...],
"data": {tenant: {collection: [stored records]}}}`` and can be seeded back as it is. Secrets (passwords,
PKCS#12 blobs, client secrets) are exported only when asked for; otherwise they read ``<redacted>``.
A seed may also hold ``"connectors"``: create bodies as Graph takes them (a list for the default tenant, or
``{tenant: [bodies]}``), validated like ``POST``. Directory entries a seed adds are kept in the store under
a reserved key, so they survive a restart with ``--state`` like everything else.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mockgraph.core.config import MockGraphConfig
from mockgraph.core.contracts import Contracts
from mockgraph.core.errors import GraphError, InvalidRequest
from mockgraph.core.json_limits import DEFAULT_MAX_DEPTH, JsonTooDeep, ensure_depth
from mockgraph.core.redaction import redact
from mockgraph.identity.directory import (
    DIRECTORY_KINDS,
    DIRECTORY_TENANT,
    Directory,
    Entries,
    entry_from_json,
    entry_to_json,
)
from mockgraph.resources.connectors import model as connectors
from mockgraph.resources.eventsflows import model as flows
from mockgraph.resources.eventsflows.table import TABLE as FLOWS_TABLE
from mockgraph.resources.extensions import model as extensions
from mockgraph.resources.listeners import model as listeners
from mockgraph.resources.listeners.references import EXTENSIONS
from mockgraph.resources.listeners.table import TABLE as LISTENERS_TABLE
from mockgraph.storage.store import Record, Store

SNAPSHOT_VERSION = 1
# Create bodies a seed may give per collection (besides connectors), in the order they are built: flows first,
# so a listener may name a flow of the same seed's data.
EVENT_SEEDS = (flows.COLLECTION, listeners.COLLECTION)
SEED_KEYS = frozenset(
    {"version", "secrets", "connectors", extensions.COLLECTION, "data", *EVENT_SEEDS, *DIRECTORY_KINDS}
)
# A snapshot wraps each record in four levels (document, data, tenant, collection list), so a record as
# deep as the deepest body Graph takes still seeds back.
MAX_SEED_DEPTH = DEFAULT_MAX_DEPTH + 4


class InvalidSeed(InvalidRequest):
    """A seed document that cannot be loaded (400; nothing is written when it is caught while validating)."""

    default_code = "BadRequest"


def export_state(config: MockGraphConfig, store: Store, *, secrets: bool = False) -> dict[str, Any]:
    """The whole state as a versioned JSON document; secrets redacted unless ``secrets``."""
    data = {tenant: collections for tenant, collections in store.dump().items() if tenant != DIRECTORY_TENANT}
    document: dict[str, Any] = {"version": SNAPSHOT_VERSION, "secrets": secrets}
    for kind, entries in Directory(config, store).entries().by_kind().items():
        document[kind] = [entry_to_json(entry) for entry in entries]
    document["data"] = data
    return document if secrets else {**redact(document), "secrets": False}


def reset_graph_objects(store: Store) -> None:
    """Forget every Graph object; the tenants, apps and users registered at run time stay.

    One ``load``, so another worker never reads a moment in which they are missing."""
    kept = {kind: store.list(DIRECTORY_TENANT, kind) for kind in DIRECTORY_KINDS}
    store.load({DIRECTORY_TENANT: {kind: records for kind, records in kept.items() if records}})


@dataclass(frozen=True)
class SeedCounts:
    """How many objects of each kind a seed added, and where its Graph objects landed."""

    tenants: int = 0
    apps: int = 0
    users: int = 0
    objects: int = 0
    service_principals: int = 0
    # {tenant id: {collection: how many}}: a client calling with another tenant's token lists none of them.
    by_tenant: dict[str, dict[str, int]] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, int]:
        counts = {name: value for name, value in asdict(self).items() if name != "by_tenant"}
        counts["servicePrincipals"] = counts.pop("service_principals")
        return counts

    def summary(self, default_tenant: str) -> str:
        """Where the Graph objects went, in one line: ``3 apiConnectors in tenant X (the default tenant)``."""
        if not self.by_tenant:
            return "no Graph objects"
        parts = []
        for tenant, collections in self.by_tenant.items():
            held = ", ".join(f"{count} {collection}" for collection, count in collections.items())
            default = " (the default tenant)" if tenant == default_tenant.lower() else ""
            parts.append(f"{held} in tenant {tenant}{default}")
        return "; ".join(parts)


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
    for tenant, listed in _bodies(document, extensions.COLLECTION, default_tenant).items():
        for body in listed:
            made = extensions.new_record(extensions.CREATE_BODY.check(contracts, body))
            rows.append((tenant, extensions.COLLECTION, made))
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
    """Add what ``document`` holds; everything is validated before anything is written.

    Directory entries are written to ``store``, where every app (and worker) reading it finds them;
    ``directory`` is the app's, and gets them too if it keeps its own."""
    if not isinstance(document, dict):
        raise InvalidSeed("a seed must be a JSON object")
    # Before anything else: a record deeper than this would be stored and then break every snapshot.
    try:
        ensure_depth(document, MAX_SEED_DEPTH)
    except JsonTooDeep:
        raise InvalidSeed(
            f"The seed is nested deeper than {MAX_SEED_DEPTH} levels.",
            reason=f"seed depth > {MAX_SEED_DEPTH}",
        ) from None
    unknown = sorted(set(document) - SEED_KEYS)
    if unknown:
        raise InvalidSeed(f"unknown seed property '{unknown[0]}' (known: {', '.join(sorted(SEED_KEYS))})")
    if document.get("version", SNAPSHOT_VERSION) != SNAPSHOT_VERSION:
        raise InvalidSeed(f"unsupported seed version {document.get('version')!r} (this mockgraph reads 1)")
    entries = _entries(document)
    stored = directory if directory.records is store else Directory(config, store)
    targets = [stored] if stored is directory else [stored, directory]
    with _refused_as_invalid_seed():
        for target in targets:
            target.check(entries)
    rows = _records(document, contracts, directory.default_tenant_id.lower(), store)
    limits = {
        connectors.COLLECTION: config.connector_limit,
        extensions.COLLECTION: config.extension_limit,
        listeners.COLLECTION: config.listener_limit,
    }
    for collection, most in limits.items():
        _check_limit(rows, store, collection, most)
    with _refused_as_invalid_seed():
        for target in targets:
            target.register(entries)
    for tenant, collection, record in rows:
        store.insert(tenant, collection, record, limit=limits.get(collection))
    return SeedCounts(
        len(entries.tenants),
        len(entries.apps),
        len(entries.users),
        len(rows),
        len(entries.service_principals),
        _landed(rows),
    )


def _landed(rows: list[tuple[str, str, Record]]) -> dict[str, dict[str, int]]:
    """How many objects of each collection went to each tenant."""
    landed: dict[str, dict[str, int]] = {}
    for tenant, collection, _ in rows:
        held = landed.setdefault(tenant, {})
        held[collection] = held.get(collection, 0) + 1
    return landed


def _entries(document: dict[str, Any]) -> Entries:
    parsed: dict[str, tuple[Any, ...]] = {}
    for kind in DIRECTORY_KINDS:
        listed = document.get(kind, [])
        if not isinstance(listed, list):
            raise InvalidSeed(f"{kind} must be a list")
        try:
            parsed[kind] = tuple(entry_from_json(kind, item, f"{kind}[{i}]") for i, item in enumerate(listed))
        except ValueError as error:
            raise InvalidSeed(str(error)) from None
    return Entries(parsed["tenants"], parsed["apps"], parsed["users"], parsed["servicePrincipals"])


@contextmanager
def _refused_as_invalid_seed() -> Iterator[None]:
    try:
        yield
    except ValueError as error:  # an app or user naming an unknown tenant
        raise InvalidSeed(str(error)) from None


def _check_limit(rows: list[tuple[str, str, Record]], store: Store, collection: str, limit: int) -> None:
    # Checked before the first write, so a seed over the limit adds nothing rather than a part.
    nouns = {connectors.COLLECTION: "connectors", extensions.COLLECTION: "custom authentication extensions"}
    noun = nouns.get(collection, collection)
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
