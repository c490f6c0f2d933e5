"""The in-memory store: per-tenant isolation, copies in and out, atomic updates, snapshots; versions (both stores)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from mockgraph.core.errors import QuotaExceeded
from mockgraph.storage.sqlite import SqliteStore
from mockgraph.storage.store import MemoryStore, Store


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


@pytest.fixture(params=["memory", "sqlite"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    return MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "s.db")


def test_version_moves_on_every_write_of_its_tenant_and_never_returns(any_store: Store) -> None:
    store = any_store
    store.insert("elsewhere", "c", {"id": "Y"})
    seen = [store.version("t")]
    # (write, whether it replaces every tenant's records and so moves every tenant's version)
    writes: list[tuple[Callable[[], object], bool]] = [
        (lambda: store.insert("t", "c", {"id": "A", "n": 1}), False),
        (lambda: store.insert("t", "c", {"id": "A", "n": 2}), False),  # a replacement
        (lambda: store.update("t", "c", "A", lambda r: {**r, "n": 3}), False),
        (lambda: store.insert("t", "other", {"id": "B"}), False),
        (lambda: store.delete("t", "c", "A"), False),
        (lambda: store.reset(), True),
        (lambda: store.insert("t", "c", {"id": "A", "n": 1}), False),  # content as after the first write
        (lambda: store.load({"t": {"c": [{"id": "Z"}]}, "elsewhere": {"c": [{"id": "Y"}]}}), True),
    ]
    for write, everywhere in writes:
        elsewhere = store.version("elsewhere")
        write()
        assert store.version("t") not in seen
        assert (store.version("elsewhere") != elsewhere) is everywhere
        seen.append(store.version("t"))
    # Reads, and writes that change nothing, leave it alone.
    unchanged = store.version("t")
    store.list("t", "c")
    store.get("t", "c", "Z")
    assert not store.delete("t", "c", "missing")
    assert store.update("t", "c", "missing", lambda r: r) is None
    assert store.version("t") == unchanged


def test_sqlite_version_is_shared_by_every_opener_of_the_file(tmp_path: Path) -> None:
    one, two = SqliteStore(tmp_path / "s.db"), SqliteStore(tmp_path / "s.db")
    before = two.version("t")
    one.insert("t", "c", {"id": "A"})
    assert two.version("t") != before
