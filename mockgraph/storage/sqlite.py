"""A ``Store`` kept in one SQLite file (WAL): every write is committed before it returns, across threads and processes.

Each record is one row holding its whole JSON text, so a write replaces a record in one statement and a
``kill -9`` can never leave half of one. Read-modify-write (``insert`` with a limit, ``update``) runs inside
``BEGIN IMMEDIATE``, which takes SQLite's write lock first, so two threads or two processes sharing the
file never interleave their reads and writes. Connections are per thread and per process (a forked worker
opens its own). A new file is made private and whole, and an existing one is checked before it is used
(``mockgraph.storage.state_file``); ``version`` is a per-tenant counter kept by triggers, so it moves for
writes made by any process.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from mockgraph.core.config import MockGraphConfig
from mockgraph.core.errors import QuotaExceeded
from mockgraph.storage.state_file import (
    StateFileError,
    check_contents,
    check_header,
    create_private,
    damaged,
)
from mockgraph.storage.store import MemoryStore, Record, Snapshot, Store

SCHEMA_VERSION = 1
# A writer waits this long for another process's transaction before SQLite reports "database is locked".
BUSY_TIMEOUT_MS = 30_000
SIGNING_KEY_NAME = "mockgraph-signing-key.pem"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant TEXT NOT NULL,
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (tenant, collection, key)
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_FRESH_META = f"INSERT INTO meta VALUES ('schema', '{SCHEMA_VERSION}');"
# Store.version: a per-tenant counter every write moves, in the same transaction, from any process.
_VERSIONS = """
CREATE TABLE IF NOT EXISTS versions (tenant TEXT PRIMARY KEY, version INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS records_inserted AFTER INSERT ON records BEGIN
    INSERT INTO versions VALUES (NEW.tenant, 1) ON CONFLICT (tenant) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER IF NOT EXISTS records_updated AFTER UPDATE ON records BEGIN
    INSERT INTO versions VALUES (NEW.tenant, 1) ON CONFLICT (tenant) DO UPDATE SET version = version + 1;
END;
CREATE TRIGGER IF NOT EXISTS records_deleted AFTER DELETE ON records BEGIN
    INSERT INTO versions VALUES (OLD.tenant, 1) ON CONFLICT (tenant) DO UPDATE SET version = version + 1;
END;
"""


def _key(object_id: str) -> str:
    # Graph ids are GUIDs and match case-insensitively, as in MemoryStore.
    return object_id.lower()


class SqliteStore:
    """The persistent store behind ``mockgraph serve --state PATH``."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        if not self.path.exists():
            create_private(self.path, _SCHEMA + _VERSIONS + _FRESH_META)
        check_header(self.path)
        try:
            # Checked on a read-only connection, so a refused file is left exactly as it was found.
            with closing(sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)) as reader:
                check_contents(self.path, reader)
                _check_schema(self.path, reader)
            # Added after schema 1 without changing what it reads: files made earlier gain them here.
            self._connection().executescript(_VERSIONS)
        except sqlite3.DatabaseError as error:
            self.close()
            raise damaged(self.path, error) from None

    # Connections ------------------------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        # A forked worker inherits the parent's thread-local: never reuse a connection across processes.
        if connection is None or getattr(self._local, "pid", None) != os.getpid():
            # isolation_level=None: no implicit transactions; this class says BEGIN itself.
            connection = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
            connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL survives any process crash (kill -9); only a power cut may lose the last commits.
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
            self._local.pid = os.getpid()
        return connection

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction holding SQLite's write lock from its first statement; committed on exit."""
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def close(self) -> None:
        """Close this thread's connection (others close when their threads end)."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None

    # The Store protocol -----------------------------------------------------------------------------

    def insert(
        self,
        tenant_id: str,
        collection: str,
        record: Record,
        *,
        limit: int | None = None,
    ) -> Record:
        body = json.dumps(record, separators=(",", ":"))
        with self._transaction() as connection:
            if limit is not None:
                (held,) = connection.execute(
                    "SELECT COUNT(*) FROM records WHERE tenant = ? AND collection = ?",
                    (tenant_id, collection),
                ).fetchone()
                if held >= limit:
                    raise QuotaExceeded(limit)
            # Like MemoryStore's dict assignment: a known id is replaced in place, keeping its position.
            connection.execute(
                "INSERT INTO records (tenant, collection, key, body) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (tenant, collection, key) DO UPDATE SET body = excluded.body",
                (tenant_id, collection, _key(record["id"]), body),
            )
        loaded: Record = json.loads(body)
        return loaded

    def get(self, tenant_id: str, collection: str, object_id: str) -> Record | None:
        row = (
            self._connection()
            .execute(
                "SELECT body FROM records WHERE tenant = ? AND collection = ? AND key = ?",
                (tenant_id, collection, _key(object_id)),
            )
            .fetchone()
        )
        return None if row is None else _loads(row[0])

    def list(self, tenant_id: str, collection: str) -> list[Record]:
        rows = (
            self._connection()
            .execute(
                "SELECT body FROM records WHERE tenant = ? AND collection = ? ORDER BY seq",
                (tenant_id, collection),
            )
            .fetchall()
        )
        return [_loads(body) for (body,) in rows]

    def count(self, tenant_id: str, collection: str) -> int:
        (held,) = (
            self._connection()
            .execute(
                "SELECT COUNT(*) FROM records WHERE tenant = ? AND collection = ?", (tenant_id, collection)
            )
            .fetchone()
        )
        return int(held)

    def tenant_counts(self, collection: str) -> dict[str, int]:
        rows = (
            self._connection()
            .execute(
                "SELECT tenant, COUNT(*) FROM records WHERE collection = ? GROUP BY tenant", (collection,)
            )
            .fetchall()
        )
        return {str(tenant): int(held) for tenant, held in rows}

    def update(
        self,
        tenant_id: str,
        collection: str,
        object_id: str,
        change: Callable[[Record], Record],
    ) -> Record | None:
        with self._transaction() as connection:
            row = connection.execute(
                "SELECT seq, body FROM records WHERE tenant = ? AND collection = ? AND key = ?",
                (tenant_id, collection, _key(object_id)),
            ).fetchone()
            if row is None:
                return None
            # ``change`` may raise: the transaction then rolls back and nothing is written.
            body = json.dumps(change(_loads(row[1])), separators=(",", ":"))
            connection.execute("UPDATE records SET body = ? WHERE seq = ?", (body, row[0]))
        return _loads(body)

    def delete(self, tenant_id: str, collection: str, object_id: str) -> bool:
        with self._transaction() as connection:
            cursor = connection.execute(
                "DELETE FROM records WHERE tenant = ? AND collection = ? AND key = ?",
                (tenant_id, collection, _key(object_id)),
            )
            return cursor.rowcount > 0

    def reset(self) -> None:
        with self._transaction() as connection:
            connection.execute("DELETE FROM records")

    def dump(self) -> Snapshot:
        snapshot: Snapshot = {}
        rows = (
            self._connection().execute("SELECT tenant, collection, body FROM records ORDER BY seq").fetchall()
        )
        for tenant_id, collection, body in rows:
            snapshot.setdefault(tenant_id, {}).setdefault(collection, []).append(_loads(body))
        return snapshot

    def load(self, snapshot: Snapshot) -> None:
        rows = [
            (tenant_id, collection, _key(record["id"]), json.dumps(record, separators=(",", ":")))
            for tenant_id, collections in snapshot.items()
            for collection, records in collections.items()
            for record in records
        ]
        with self._transaction() as connection:
            connection.execute("DELETE FROM records")
            connection.executemany(
                "INSERT OR REPLACE INTO records (tenant, collection, key, body) VALUES (?, ?, ?, ?)", rows
            )

    def version(self, tenant_id: str) -> int:
        row = (
            self._connection()
            .execute("SELECT version FROM versions WHERE tenant = ?", (tenant_id,))
            .fetchone()
        )
        return 0 if row is None else int(row[0])


def _check_schema(path: Path, connection: sqlite3.Connection) -> None:
    found = connection.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
    if found is None:
        raise StateFileError(path, "is not a mockgraph state (no schema version)")
    if found[0] != str(SCHEMA_VERSION):
        raise StateFileError(
            path,
            f"has state schema {found[0]}, this mockgraph reads {SCHEMA_VERSION}",
            "run the mockgraph that wrote it, or give another --state path",
        )


def _loads(body: str) -> Record:
    record: dict[str, Any] = json.loads(body)
    return record


def open_store(state_path: Path | None) -> Store:
    """The store a configuration names: in memory without a state path, else SQLite at that path."""
    return MemoryStore() if state_path is None else SqliteStore(state_path)


def with_state_defaults(config: MockGraphConfig) -> MockGraphConfig:
    """Keep the signing key beside the state file (so tokens survive restarts and every worker trusts them)."""
    if config.state_path is None or config.signing_key_path is not None:
        return config
    return replace(config, signing_key_path=Path(config.state_path).parent / SIGNING_KEY_NAME)
