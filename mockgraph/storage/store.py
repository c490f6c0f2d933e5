"""Storage of Graph objects per tenant and collection; the in-memory implementation.

Records are plain JSON-ready dicts, stored with their secrets (a later feature calls connectors
with them); only the rendering layer decides what a response may show. Every method copies on
the way in and out, so a caller can never mutate stored state by accident, and every write is
all-or-nothing: ``update`` builds the new record completely before it replaces the old one.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any, Protocol, TypeVar, cast

from mockgraph.core.errors import QuotaExceeded

Record = dict[str, Any]
Snapshot = dict[str, dict[str, list[Record]]]


class Store(Protocol):
    """What the application needs from a store; ``MemoryStore`` and the SQLite store implement it."""

    def insert(
        self,
        tenant_id: str,
        collection: str,
        record: Record,
        *,
        limit: int | None = None,
    ) -> Record:
        """Add ``record`` (it has an ``id``); raise QuotaExceeded if the collection already holds ``limit``."""
        ...

    def get(self, tenant_id: str, collection: str, object_id: str) -> Record | None: ...

    def list(self, tenant_id: str, collection: str) -> list[Record]:
        """Records in insertion order."""
        ...

    def count(self, tenant_id: str, collection: str) -> int: ...

    def tenant_counts(self, collection: str) -> dict[str, int]:
        """How many records of ``collection`` each tenant holds (tenants holding none are left out).

        Reads every tenant: for diagnostics (a caller finding nothing in its own tenant), not every request."""
        ...

    def update(
        self,
        tenant_id: str,
        collection: str,
        object_id: str,
        change: Callable[[Record], Record],
    ) -> Record | None:
        """Replace a record by ``change(old)`` atomically; None when absent.

        ``change`` may raise, and then nothing is written."""
        ...

    def delete(self, tenant_id: str, collection: str, object_id: str) -> bool: ...

    def reset(self) -> None:
        """Forget every record of every tenant."""
        ...

    def dump(self) -> Snapshot:
        """Every record: ``{tenant: {collection: [records in order]}}``."""
        ...

    def load(self, snapshot: Snapshot) -> None:
        """Replace the whole content with ``snapshot``."""
        ...

    def version(self, tenant_id: str) -> int:
        """A number that changes whenever a record of ``tenant_id`` is written or removed, by anyone sharing
        the store (other threads, other processes on one state file); it never returns to an earlier value.

        Cheap enough to call on every request, so a reader can keep what it built from a tenant's records
        and rebuild it only when this number moves."""
        ...


_T = TypeVar("_T")
_IMMUTABLE = (str, int, float, bool, type(None))


def _clone(value: _T) -> _T:
    """A deep copy of a JSON-ready value, about 4x faster than ``copy.deepcopy`` (no memo, no reducers).

    Anything that is not a dict, list or JSON scalar still goes through ``copy.deepcopy``."""
    kind = type(value)
    if kind is dict:
        return cast(_T, {key: _clone(item) for key, item in cast(dict[str, Any], value).items()})
    if kind is list:
        return cast(_T, [_clone(item) for item in cast(list[Any], value)])
    if isinstance(value, _IMMUTABLE):
        return value
    return copy.deepcopy(value)


def _key(object_id: str) -> str:
    # Graph ids are GUIDs and match case-insensitively.
    return object_id.lower()


class MemoryStore:
    """A thread-safe in-memory store (the default; fixtures reset it per test)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._data: dict[tuple[str, str], dict[str, Record]] = {}
        # Versions are values of one counter, so a tenant's version only grows, even across reset and load
        # (which move every tenant to the floor): a reader never sees an old number come back.
        self._counter = 0
        self._floor = 0
        self._versions: dict[str, int] = {}

    def _written(self, tenant_id: str) -> None:
        # Called with the lock held.
        self._counter += 1
        self._versions[tenant_id] = self._counter

    def _replaced_all(self) -> None:
        self._counter += 1
        self._floor = self._counter
        self._versions = {}

    def _bucket(self, tenant_id: str, collection: str) -> dict[str, Record]:
        return self._data.setdefault((tenant_id, collection), {})

    def insert(
        self,
        tenant_id: str,
        collection: str,
        record: Record,
        *,
        limit: int | None = None,
    ) -> Record:
        stored = _clone(record)
        with self._lock:
            bucket = self._bucket(tenant_id, collection)
            if limit is not None and len(bucket) >= limit:
                raise QuotaExceeded(limit)
            bucket[_key(stored["id"])] = stored
            self._written(tenant_id)
        return _clone(stored)

    def get(self, tenant_id: str, collection: str, object_id: str) -> Record | None:
        with self._lock:
            found = self._data.get((tenant_id, collection), {}).get(_key(object_id))
            return _clone(found) if found is not None else None

    def list(self, tenant_id: str, collection: str) -> list[Record]:
        with self._lock:
            return _clone(list(self._data.get((tenant_id, collection), {}).values()))

    def count(self, tenant_id: str, collection: str) -> int:
        with self._lock:
            return len(self._data.get((tenant_id, collection), {}))

    def tenant_counts(self, collection: str) -> dict[str, int]:
        with self._lock:
            return {
                tenant: len(bucket)
                for (tenant, name), bucket in self._data.items()
                if name == collection and bucket
            }

    def update(
        self,
        tenant_id: str,
        collection: str,
        object_id: str,
        change: Callable[[Record], Record],
    ) -> Record | None:
        with self._lock:
            bucket = self._data.get((tenant_id, collection), {})
            current = bucket.get(_key(object_id))
            if current is None:
                return None
            replacement = _clone(change(_clone(current)))
            bucket[_key(object_id)] = replacement
            self._written(tenant_id)
            return _clone(replacement)

    def delete(self, tenant_id: str, collection: str, object_id: str) -> bool:
        with self._lock:
            removed = self._data.get((tenant_id, collection), {}).pop(_key(object_id), None) is not None
            if removed:
                self._written(tenant_id)
            return removed

    def reset(self) -> None:
        with self._lock:
            self._data = {}
            self._replaced_all()

    def dump(self) -> Snapshot:
        with self._lock:
            snapshot: Snapshot = {}
            for (tenant_id, collection), bucket in self._data.items():
                if bucket:
                    snapshot.setdefault(tenant_id, {})[collection] = _clone(list(bucket.values()))
            return snapshot

    def load(self, snapshot: Snapshot) -> None:
        fresh: dict[tuple[str, str], dict[str, Record]] = {}
        for tenant_id, collections in snapshot.items():
            for collection, records in collections.items():
                fresh[(tenant_id, collection)] = {_key(r["id"]): _clone(r) for r in records}
        with self._lock:
            self._data = fresh
            self._replaced_all()

    def version(self, tenant_id: str) -> int:
        with self._lock:
            return self._versions.get(tenant_id, self._floor)
