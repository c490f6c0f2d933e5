"""What only the SQLite store does: a file that outlives the store, WAL, atomic updates across processes, and a
schema version. The Store protocol itself is tested once for every store in test_store."""

from __future__ import annotations

import multiprocessing
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from mockgraph.storage.sqlite import SqliteStore

INCREMENTS = 60


def test_the_file_persists_and_two_stores_on_it_see_each_other(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.db")
    store.insert("t1", "apiConnectors", {"id": "A", "n": 1})
    store.insert("t1", "apiConnectors", {"id": "B", "n": 2})
    store.insert("t2", "apiConnectors", {"id": "C"})
    store.update("t1", "apiConnectors", "A", lambda r: {**r, "n": 5})
    store.delete("t1", "apiConnectors", "B")
    reopened = SqliteStore(tmp_path / "s.db")
    assert reopened.dump() == {
        "t1": {"apiConnectors": [{"id": "A", "n": 5}]},
        "t2": {"apiConnectors": [{"id": "C"}]},
    }
    reopened.load({"t3": {"c": [{"id": "X"}]}})
    assert store.dump() == {"t3": {"c": [{"id": "X"}]}}
    store.reset()
    assert reopened.count("t3", "c") == 0


def test_the_file_is_in_wal_mode(tmp_path: Path) -> None:
    # WAL is what lets readers run beside the one writer, and what makes synchronous=NORMAL crash-safe.
    SqliteStore(tmp_path / "s.db").insert("t", "c", {"id": "A"})
    with closing(sqlite3.connect(tmp_path / "s.db")) as connection:  # the mode is stored in the file itself
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


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
