"""Storage of Graph objects per tenant and collection; the in-memory implementation.

Records are plain JSON-ready dicts, stored with their secrets (a later feature calls connectors
with them); only the rendering layer decides what a response may show. Every method copies on
the way in and out, so a caller can never mutate stored state by accident, and every write is
all-or-nothing: ``update`` builds the new record completely before it replaces the old one.

A reader that only builds new documents from records (a list's filter, order and rendering) may read
them uncopied through ``shared_list``/``shared_get``: ``MemoryStore`` never changes a stored record in
place (every write replaces it), so what they return stays as it was read.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Mapping, Sequence
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
# The exact JSON scalar types: an item of one of these is kept without a call (most items of a record are).
_SCALARS = frozenset(_IMMUTABLE)


def _clone(value: _T) -> _T:
    """A deep copy of a JSON-ready value, about 5x faster than ``copy.deepcopy`` (no memo, no reducers).

    Anything that is not a dict, list or JSON scalar still goes through ``copy.deepcopy``."""
    return cast(_T, _copy(value))


def _copy(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {key: item if type(item) in _SCALARS else _copy(item) for key, item in value.items()}
    if kind is list:
        return [item if type(item) in _SCALARS else _copy(item) for item in value]
    if isinstance(value, _IMMUTABLE):
        return value
    return copy.deepcopy(value)


def _key(object_id: str) -> str:
    # Graph ids are GUIDs and match case-insensitively.
    return object_id.lower()


def shared_list(store: Store, tenant_id: str, collection: str) -> Sequence[Mapping[str, Any]]:
    """``store.list`` for a reader that never changes what it reads: uncopied from a ``MemoryStore``."""
    if isinstance(store, MemoryStore):
        return store.shared_list(tenant_id, collection)
    return store.list(tenant_id, collection)


def shared_get(store: Store, tenant_id: str, collection: str, object_id: str) -> Mapping[str, Any] | None:
    """``store.get`` for a reader that never changes what it reads: uncopied from a ``MemoryStore``."""
    if isinstance(store, MemoryStore):
        return store.shared_get(tenant_id, collection, object_id)
    return store.get(tenant_id, collection, object_id)


class MemoryStore:
    """A thread-safe in-memory store (the default; fixtures reset it per test).

    A stored record is never changed in place: ``insert`` and ``update`` store a new copy, ``load`` and
    ``reset`` replace the whole content. That is what lets ``shared_list``/``shared_get`` hand them out.
    """

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

    def shared_list(self, tenant_id: str, collection: str) -> Sequence[Mapping[str, Any]]:
        """The stored records themselves, in insertion order: to read, never to change."""
        with self._lock:
            return list(self._data.get((tenant_id, collection), {}).values())

    def shared_get(self, tenant_id: str, collection: str, object_id: str) -> Mapping[str, Any] | None:
        """The stored record itself (None when absent): to read, never to change."""
        with self._lock:
            return self._data.get((tenant_id, collection), {}).get(_key(object_id))

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
            changed = change(_clone(current))
            bucket[_key(object_id)] = _clone(changed)
            self._written(tenant_id)
            # The stored record is a copy of ``changed``, so ``changed`` itself can be the caller's copy.
            return changed

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
