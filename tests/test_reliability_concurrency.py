"""Concurrency against a live server on 127.0.0.1: many threads mixing creates, patches, uploads, deletes,
gets and lists. No 5xx, no lost update, unique ids, and the final stored state equals a sequential replay
of every acknowledged operation."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from mockgraph import create_app, make_pkcs12
from mockgraph.core.config import DEFAULT_TENANT_ID
from mockgraph.resources.connectors.model import COLLECTION
from mockgraph.storage.sqlite import SqliteStore
from mockgraph.testing.testkit import Tokens
from mockgraph.web.state import state_of
from tests._serve_process import ServeProcess
from tests.support import COLLECTION_PATH, basic_auth, connector_body, graph_error_problem, live_server

THREADS = 8
ROUNDS = 24
SHARED = 3


@dataclass
class Expected:
    """What a connector must hold after the replay: names, and basic credentials or (blob, password) pairs."""

    display_name: str
    target_url: str
    basic: tuple[str, str] | None
    certificates: list[tuple[str, str]] = field(default_factory=list)


def stored_view(record: dict[str, Any]) -> Expected:
    configuration = record["authenticationConfiguration"]
    if configuration["@odata.type"] == "#microsoft.graph.basicAuthentication":
        return Expected(
            record["displayName"], record["targetUrl"], (configuration["username"], configuration["password"])
        )
    pairs = sorted((c["pkcs12Value"], c["password"]) for c in configuration["certificates"])
    return Expected(record["displayName"], record["targetUrl"], None, pairs)


class Worker:
    """One client thread: it owns the connectors it creates (so their replay order is its own program
    order) and appends certificates to the shared connectors (appends commute)."""

    def __init__(self, index: int, base: str, headers: dict[str, str], shared: list[str]) -> None:
        self.index = index
        self.base = base
        self.random = random.Random(index)
        self.session = requests.Session()
        self.session.headers.update(headers)
        self.shared = shared
        self.owned: dict[str, Expected] = {}
        self.created: list[str] = []
        self.shared_uploads: list[tuple[str, tuple[str, str]]] = []
        self.problems: list[str] = []
        self.blobs = [
            (make_pkcs12(password=f"pfx-{index}-{n}").base64, f"pfx-{index}-{n}") for n in range(ROUNDS // 2)
        ]

    def call(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        response = self.session.request(method, self.base + path, json=body, timeout=30)
        if response.status_code != expect:
            problem = graph_error_problem(
                response.status_code, response.headers.get("Content-Type", ""), response.content
            )
            self.problems.append(
                f"{method} {path} -> {response.status_code} (wanted {expect}) {problem or ''}"
            )
            return None
        return response.json() if response.content else {}

    def next_blob(self) -> tuple[str, str]:
        return self.blobs.pop()

    def run(self) -> None:
        for n in range(ROUNDS):
            choice = self.random.random()
            ids = sorted(self.owned)
            if not ids or choice < 0.25:
                self.create(n)
            elif choice < 0.45:
                self.patch(self.random.choice(ids), n)
            elif choice < 0.55 and self.blobs:
                self.upload(self.random.choice(ids))
            elif choice < 0.65 and self.blobs:
                self.upload_shared(self.random.choice(self.shared))
            elif choice < 0.75:
                self.delete(self.random.choice(ids))
            elif choice < 0.88:
                self.get(self.random.choice(ids))
            else:
                self.list()

    def create(self, n: int) -> None:
        name, url, password = (
            f"t{self.index}-c{n}",
            f"https://api.example.com/{self.index}/{n}",
            f"pw-{self.index}-{n}",
        )
        body = connector_body(name, url, basic_auth(f"u{n}", password))
        created = self.call("POST", COLLECTION_PATH, body, expect=201)
        if created is not None:
            self.created.append(created["id"])
            self.owned[created["id"]] = Expected(name, url, (f"u{n}", password))

    def patch(self, object_id: str, n: int) -> None:
        body: dict[str, Any] = {}
        if self.random.random() < 0.6:
            body["displayName"] = f"t{self.index}-p{n}"
        if self.random.random() < 0.4:
            body["targetUrl"] = f"https://api.example.com/{self.index}/patched/{n}"
        if not body or self.random.random() < 0.3:
            body["authenticationConfiguration"] = basic_auth(f"pu{n}", f"patched-pw-{self.index}-{n}")
        if self.call("PATCH", f"{COLLECTION_PATH}/{object_id}", body, expect=204) is None:
            return
        model = self.owned[object_id]
        model.display_name = body.get("displayName", model.display_name)
        model.target_url = body.get("targetUrl", model.target_url)
        if "authenticationConfiguration" in body:
            configuration = body["authenticationConfiguration"]
            model.basic, model.certificates = (configuration["username"], configuration["password"]), []

    def upload(self, object_id: str) -> None:
        blob, password = self.next_blob()
        path = f"{COLLECTION_PATH}/{object_id}/uploadClientCertificate"
        if self.call("POST", path, {"pkcs12Value": blob, "password": password}) is None:
            return
        model = self.owned[object_id]
        model.basic = None
        model.certificates.append((blob, password))

    def upload_shared(self, object_id: str) -> None:
        blob, password = self.next_blob()
        path = f"{COLLECTION_PATH}/{object_id}/uploadClientCertificate"
        if self.call("POST", path, {"pkcs12Value": blob, "password": password}) is not None:
            self.shared_uploads.append((object_id, (blob, password)))

    def delete(self, object_id: str) -> None:
        if self.call("DELETE", f"{COLLECTION_PATH}/{object_id}", expect=204) is not None:
            del self.owned[object_id]

    def get(self, object_id: str) -> None:
        found = self.call("GET", f"{COLLECTION_PATH}/{object_id}")
        if found is not None and found["displayName"] != self.owned[object_id].display_name:
            self.problems.append(f"read-your-writes broken for {object_id}: {found['displayName']}")

    def list(self) -> None:
        page = self.call("GET", f"{COLLECTION_PATH}?$top=999")
        if page is None:
            return
        listed = [entry["id"] for entry in page["value"]]
        if len(listed) != len(set(listed)):
            self.problems.append(f"a list repeated ids: {listed}")
        missing = set(self.owned) - set(listed)
        if missing and "@odata.nextLink" not in page:
            self.problems.append(f"a list missed this thread's live connectors {sorted(missing)}")


def run_workers(workers: list[Worker]) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(len(workers))

    def body(worker: Worker) -> None:
        try:
            start.wait(timeout=30)
            worker.run()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=body, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a worker thread hung"
    assert not errors, errors


@pytest.fixture(params=["memory", "sqlite"])
def state_path(request: pytest.FixtureRequest, tmp_path: Path) -> Path | None:
    """No state file (the in-memory store) or a SQLite state file, as ``mockgraph serve --state`` uses."""
    return None if request.param == "memory" else tmp_path / "state.db"


def exercise(base: str, headers: dict[str, str]) -> tuple[list[Worker], dict[str, Expected]]:
    """Create the shared connectors, then run every worker thread at once against ``base``."""
    setup = requests.Session()
    setup.headers.update(headers)
    shared: dict[str, Expected] = {}
    for index in range(SHARED):
        body = connector_body(
            f"shared-{index}",
            f"https://api.example.com/shared/{index}",
            basic_auth("shared", f"shared-pw-{index}"),
        )
        created = setup.post(base + COLLECTION_PATH, json=body, timeout=30).json()
        shared[created["id"]] = Expected(
            body["displayName"], body["targetUrl"], ("shared", f"shared-pw-{index}")
        )
    workers = [Worker(index, base, headers, sorted(shared)) for index in range(THREADS)]
    run_workers(workers)
    return workers, shared


def assert_replayed(
    workers: list[Worker], shared: dict[str, Expected], records: list[dict[str, Any]]
) -> None:
    """No refusal, no 5xx, unique ids, and ``records`` equal to the sequential replay of what was acknowledged."""
    problems = [problem for worker in workers for problem in worker.problems]
    assert not problems, "\n".join(problems[:20])
    created = [object_id for worker in workers for object_id in worker.created]
    assert len(created) == len(set(created)), "two creates were given the same id"
    assert len(created) >= THREADS  # every thread created at least its first connector
    # The replay: each thread's own connectors as its model says, plus every acknowledged certificate
    # appended to the shared connectors.
    expected: dict[str, Expected] = {}
    for worker in workers:
        expected.update(worker.owned)
    for object_id, model in shared.items():
        pairs = sorted(pair for worker in workers for sid, pair in worker.shared_uploads if sid == object_id)
        expected[object_id] = Expected(model.display_name, model.target_url, None, pairs) if pairs else model
    stored = {r["id"]: stored_view(r) for r in records}
    assert sorted(stored) == sorted(expected)
    for object_id, model in expected.items():
        model.certificates.sort()
        assert stored[object_id] == model, object_id


def test_mixed_operations_from_many_threads_lose_nothing(state_path: Path | None) -> None:
    app = create_app({"connector_limit": 10_000, "state_path": state_path})
    with live_server(app) as base:
        workers, shared = exercise(base, Tokens(app).headers())
    assert_replayed(workers, shared, state_of(app).store.list(DEFAULT_TENANT_ID, COLLECTION))


def test_two_server_processes_on_one_state_file_lose_nothing(tmp_path: Path) -> None:
    """``mockgraph serve --workers 2 --state``: two processes share the file; threads land on either."""
    state = tmp_path / "state.db"
    with ServeProcess(
        tmp_path, "--state", str(state), "--workers", "2", "--connector-limit", "10000"
    ) as server:
        workers, shared = exercise(server.url, {"Authorization": f"Bearer {server.token()}"})
    assert_replayed(workers, shared, SqliteStore(state).list(DEFAULT_TENANT_ID, COLLECTION))


@pytest.mark.parametrize("limit", [20, 7])
def test_concurrent_creates_never_pass_the_connector_limit(limit: int, state_path: Path | None) -> None:
    app = create_app({"connector_limit": limit, "state_path": state_path})
    headers = Tokens(app).headers()
    statuses: list[int] = []
    bodies: list[tuple[int, str, bytes]] = []
    lock = threading.Lock()

    def create_some(index: int, base: str, start: threading.Barrier) -> None:
        session = requests.Session()
        session.headers.update(headers)
        start.wait(timeout=30)
        for n in range(5):
            response = session.post(base + COLLECTION_PATH, json=connector_body(f"c{index}-{n}"), timeout=30)
            with lock:
                statuses.append(response.status_code)
                bodies.append(
                    (response.status_code, response.headers.get("Content-Type", ""), response.content)
                )

    with live_server(app) as base:
        start = threading.Barrier(THREADS)
        threads = [threading.Thread(target=create_some, args=(i, base, start)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert len(statuses) == THREADS * 5
    assert statuses.count(201) == limit
    refused = [entry for entry in bodies if entry[0] != 201]
    assert {status for status, _, _ in refused} == {400}
    for status, content_type, content in refused:
        assert graph_error_problem(status, content_type, content) is None
        assert b'"QuotaExceeded"' in content
    assert state_of(app).store.count(DEFAULT_TENANT_ID, COLLECTION) == limit
