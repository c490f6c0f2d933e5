"""The state file at rest: every file holding secrets is private (0600), and a state that is damaged, empty or
not mockgraph's stops ``mockgraph serve`` with one line (exit 2) instead of serving 500s or an empty state."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from mockgraph.server.tls import CA_FILE, SERVER_FILE
from mockgraph.storage.sqlite import SqliteStore
from mockgraph.storage.state_file import StateFileError
from tests._serve_process import ServeProcess, run_cli, run_serve, server_connector

SEEDED_APP = {
    "clientId": "5eed0000-0000-4000-8000-0000000000f1",
    "clientSecret": "private-files-secret-91c2",
    "applicationPermissions": ["APIConnectors.Read.All"],
}
PUBLIC_FILES = {CA_FILE, SERVER_FILE}  # certificates: anyone may read them
OPENERS = 4


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def _umask(mask: int) -> Iterator[None]:
    # The usual umask (022) is what made state.db 0644; the test must not pass only because a stricter one is set.
    previous = os.umask(mask)
    try:
        yield
    finally:
        os.umask(previous)


def test_every_file_holding_secrets_is_private(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    folder.mkdir()
    # The server (and the CLI) inherit the usual umask; entering the block starts the server, once.
    with (
        _umask(0o022),
        ServeProcess(
            tmp_path, "--state", str(folder / "state.db"), "--tls", "--allow-secret-export"
        ) as process,
    ):
        seeded = process.admin(
            "POST", "seed", json={"apps": [SEEDED_APP], "connectors": [server_connector()]}
        )
        assert seeded.status_code == 200, seeded.text
        session = process.session()
        session.headers["Authorization"] = f"Bearer {process.token()}"
        created = session.post(
            f"{process.url}/beta/identity/apiConnectors", json=server_connector(), timeout=10
        )
        assert created.status_code == 201
        files = {path.relative_to(folder).as_posix(): path for path in folder.rglob("*") if path.is_file()}
        # The database and its WAL files exist while the server runs; the keys were made at start.
        assert {"state.db", "state.db-wal", "state.db-shm", "mockgraph-signing-key.pem"} <= set(files)
        assert {"mockgraph-tls/mockgraph-ca-key.pem", "mockgraph-tls/mockgraph-server-key.pem"} <= set(files)
        exposed = {name: oct(_mode(path)) for name, path in files.items() if path.name not in PUBLIC_FILES}
        assert exposed == dict.fromkeys(exposed, oct(0o600))

        (tmp_path / "existing.json").write_text("{}")
        assert oct(_mode(tmp_path / "existing.json")) == oct(0o644)  # its mode must not survive the secrets
        for name in ("snapshot.json", "existing.json"):
            target = tmp_path / name
            result = run_cli(
                "snapshot",
                "--secrets",
                "-o",
                str(target),
                "--url",
                process.url,
                "--ca",
                str(process.ca_file),
            )
            assert result.returncode == 0, result.stderr
            assert SEEDED_APP["clientSecret"] in target.read_text()
            assert oct(_mode(target)) == oct(0o600), name
        assert process.stop() == 0


def test_snapshot_output_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    with ServeProcess(tmp_path) as process:
        result = run_cli("snapshot", "-o", str(tmp_path / "missing" / "out.json"), "--url", process.url)
        assert (result.returncode, result.stderr.count("\n")) == (1, 1)
        assert "cannot write" in result.stderr
        assert process.stop() == 0


def _state_with_rows(path: Path, rows: int = 40) -> Path:
    store = SqliteStore(path)
    for index in range(rows):
        store.insert("t", "apiConnectors", {"id": f"id-{index}", "displayName": "x" * 800})
    store.close()  # the last connection checkpoints the WAL into the main file
    assert not Path(f"{path}-wal").exists()
    return path


def _damaged_page(path: Path) -> None:
    _state_with_rows(path)
    size = path.stat().st_size
    with path.open("r+b") as handle:  # one whole page in the middle, overwritten
        handle.seek((size // 4096 // 2) * 4096)
        handle.write(b"\xa5" * 4096)


def _bad_json_row(path: Path) -> None:
    _state_with_rows(path, rows=3)
    with sqlite3.connect(path) as connection:
        connection.execute("""UPDATE records SET body = '{"id": "id-1", "displayName"' WHERE key = 'id-1'""")


def _not_a_record_row(path: Path) -> None:
    _state_with_rows(path, rows=3)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE records SET body = '[1, 2]' WHERE key = 'id-2'")


def _dropped_table(path: Path) -> None:
    _state_with_rows(path, rows=3)
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE records")


def _another_database(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE customers (name TEXT)")


def _empty_file(path: Path) -> None:
    path.write_bytes(b"")


def _not_sqlite(path: Path) -> None:
    path.write_text("name,targetUrl\nsomething,https://example.com\n" * 50)


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (_damaged_page, "it is damaged"),
        (_bad_json_row, "it has a bad record (row 2, t/apiConnectors): not JSON"),
        (_not_a_record_row, "it has a bad record (row 3, t/apiConnectors): not an object with an 'id'"),
        (_dropped_table, "it is not a mockgraph state (no table 'records')"),
        (_another_database, "it is not a mockgraph state (no table 'records')"),
        (_empty_file, "it is empty (0 bytes), not a mockgraph state"),
        (_not_sqlite, "it is not a SQLite database"),
    ],
)
def test_a_state_file_that_is_not_a_whole_mockgraph_state_stops_serve(
    tmp_path: Path, damage: Callable[[Path], None], says: str
) -> None:
    state = tmp_path / "state.db"
    damage(state)
    before = state.read_bytes()
    result = run_serve(tmp_path, "--state", str(state), "--port", "0")
    assert (result.returncode, result.stderr.count("\n")) == (2, 1), result.stderr
    assert result.stderr.startswith(f"mockgraph serve: error: cannot open the state {state}: {says}")
    assert "Traceback" not in result.stderr
    assert "mockgraph ready" not in result.stdout
    assert state.read_bytes() == before  # refused, not repaired or replaced


def _open_and_insert(path: str, index: int, start: multiprocessing.synchronize.Barrier) -> None:
    start.wait(timeout=30)
    SqliteStore(path).insert("t", "c", {"id": f"id-{index}"})


def test_a_new_state_file_appears_whole_and_private_to_processes_starting_together(tmp_path: Path) -> None:
    # Made under a temporary name and linked into place: no opener ever finds an empty (refused) file.
    path = tmp_path / "new" / "state.db"
    path.parent.mkdir()
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(OPENERS)
    openers = [context.Process(target=_open_and_insert, args=(str(path), i, start)) for i in range(OPENERS)]
    with _umask(0o022):
        for opener in openers:
            opener.start()
        for opener in openers:
            opener.join(timeout=60)
    assert [opener.exitcode for opener in openers] == [0] * OPENERS
    assert SqliteStore(path).count("t", "c") == OPENERS
    assert oct(_mode(path)) == oct(0o600)
    assert sorted(p.name for p in path.parent.iterdir() if not p.name.startswith("state.db")) == []


def test_the_store_refuses_a_damaged_file_with_a_state_file_error(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    _bad_json_row(path)
    with pytest.raises(StateFileError, match="bad record") as caught:
        SqliteStore(path)
    assert caught.value.path == path
