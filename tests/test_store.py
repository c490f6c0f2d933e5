"""The in-memory store: per-tenant isolation, copies in and out, atomic updates, snapshots."""

from __future__ import annotations

import threading

import pytest

from mockgraph.core.errors import QuotaExceeded
from mockgraph.storage.store import MemoryStore


def test_tenants_and_collections_are_isolated() -> None:
    store = MemoryStore()
    store.insert("t1", "apiConnectors", {"id": "A", "displayName": "one"})
    store.insert("t2", "apiConnectors", {"id": "B", "displayName": "two"})
    store.insert("t1", "b2xUserFlows", {"id": "C"})
    assert [r["id"] for r in store.list("t1", "apiConnectors")] == ["A"]
    assert store.get("t2", "apiConnectors", "A") is None
    assert store.count("t1", "apiConnectors") == 1
    assert not store.delete("t2", "apiConnectors", "A")
    assert store.get("t1", "apiConnectors", "a") is not None  # ids match case-insensitively


def test_callers_cannot_mutate_stored_records() -> None:
    store = MemoryStore()
    record = {"id": "A", "nested": {"value": 1}}
    returned = store.insert("t", "c", record)
    record["nested"]["value"] = 2
    returned["nested"]["value"] = 3
    fetched = store.get("t", "c", "A")
    assert fetched is not None
    assert fetched["nested"]["value"] == 1
    fetched["nested"]["value"] = 4
    assert store.list("t", "c")[0]["nested"]["value"] == 1


def test_failed_update_writes_nothing() -> None:
    store = MemoryStore()
    store.insert("t", "c", {"id": "A", "n": 1})

    def change(record: dict[str, int]) -> dict[str, int]:
        record["n"] = 99
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        store.update("t", "c", "A", change)  # type: ignore[arg-type]
    assert store.get("t", "c", "A") == {"id": "A", "n": 1}
    assert store.update("t", "c", "missing", lambda r: r) is None


def test_limit_is_checked_atomically_under_concurrency() -> None:
    store = MemoryStore()
    refused: list[int] = []

    def worker(index: int) -> None:
        try:
            store.insert("t", "c", {"id": f"id-{index}"}, limit=20)
        except QuotaExceeded:
            refused.append(index)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.count("t", "c") == 20
    assert len(refused) == 40


def test_concurrent_updates_lose_nothing() -> None:
    store = MemoryStore()
    store.insert("t", "c", {"id": "A", "n": 0})

    def worker() -> None:
        for _ in range(200):
            store.update("t", "c", "A", lambda r: {**r, "n": r["n"] + 1})

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.get("t", "c", "A") == {"id": "A", "n": 1000}


def test_dump_load_round_trip_and_reset() -> None:
    store = MemoryStore()
    store.insert("t1", "apiConnectors", {"id": "A"})
    store.insert("t1", "apiConnectors", {"id": "B"})
    store.insert("t2", "apiConnectors", {"id": "C"})
    snapshot = store.dump()
    other = MemoryStore()
    other.load(snapshot)
    assert other.dump() == snapshot
    assert [r["id"] for r in other.list("t1", "apiConnectors")] == ["A", "B"]
    other.reset()
    assert other.dump() == {}
    assert store.dump() == snapshot
