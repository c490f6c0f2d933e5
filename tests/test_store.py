"""The Store protocol, once for every store: isolation, case-insensitive ids, copies in and out, atomic updates
under threads, the limit, snapshots. What only the SQLite store does (a file, processes) is in test_sqlite_store."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from mockgraph.core.errors import QuotaExceeded
from mockgraph.storage.sqlite import SqliteStore
from mockgraph.storage.store import MemoryStore, Store, _clone, shared_get, shared_list

MakeStore = Callable[[], Store]


@pytest.fixture(params=["memory", "sqlite"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> MakeStore:
    """Makes empty stores of one kind; each SQLite store gets a file of its own."""
    numbers = itertools.count()

    def make() -> Store:
        if request.param == "memory":
            return MemoryStore()
        return SqliteStore(tmp_path / f"store-{next(numbers)}.db")

    return make


@pytest.fixture
def store(make_store: MakeStore) -> Store:
    return make_store()


def test_tenant_counts_counts_one_collection_in_every_tenant(store: Store) -> None:
    assert store.tenant_counts("apiConnectors") == {}
    for tenant, collection, object_id in [("t1", "apiConnectors", "A"), ("t1", "apiConnectors", "B"),
                                          ("t2", "apiConnectors", "C"), ("t3", "b2xUserFlows", "D")]:  # fmt: skip
        store.insert(tenant, collection, {"id": object_id})
    store.insert("t4", "apiConnectors", {"id": "E"})
    store.delete("t4", "apiConnectors", "E")  # a tenant emptied again is left out
    assert store.tenant_counts("apiConnectors") == {"t1": 2, "t2": 1}
    assert store.tenant_counts("b2xUserFlows") == {"t3": 1}


def test_tenants_and_collections_are_isolated(store: Store) -> None:
    store.insert("t1", "apiConnectors", {"id": "A", "displayName": "one"})
    store.insert("t2", "apiConnectors", {"id": "B", "displayName": "two"})
    store.insert("t1", "b2xUserFlows", {"id": "C"})
    assert [r["id"] for r in store.list("t1", "apiConnectors")] == ["A"]
    assert store.get("t2", "apiConnectors", "A") is None
    assert store.count("t1", "apiConnectors") == 1
    assert not store.delete("t2", "apiConnectors", "A")
    assert store.get("t1", "apiConnectors", "a") is not None  # ids match case-insensitively


def test_each_operation_and_ids_that_match_case_insensitively(store: Store) -> None:
    store.insert("t1", "apiConnectors", {"id": "A", "n": 1})
    store.insert("t1", "apiConnectors", {"id": "B", "n": 2})
    assert [r["id"] for r in store.list("t1", "apiConnectors")] == ["A", "B"]  # insertion order
    assert store.get("t1", "apiConnectors", "a") == {"id": "A", "n": 1}
    assert store.update("t1", "apiConnectors", "a", lambda r: {**r, "n": 5}) == {"id": "A", "n": 5}
    assert store.get("t1", "apiConnectors", "A") == {"id": "A", "n": 5}
    assert store.update("t1", "apiConnectors", "Z", lambda r: r) is None
    assert store.delete("t1", "apiConnectors", "b")
    assert not store.delete("t1", "apiConnectors", "B")
    assert store.count("t1", "apiConnectors") == 1


def test_callers_cannot_mutate_stored_records(store: Store) -> None:
    record = {"id": "A", "nested": {"value": 1}}
    returned = store.insert("t", "c", record)
    record["nested"]["value"] = 2
    returned["nested"]["value"] = 3
    fetched = store.get("t", "c", "A")
    assert fetched is not None
    assert fetched["nested"]["value"] == 1
    fetched["nested"]["value"] = 4
    assert store.list("t", "c")[0]["nested"]["value"] == 1


def test_update_returns_a_record_independent_of_the_stored_one(store: Store) -> None:
    store.insert("t", "c", {"id": "A", "nested": {"value": 1}})
    extra = {"list": [1, 2]}  # the caller's own object, which the change puts in the record
    returned = store.update("t", "c", "A", lambda r: {**r, "extra": extra})
    assert returned == {"id": "A", "nested": {"value": 1}, "extra": {"list": [1, 2]}}
    returned["nested"]["value"] = 2
    extra["list"].append(3)
    assert store.get("t", "c", "A") == {"id": "A", "nested": {"value": 1}, "extra": {"list": [1, 2]}}


def test_shared_reads_see_the_records_and_never_a_later_write(store: Store) -> None:
    store.insert("t", "c", {"id": "A", "nested": {"value": 1}})
    store.insert("t", "c", {"id": "B"})
    listed = shared_list(store, "t", "c")
    one = shared_get(store, "t", "c", "a")  # ids match case-insensitively here too
    assert [dict(r) for r in listed] == store.list("t", "c")
    assert one == {"id": "A", "nested": {"value": 1}}
    assert shared_get(store, "t", "c", "missing") is None
    assert shared_list(store, "t", "missing") == []
    # Writes replace stored records rather than change them, so what was read stays as it was.
    store.update("t", "c", "A", lambda r: {**r, "nested": {"value": 2}})
    store.insert("t", "c", {"id": "B", "n": 1})
    store.reset()
    assert [dict(r) for r in listed] == [{"id": "A", "nested": {"value": 1}}, {"id": "B"}]
    assert one == {"id": "A", "nested": {"value": 1}}


def test_memory_store_shares_its_records_only_through_the_shared_reads() -> None:
    store = MemoryStore()
    store.insert("t", "c", {"id": "A", "nested": {"value": 1}})
    assert shared_get(store, "t", "c", "A") is shared_get(store, "t", "c", "A")
    assert shared_list(store, "t", "c")[0] is shared_get(store, "t", "c", "A")
    assert store.get("t", "c", "A") is not shared_get(store, "t", "c", "A")


def test_clone_gives_independent_copies_of_every_container() -> None:
    class Marker(dict[str, int]):  # not a plain dict: copied by copy.deepcopy, keeping its type
        pass

    original = {
        "id": "A",
        "flags": [True, None, 1, 2.5, "s"],
        "nested": {"list": [{"deep": [1]}], "marker": Marker(n=1), "pair": ([1], 2)},
    }
    copied = _clone(original)
    assert copied == original
    assert type(copied["nested"]["marker"]) is Marker
    copied["flags"].append("x")
    copied["nested"]["list"][0]["deep"].append(2)
    copied["nested"]["marker"]["n"] = 2
    copied["nested"]["pair"][0].append(3)
    copied["nested"]["new"] = 1
    assert original == {
        "id": "A",
        "flags": [True, None, 1, 2.5, "s"],
        "nested": {"list": [{"deep": [1]}], "marker": Marker(n=1), "pair": ([1], 2)},
    }


def test_failed_update_writes_nothing(store: Store) -> None:
    store.insert("t", "c", {"id": "A", "n": 1})

    def change(record: dict[str, int]) -> dict[str, int]:
        record["n"] = 99  # a change that mutates its argument and then fails must leave no trace
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        store.update("t", "c", "A", change)  # type: ignore[arg-type]
    assert store.get("t", "c", "A") == {"id": "A", "n": 1}
    store.insert("t", "c", {"id": "B"})  # the store still takes writes after the failed one
    assert store.count("t", "c") == 2
    assert store.update("t", "c", "missing", lambda r: r) is None


def test_limit_is_checked_atomically_under_concurrency(store: Store) -> None:
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
        thread.join(timeout=60)
    assert store.count("t", "c") == 20
    assert len(refused) == 40


def test_concurrent_updates_lose_nothing(store: Store) -> None:
    store.insert("t", "c", {"id": "A", "n": 0})

    def worker() -> None:
        for _ in range(200):
            store.update("t", "c", "A", lambda r: {**r, "n": r["n"] + 1})

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert store.get("t", "c", "A") == {"id": "A", "n": 1000}


def test_dump_load_round_trip_and_reset(make_store: MakeStore) -> None:
    store = make_store()
    store.insert("t1", "apiConnectors", {"id": "A"})
    store.insert("t1", "apiConnectors", {"id": "B"})
    store.insert("t2", "apiConnectors", {"id": "C"})
    snapshot = store.dump()
    assert snapshot == {
        "t1": {"apiConnectors": [{"id": "A"}, {"id": "B"}]},
        "t2": {"apiConnectors": [{"id": "C"}]},
    }
    other = make_store()
    other.insert("t9", "c", {"id": "gone after the load"})
    other.load(snapshot)
    assert other.dump() == snapshot
    assert [r["id"] for r in other.list("t1", "apiConnectors")] == ["A", "B"]
    other.reset()
    assert other.dump() == {}
    assert store.dump() == snapshot


def test_version_moves_on_every_write_of_its_tenant_and_never_returns(store: Store) -> None:
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
