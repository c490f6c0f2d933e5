"""``mockgraph serve --state``: a restart keeps everything, ``kill -9`` under load loses no acknowledged write and
leaves no partial one, and two processes (forked workers or separate servers) on one state file agree."""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from mockgraph.core.config import DEFAULT_TENANT_ID, EXTERNAL_ID_USER_FLOW_ADMINISTRATOR
from tests._serve_process import BASIC_PASSWORD, ServeProcess, server_connector

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
                f"{first.url}/beta/identity/apiConnectors", json=server_connector(f"c{i}"), timeout=10
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
    seed.write_text(json.dumps({"connectors": [server_connector("from seed")]}))
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
                f"{process.url}/beta/identity/apiConnectors",
                json=server_connector(f"load-{index}"),
                timeout=5,
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
            assert record["authenticationConfiguration"]["password"] == BASIC_PASSWORD
        assert restarted.stop() == 0


def test_two_workers_on_one_state_file_agree(tmp_path: Path) -> None:
    with ServeProcess(tmp_path, "--state", str(tmp_path / "state.db"), "--workers", "2") as process:
        session = authorised(process)
        created = {
            session.post(
                f"{process.url}/beta/identity/apiConnectors", json=server_connector(f"w{i}"), timeout=10
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


RUNTIME_TENANT = "7e7e0000-0000-4000-8000-00000000e001"
RUNTIME_APP = {
    "clientId": "7e7e0000-0000-4000-8000-00000000e0a1",
    "clientSecret": "runtime-app-secret-5b1d",
    "tenantId": RUNTIME_TENANT,
    "applicationPermissions": ["APIConnectors.Read.All"],
    "delegatedScopes": ["APIConnectors.Read.All"],
}
RUNTIME_USER = {
    "username": "admin@runtime.example",
    "password": "runtime-user-pw-77c0",
    "objectId": "7e7e0000-0000-4000-8000-00000000e0b1",
    "tenantId": RUNTIME_TENANT,
    "directoryRoles": [EXTERNAL_ID_USER_FLOW_ADMINISTRATOR],
}
MIN_ROUNDS, MAX_ROUNDS = 20, 80


def _both_pids(process: ServeProcess, session_for: Callable[[], requests.Session]) -> set[int]:
    """Health on fresh connections until both workers answered (bounded)."""
    pids: set[int] = set()
    for _ in range(MAX_ROUNDS):
        pids.add(session_for().get(f"{process.url}/_mockgraph/health", timeout=10).json()["pid"])
        if len(pids) == 2:
            break
    return pids


def _runtime_round(process: ServeProcess) -> tuple[int, list[int]]:
    """On one new connection (so one worker): its pid, then a token of each kind and Graph with each."""
    session = process.session()
    pid = session.get(f"{process.url}/_mockgraph/health", timeout=10).json()["pid"]
    token_url = f"{process.url}/{RUNTIME_TENANT}/oauth2/v2.0/token"
    app_token = session.post(
        token_url,
        data={
            "grant_type": "client_credentials",
            "client_id": RUNTIME_APP["clientId"],
            "client_secret": RUNTIME_APP["clientSecret"],
            "scope": "https://graph.microsoft.com/.default",
        },
        timeout=10,
    )
    user_token = session.post(
        token_url,
        data={
            "grant_type": "password",
            "client_id": RUNTIME_APP["clientId"],
            "client_secret": RUNTIME_APP["clientSecret"],
            "username": RUNTIME_USER["username"],
            "password": RUNTIME_USER["password"],
            "scope": "https://graph.microsoft.com/APIConnectors.Read.All",
        },
        timeout=10,
    )
    statuses = [app_token.status_code, user_token.status_code]
    for issued in (app_token, user_token):
        if issued.status_code == 200:
            listed = session.get(
                f"{process.url}/beta/identity/apiConnectors",
                headers={"Authorization": f"Bearer {issued.json()['access_token']}"},
                timeout=10,
            )
            statuses.append(listed.status_code)
            if listed.status_code == 200:
                assert [c["displayName"] for c in listed.json()["value"]] == ["runtime tenant's"]
    assert session.get(f"{process.url}/_mockgraph/health", timeout=10).json()["pid"] == pid  # one worker
    return pid, statuses


def test_a_tenant_seeded_at_run_time_is_known_to_every_worker(tmp_path: Path) -> None:
    with ServeProcess(tmp_path, "--state", str(tmp_path / "state.db"), "--workers", "2") as process:
        token = process.token()
        # Both workers have served (and looked up the directory) before the seed.
        assert len(_both_pids(process, lambda: authorised(process, token))) == 2
        seeded = process.admin(
            "POST",
            "seed",
            json={
                "tenants": [{"tenantId": RUNTIME_TENANT, "domain": "runtime.example"}],
                "apps": [RUNTIME_APP],
                "users": [RUNTIME_USER],
                "connectors": {RUNTIME_TENANT: [server_connector("runtime tenant's")]},
            },
        )
        assert seeded.status_code == 200, seeded.text
        answered: dict[int, list[list[int]]] = {}
        for index in range(MAX_ROUNDS):
            pid, statuses = _runtime_round(process)
            answered.setdefault(pid, []).append(statuses)
            if index + 1 >= MIN_ROUNDS and len(answered) == 2:
                break
        assert len(answered) == 2, answered  # both workers answered
        assert {pid: [s for s in rounds if s != [200] * 4] for pid, rounds in answered.items()} == {
            pid: [] for pid in answered
        }
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
                    f"{process.url}/beta/identity/apiConnectors",
                    json=server_connector(f"x{index}"),
                    timeout=10,
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
