"""The SQLite state file on disk: made whole and private (0600), and checked before a server trusts it.

A new state file is built under a temporary name and linked into place, so no reader ever finds it
half-made or empty: every file mockgraph leaves at the path is a complete state. An existing file is
checked at start (SQLite's integrity check, the tables and columns, every row a JSON record); any fault is
a ``StateFileError`` whose message is one line naming the file and the problem.

Why a 0-byte file is refused rather than taken as a fresh state: mockgraph never leaves one (see above),
so an empty file is a truncated copy, a failed restore or a placeholder, and starting fresh would hide
that the state the user meant to keep is gone, then write over it. A path that does not exist is a
fresh state.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
# Only the owner may read a state: it holds stored passwords and PKCS#12 blobs. SQLite gives the -wal and
# -shm files the main file's mode, so they are private too.
PRIVATE_MODE = 0o600
REQUIRED_COLUMNS = {
    "records": ("seq", "tenant", "collection", "key", "body"),
    "meta": ("name", "value"),
}
FRESH_HINT = "restore it from a backup, or delete it to start a fresh state"
MAX_DETAIL = 160


class StateFileError(ValueError):
    """A state file that cannot be used: ``str()`` is one line naming the file, the problem and what to do."""

    def __init__(self, path: Path, problem: str, hint: str = FRESH_HINT) -> None:
        self.path = path
        self.problem = _one_line(problem)
        self.hint = hint
        super().__init__(f"state file {path} {self.problem}: {hint}")


def damaged(path: Path, error: sqlite3.DatabaseError | str) -> StateFileError:
    """The error for a file SQLite itself finds damaged."""
    return StateFileError(path, f"is damaged ({_one_line(str(error))})")


def _one_line(text: str) -> str:
    # SQLite's reports span lines ("*** in database main ***\nPage 10: ..."), and tenant keys are any
    # text: the error is one line, and short.
    flat = " ".join(text.replace("*** in database main ***", "").split())
    return flat if len(flat) <= MAX_DETAIL else flat[: MAX_DETAIL - 3] + "..."


def create_private(path: Path, schema: str) -> None:
    """Make a complete state file at ``path`` (mode 0600) unless one appears there first.

    ``schema`` is SQL run on the new, empty database. Two processes starting at once both build one;
    the first link wins and the other process opens the winner's file."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".new")  # mode 0600
    os.close(fd)
    try:
        connection = sqlite3.connect(name, isolation_level=None)
        try:
            connection.executescript(schema)
        finally:
            connection.close()
        try:
            os.link(name, path)
        except FileExistsError:
            pass  # another process made it first: theirs is complete too
        except OSError:
            # A file system without hard links: rename is not exclusive on POSIX, so look first
            # (the window is tiny, and only two servers started at the same instant could meet in it).
            if not path.exists():
                os.replace(name, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


def check_header(path: Path) -> None:
    """Refuse a file that is empty or is not a SQLite database, before SQLite opens it."""
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    if not head:
        raise StateFileError(path, "is empty (0 bytes), not a mockgraph state")
    if head != SQLITE_HEADER:
        raise StateFileError(path, "is not a SQLite database", "give another --state path")


def check_contents(path: Path, connection: sqlite3.Connection) -> None:
    """Refuse a damaged database, a missing table or column, or a row that is not a JSON record."""
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check(1)").fetchall()]
    except sqlite3.DatabaseError as error:
        raise damaged(path, error) from None
    if problems != ["ok"]:
        raise damaged(path, str(problems[0]))
    for table, wanted in REQUIRED_COLUMNS.items():
        columns = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
        if not columns:
            raise StateFileError(path, f"is not a mockgraph state (no table '{table}')")
        missing = [name for name in wanted if name not in columns]
        if missing:
            raise StateFileError(
                path, f"is not a mockgraph state (table '{table}' has no column '{missing[0]}')"
            )
    try:
        _check_rows(path, connection)
    except sqlite3.DatabaseError as error:  # damage the integrity check did not reach
        raise damaged(path, error) from None


def _check_rows(path: Path, connection: sqlite3.Connection) -> None:
    rows = connection.execute("SELECT seq, tenant, collection, body FROM records ORDER BY seq")
    for seq, tenant, collection, body in rows:
        where = f"has a bad record (row {seq}, {tenant}/{collection})"
        if not isinstance(body, str):
            raise StateFileError(path, f"{where}: its body is not text")
        try:
            record = json.loads(body)
        except ValueError as error:
            raise StateFileError(path, f"{where}: not JSON ({error})") from None
        if not isinstance(record, dict) or not isinstance(record.get("id"), str) or not record["id"]:
            raise StateFileError(path, f"{where}: not an object with an 'id'")
