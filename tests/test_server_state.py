"""``mockgraph serve --state``: a restart keeps everything, ``kill -9`` under load loses no acknowledged write and
leaves no partial one, and two processes (forked workers or separate servers) on one state file agree."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import requests

from mockgraph.core.config import DEFAULT_TENANT_ID
from tests._serve_process import ServeProcess
from tests.test_server_process import connector_body

SEEDED_APP = "5eed0000-0000-4000-8000-0000000000a3"
SEEDED_SECRET = "restart-app-secret-3d7f"
LOAD_SECONDS = 1.5
MAX_WRITES_PER_THREAD = 400


def authorised(process: ServeProcess, token: str | None = None) -> requests.Session:
    session = process.session()
    session.headers["Authorization"] = f"Bearer {token or process.token()}"
    return session


def connectors_of(process: ServeProcess, session: requests.Session) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    url: str | None = f"{process.url}/beta/identity/apiConnectors?$top=999"
    while url:
        page = session.get(url, timeout=10).json()
        found += page["value"]
        url = page.get("@odata.nextLink")
    return found


def test_restart_with_state_keeps_everything(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    with ServeProcess(tmp_path, "--state", str(state), "--allow-secret-export") as first:
        session = authorised(first)
        created = [
            session.post(
                f"{first.url}/beta/identity/apiConnectors", json=connector_body(f"c{i}"), timeout=10
            ).json()
            for i in range(3)
        ]
        session.patch(
            f"{first.url}/beta/identity/apiConnectors/{created[1]['id']}",
            json={"displayName": "patched"},
            timeout=10,
        )
        seeded = first.admin(
            "POST",
            "seed",
            json={
                "apps": [
                    {
                        "clientId": SEEDED_APP,
                        "clientSecret": SEEDED_SECRET,
                        "applicationPermissions": ["APIConnectors.Read.All"],
                    }
                ]
            },
        )
        assert seeded.status_code == 200, seeded.text
        token_before = session.headers["Authorization"]
        snapshot_before = first.admin("GET", "snapshot", params={"secrets": "true"}).json()
        assert first.stop() == 0
    with ServeProcess(tmp_path, "--state", str(state), "--allow-secret-export") as second:
        # The signing key lives beside the state: a token from before the restart is still accepted.
        session = second.session()
        session.headers["Authorization"] = token_before
        names = [c["displayName"] for c in connectors_of(second, session)]
        assert names == ["c0", "patched", "c2"]
        # The app seeded at run time survived too, secret and all.
        assert connectors_of(
            second, authorised(second, second.token(client_id=SEEDED_APP, secret=SEEDED_SECRET))
        )
        assert second.admin("GET", "snapshot", params={"secrets": "true"}).json() == snapshot_before
        assert second.stop() == 0


def test_seed_file_applies_only_to_an_empty_state(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"connectors": [connector_body("from seed")]}))
    args = ("--state", str(tmp_path / "state.db"), "--seed", str(seed))
    for _ in range(2):
        with ServeProcess(tmp_path, *args) as process:
            assert [c["displayName"] for c in connectors_of(process, authorised(process))] == ["from seed"]
            assert process.stop() == 0


def _write_load(process: ServeProcess, acknowledged: list[str], stop: threading.Event) -> None:
    session = authorised(process)
    for index in range(MAX_WRITES_PER_THREAD):
        if stop.is_set():
            return
        try:
            response = session.post(
                f"{process.url}/beta/identity/apiConnectors", json=connector_body(f"load-{index}"), timeout=5
            )
        except requests.RequestException:
            return  # the server died mid-request: this write was never acknowledged
        if response.status_code == 201:
            acknowledged.append(response.json()["id"])


def test_kill_9_under_write_load_loses_no_acknowledged_write(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    args = ("--state", str(state), "--connector-limit", "100000", "--allow-secret-export")
    acknowledged: list[str] = []
    with ServeProcess(tmp_path, *args) as process:
        stop = threading.Event()
        writers = [threading.Thread(target=_write_load, args=(process, acknowledged, stop)) for _ in range(4)]
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + LOAD_SECONDS
        while time.monotonic() < deadline and len(acknowledged) < 50:
            time.sleep(0.05)
        process.kill()  # SIGKILL while the writers are still sending
        stop.set()
        for writer in writers:
            writer.join(timeout=10)
    assert len(acknowledged) >= 10
    with ServeProcess(tmp_path, *args) as restarted:
        session = authorised(restarted)
        survivors = connectors_of(restarted, session)
        assert set(acknowledged) <= {c["id"] for c in survivors}
        for connector in survivors:  # every stored connector is whole
            assert connector["displayName"].startswith("load-")
            assert connector["targetUrl"] == "https://api.example.com/validate"
            assert connector["authenticationConfiguration"]["password"] == "******"
        stored = restarted.admin("GET", "snapshot", params={"secrets": "true"}).json()
        for record in stored["data"][DEFAULT_TENANT_ID]["apiConnectors"]:
            assert record["authenticationConfiguration"]["password"] == "basic-pw-7f3a9c1e"
        assert restarted.stop() == 0


def test_two_workers_on_one_state_file_agree(tmp_path: Path) -> None:
    with ServeProcess(tmp_path, "--state", str(tmp_path / "state.db"), "--workers", "2") as process:
        session = authorised(process)
        created = {
            session.post(
                f"{process.url}/beta/identity/apiConnectors", json=connector_body(f"w{i}"), timeout=10
            ).json()["id"]
            for i in range(8)
        }
        pids: set[int] = set()
        for _ in range(100):  # a fresh connection each time, so the kernel spreads them over both workers
            fresh = authorised(process, session.headers["Authorization"].split(" ", 1)[1])
            assert {c["id"] for c in connectors_of(process, fresh)} == created
            pids.add(process.admin("GET", "health").json()["pid"])
            if len(pids) == 2:
                break
        assert len(pids) == 2, pids  # both workers answered
        assert process.stop() == 0
    assert "Traceback" not in process.logs()


def test_two_servers_on_one_state_file_share_the_connector_limit(tmp_path: Path) -> None:
    args = ("--state", str(tmp_path / "state.db"), "--connector-limit", "6")
    with ServeProcess(tmp_path, *args) as one, ServeProcess(tmp_path, *args) as two:
        token = one.token()
        statuses: list[int] = []

        def create(process: ServeProcess) -> None:
            session = authorised(process, token)
            for index in range(5):
                response = session.post(
                    f"{process.url}/beta/identity/apiConnectors", json=connector_body(f"x{index}"), timeout=10
                )
                statuses.append(response.status_code)

        threads = [threading.Thread(target=create, args=(p,)) for p in (one, two, one, two)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert statuses.count(201) == 6
        assert sorted(set(statuses)) == [201, 400]
        ids_one = {c["id"] for c in connectors_of(one, authorised(one, token))}
        ids_two = {c["id"] for c in connectors_of(two, authorised(two, token))}
        assert ids_one == ids_two
        assert len(ids_one) == 6
        assert one.stop() == 0
        assert two.stop() == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purpose; only a running process holds the port.
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    return True


def test_workers_stop_when_their_supervisor_is_killed(tmp_path: Path) -> None:
    with ServeProcess(tmp_path, "--state", str(tmp_path / "state.db"), "--workers", "2") as process:
        pids: set[int] = set()
        for _ in range(100):
            pids.add(process.admin("GET", "health").json()["pid"])
            if len(pids) == 2:
                break
        assert len(pids) == 2
        process.kill()  # SIGKILL: the supervisor cannot pass anything on
        deadline = time.monotonic() + 20
        while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in pids if _alive(pid)]
