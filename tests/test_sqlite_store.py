"""The SQLite store: the Store protocol's behaviour, persistence, and atomic updates across threads and processes."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest

from mockgraph.core.errors import QuotaExceeded
from mockgraph.storage.sqlite import SqliteStore

INCREMENTS = 60


def test_protocol_behaviour_and_persistence(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    store.insert("t1", "apiConnectors", {"id": "A", "n": 1})
    store.insert("t1", "apiConnectors", {"id": "B", "n": 2})
    store.insert("t2", "apiConnectors", {"id": "C"})
    assert [r["id"] for r in store.list("t1", "apiConnectors")] == ["A", "B"]
    assert store.get("t1", "apiConnectors", "a") == {"id": "A", "n": 1}  # ids match case-insensitively
    assert store.get("t2", "apiConnectors", "A") is None
    assert store.update("t1", "apiConnectors", "A", lambda r: {**r, "n": 5}) == {"id": "A", "n": 5}
    assert store.update("t1", "apiConnectors", "Z", lambda r: r) is None
    assert store.delete("t1", "apiConnectors", "B")
    assert not store.delete("t1", "apiConnectors", "B")
    reopened = SqliteStore(tmp_path / "s.db")
    assert reopened.dump() == {
        "t1": {"apiConnectors": [{"id": "A", "n": 5}]},
        "t2": {"apiConnectors": [{"id": "C"}]},
    }
    reopened.load({"t3": {"c": [{"id": "X"}]}})
    assert store.dump() == {"t3": {"c": [{"id": "X"}]}}
    store.reset()
    assert reopened.count("t3", "c") == 0


def test_failed_update_writes_nothing(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    store.insert("t", "c", {"id": "A", "n": 1})

    def explode(record: dict[str, object]) -> dict[str, object]:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        store.update("t", "c", "A", explode)
    assert store.get("t", "c", "A") == {"id": "A", "n": 1}
    store.insert("t", "c", {"id": "B"})  # the store still takes writes after a rollback
    assert store.count("t", "c") == 2


def test_limit_holds_under_thread_contention(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    refused: list[int] = []

    def insert(index: int) -> None:
        try:
            store.insert("t", "c", {"id": f"id-{index}"}, limit=5)
        except QuotaExceeded:
            refused.append(index)

    threads = [threading.Thread(target=insert, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.count("t", "c") == 5
    assert len(refused) == 11


def _increment(path: str) -> None:
    store = SqliteStore(path)
    for _ in range(INCREMENTS):
        store.update("t", "c", "counter", lambda r: {**r, "n": r["n"] + 1})


def test_updates_are_atomic_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    SqliteStore(path).insert("t", "c", {"id": "counter", "n": 0})
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_increment, args=(str(path),)) for _ in range(3)]
    for worker in workers:
        worker.start()
    _increment(str(path))  # this process too, at the same time
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert SqliteStore(path).get("t", "c", "counter") == {"id": "counter", "n": 4 * INCREMENTS}


def test_a_file_from_a_newer_schema_is_refused(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    store._connection().execute("UPDATE meta SET value = '99' WHERE name = 'schema'")
    with pytest.raises(ValueError, match="schema 99"):
        SqliteStore(tmp_path / "s.db")
