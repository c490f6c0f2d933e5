"""The Graph pipeline (``mockgraph.web.pipeline``) answers exactly as Flask's request handling does.

Graph calls skip Flask's request context for speed. These tests hold the two ways side by side: one app
as ``create_app`` makes it (the pipeline serves its Graph calls) and one with a no-op hook added (which
hands every request back to Flask), sent the same requests, must give the same statuses, headers, bodies
and journal entries. Others show when the pipeline steps aside, and that nothing else is routed to it.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import flask
import pytest
from flask import Flask
from flask.signals import request_started
from werkzeug.test import TestResponse

from mockgraph import create_app
from mockgraph.core.errors import GraphError
from mockgraph.core.network import NetworkPolicy
from mockgraph.resources import CATALOG
from mockgraph.testing.testkit import Tokens
from mockgraph.web.context import new_request_id
from mockgraph.web.journal import Journal, JournalEntry
from mockgraph.web.pipeline import ROUTE_CACHE_PATH_LIMIT, ROUTE_CACHE_SIZE
from mockgraph.web.state import state_of
from tests.support import BASIC_BODY, COLLECTION_PATH

FLOWS = "/beta/identity/b2xUserFlows"
EXTENSIONS = "/beta/identity/customAuthenticationExtensions"
# Ids, dates and times differ between any two runs; everything else must not.
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?")
_VOLATILE_HEADERS = frozenset({"request-id", "client-request-id", "date"})


def _flask_served(app: Flask) -> Flask:
    """``app`` with a hook that does nothing: the pipeline hands every request to Flask from now on."""
    app.before_request(lambda: None)
    assert app.graph_pipeline.flask_needed()  # type: ignore[attr-defined]
    return app


def _normal(text: str) -> str:
    return _DATE.sub("<date>", _GUID.sub("<guid>", text))


def _answer(response: TestResponse) -> dict[str, Any]:
    headers = sorted(
        (name.lower(), _normal(value))
        for name, value in response.headers
        if name.lower() not in _VOLATILE_HEADERS
    )
    return {
        "status": response.status_code,
        "headers": headers,
        "header names": sorted(name.lower() for name, _ in response.headers),
        "body": _normal(response.get_data(as_text=True)),
    }


def _journal(app: Flask) -> list[dict[str, Any]]:
    entries = []
    for entry in state_of(app).journal.export():
        for volatile in ("time", "durationMs", "requestId", "clientTime"):
            entry.pop(volatile)
        entries.append(json.loads(_normal(json.dumps(entry))))
    return entries


Step = Callable[[Any, dict[str, str]], TestResponse]


def _steps() -> Iterator[tuple[str, Step]]:
    """Requests covering success, every refusal kind and both versions; each gets the client and the
    auth headers of the app under test (ids come from that app's own answers)."""
    created: dict[str, str] = {}

    def create(client: Any, auth: dict[str, str]) -> TestResponse:
        response = client.post(COLLECTION_PATH, json=BASIC_BODY, headers=auth)
        created["id"] = response.get_json()["id"]
        return response

    entity = lambda: f"{COLLECTION_PATH}/{created['id']}"  # noqa: E731 - read when the step runs
    yield "create", create
    yield "create v1.0", lambda c, a: c.post("/v1.0/identity/apiConnectors", json=BASIC_BODY, headers=a)
    yield "get", lambda c, a: c.get(entity(), headers=a)
    yield (
        "get with $select",
        lambda c, a: c.get(entity(), query_string={"$select": "id,displayName"}, headers=a),
    )
    yield "list", lambda c, a: c.get(COLLECTION_PATH, headers=a)
    yield "list $top", lambda c, a: c.get(COLLECTION_PATH, query_string={"$top": "1"}, headers=a)
    yield "list bad $top", lambda c, a: c.get(COLLECTION_PATH, query_string={"$top": "x"}, headers=a)
    yield (
        "list $filter",
        lambda c, a: c.get(COLLECTION_PATH, query_string={"$filter": "displayName eq 'Test API'"}, headers=a),
    )
    yield "patch", lambda c, a: c.patch(entity(), json={"displayName": "renamed"}, headers=a)
    yield (
        "patch text/plain",
        lambda c, a: c.patch(entity(), data='{"displayName":"x"}', content_type="text/plain", headers=a),
    )
    yield "patch no body", lambda c, a: c.patch(entity(), headers=a)
    yield (
        "post malformed",
        lambda c, a: c.post(COLLECTION_PATH, data="{", content_type="application/json", headers=a),
    )
    yield (
        "post NaN",
        lambda c, a: c.post(
            COLLECTION_PATH, data='{"displayName": NaN}', content_type="application/json", headers=a
        ),
    )
    yield (
        "post deep",
        lambda c, a: c.post(
            COLLECTION_PATH, data="[" * 5000 + "]" * 5000, content_type="application/json", headers=a
        ),
    )
    yield "post array", lambda c, a: c.post(COLLECTION_PATH, json=[1], headers=a)
    yield (
        "post oversized",
        lambda c, a: c.post(
            COLLECTION_PATH, data=b"{" + b" " * 70_000 + b"}", content_type="application/json", headers=a
        ),
    )
    yield "post invalid body", lambda c, a: c.post(COLLECTION_PATH, json={"displayName": 1}, headers=a)
    yield "get unknown id", lambda c, a: c.get(f"{COLLECTION_PATH}/{uuid.uuid4()}", headers=a)
    yield "get id with newline", lambda c, a: c.get(f"{COLLECTION_PATH}/a%0Ab", headers=a)
    yield "unknown segment", lambda c, a: c.get("/beta/identity/nope", headers=a)
    yield "unknown version", lambda c, a: c.get("/v2/identity/apiConnectors", headers=a)
    yield "method not allowed", lambda c, a: c.put(COLLECTION_PATH, json={}, headers=a)
    yield "head", lambda c, a: c.head(entity(), headers=a)
    yield "options", lambda c, a: c.options(COLLECTION_PATH, headers=a)
    yield "no token", lambda c, a: c.get(COLLECTION_PATH)
    yield (
        "bad token",
        lambda c, a: c.get(COLLECTION_PATH, headers={"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."}),
    )
    yield (
        "client-request-id",
        lambda c, a: c.get(COLLECTION_PATH, headers={**a, "client-request-id": " mine\u00e9 "}),
    )
    yield "user flows", lambda c, a: c.get(FLOWS, headers=a)
    yield "extensions", lambda c, a: c.get(EXTENSIONS, headers=a)
    yield (
        "graph path on the login host",
        lambda c, a: c.get(COLLECTION_PATH, headers=a, base_url="https://login.microsoftonline.com"),
    )
    yield "graph host", lambda c, a: c.get(COLLECTION_PATH, headers=a, base_url="https://graph.microsoft.com")
    yield "entra discovery", lambda c, a: c.get("/common/v2.0/.well-known/openid-configuration")
    yield "delete", lambda c, a: c.delete(entity(), headers=a)
    yield "get deleted", lambda c, a: c.get(entity(), headers=a)


def _run(app: Flask) -> list[tuple[str, dict[str, Any]]]:
    client = app.test_client()
    auth = Tokens(app).headers()
    return [(name, _answer(step(client, auth))) for name, step in _steps()]


def _config() -> dict[str, Any]:
    return {"auth_mode": "enforce", "max_body_bytes": 65_536}


def test_the_pipeline_answers_every_kind_of_request_as_flask_does() -> None:
    served, flask_path = create_app(_config()), _flask_served(create_app(_config()))
    assert not served.graph_pipeline.flask_needed()  # type: ignore[attr-defined]
    ours, theirs = _run(served), _run(flask_path)
    for (name, answer), (_, expected) in zip(ours, theirs, strict=True):
        assert answer == expected, name
    assert _journal(served) == _journal(flask_path)
    # The comparison has teeth: the steps cover successes and refusals of several kinds.
    statuses = {answer["status"] for _, answer in ours}
    assert {200, 201, 204, 400, 401, 404, 405, 413, 415}.issubset(statuses), statuses


def test_faults_and_the_host_policy_apply_alike() -> None:
    policy = {"network": NetworkPolicy(public_url="https://mock.example.test/")}
    apps = [create_app({**_config(), **policy}), _flask_served(create_app({**_config(), **policy}))]
    answers = []
    for app in apps:
        state_of(app).faults.fail_next(1, status=429, retry_after=2)
        client, auth = app.test_client(), Tokens(app).headers()
        throttled = client.get(COLLECTION_PATH, headers=auth)
        foreign = client.get(COLLECTION_PATH, headers={**auth, "Host": "evil.example"})
        client.post(COLLECTION_PATH, json=BASIC_BODY, headers=auth)
        client.post(COLLECTION_PATH, json=BASIC_BODY, headers=auth)
        paged = client.get(COLLECTION_PATH, query_string={"$top": "1"}, headers=auth)
        answers.append([_answer(r) for r in (throttled, foreign, paged)])
        assert throttled.status_code == 429
        assert throttled.headers["Retry-After"] == "2"
        assert foreign.status_code == 403
        assert paged.get_json()["@odata.nextLink"].startswith("https://mock.example.test/beta/")
    assert answers[0] == answers[1]
    assert _journal(apps[0]) == _journal(apps[1])


@pytest.mark.parametrize("failing", ["first pass", "every pass"])
def test_a_fault_after_the_answer_is_graphs_500_on_both_paths(
    monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    original = Journal.record
    calls = [0]

    def record(self: Journal, entry: JournalEntry) -> None:
        calls[0] += 1
        if failing == "every pass" or calls[0] % 2 == 1:
            raise RuntimeError("after-request fault")
        original(self, entry)

    monkeypatch.setattr(Journal, "record", record)
    answers = [
        _answer(app.test_client().get(COLLECTION_PATH))
        for app in (create_app({"auth_mode": "off"}), _flask_served(create_app({"auth_mode": "off"})))
    ]
    assert answers[0] == answers[1]
    assert answers[0]["status"] == 500
    assert '"code":"generalException"' in answers[0]["body"]


def test_a_fault_after_the_answer_propagates_in_testing_mode_as_flask_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def record(self: Journal, entry: JournalEntry) -> None:
        raise RuntimeError("after-request fault")

    monkeypatch.setattr(Journal, "record", record)
    for app in (create_app({"auth_mode": "off"}), _flask_served(create_app({"auth_mode": "off"}))):
        app.testing = True
        with pytest.raises(RuntimeError, match="after-request fault"):
            app.test_client().get(COLLECTION_PATH)


def test_graph_calls_are_served_without_flask_request_handling(monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app({"auth_mode": "off"})

    def refuse(self: Flask) -> Any:
        raise AssertionError("Flask's request dispatch ran")

    monkeypatch.setattr(Flask, "full_dispatch_request", refuse)
    client = app.test_client()
    assert client.post(COLLECTION_PATH, json=BASIC_BODY).status_code == 201
    assert client.get(COLLECTION_PATH).status_code == 200
    # Everything else is Flask's: the admin API answers through it (here: its dispatch refuses, a 500).
    assert client.get("/_mockgraph/health").status_code == 500


@pytest.mark.parametrize(
    "customise",
    [
        pytest.param(
            lambda app, seen: app.before_request(lambda: seen.append("before")), id="before_request"
        ),
        pytest.param(
            lambda app, seen: app.after_request(lambda r: seen.append("after") or r), id="after_request"
        ),
        pytest.param(
            lambda app, seen: app.teardown_request(lambda e: seen.append("teardown")), id="teardown"
        ),
        pytest.param(
            lambda app, seen: app.teardown_appcontext(lambda e: seen.append("appcontext")), id="appcontext"
        ),
    ],
)
def test_hooks_added_after_create_app_run_for_graph_calls(
    customise: Callable[[Flask, list[str]], Any],
) -> None:
    app = create_app({"auth_mode": "off"})
    seen: list[str] = []
    customise(app, seen)
    assert app.test_client().get(COLLECTION_PATH).status_code == 200
    assert len(seen) == 1


def test_a_request_signal_receiver_sees_graph_calls() -> None:
    app = create_app({"auth_mode": "off"})
    seen: list[str] = []

    def started(sender: Flask, **extra: Any) -> None:
        seen.append(flask.request.path)

    with request_started.connected_to(started, app):
        assert app.test_client().get(COLLECTION_PATH).status_code == 200
    assert seen == [COLLECTION_PATH]


def test_an_error_handler_added_after_create_app_answers_graph_errors() -> None:
    app = create_app({"auth_mode": "enforce"})
    app.register_error_handler(GraphError, lambda error: ("handled", 418))
    response = app.test_client().get(COLLECTION_PATH)  # no token: a GraphError
    assert (response.status_code, response.get_data(as_text=True)) == (418, "handled")


@pytest.mark.parametrize("setting", ["SERVER_NAME", "TRUSTED_HOSTS"])
def test_flask_host_settings_hand_requests_back_to_flask(setting: str) -> None:
    app = create_app({"auth_mode": "off"})
    app.config[setting] = "mock.example.test" if setting == "SERVER_NAME" else ["mock.example.test"]
    assert app.graph_pipeline.flask_needed()  # type: ignore[attr-defined]
    client = app.test_client()
    assert client.get(COLLECTION_PATH, base_url="http://mock.example.test").status_code == 200
    if setting == "TRUSTED_HOSTS":  # Flask refuses another host: Graph's 400, journaled, never a 500
        refused = client.get(COLLECTION_PATH, base_url="http://other.example")
        assert refused.status_code == 400
        assert refused.get_json()["error"]["code"] == "BadRequest"
        assert state_of(app).journal.entries()[-1].host == "other.example"


def test_no_other_flask_rule_shadows_a_graph_operation() -> None:
    # The pipeline serves every path the router resolves; Flask would have routed each to the Graph view.
    adapter = create_app().url_map.bind("localhost")
    for operation in CATALOG:
        for version in operation.versions:
            path = f"/{version}/" + "/".join(
                "x" if segment.parameter is not None else segment.text for segment in operation.segments
            )
            endpoint, _ = adapter.match(path, method=operation.method)
            assert endpoint == "graph", (operation.name, path)


def test_request_ids_are_distinct_version_4_guids() -> None:
    ids = [new_request_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    for text in ids:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, text)


def test_remembered_routes_stay_bounded() -> None:
    app = create_app({"auth_mode": "off"})
    client = app.test_client()
    pipeline = app.graph_pipeline  # type: ignore[attr-defined]
    for index in range(ROUTE_CACHE_SIZE + 10):
        assert client.get(f"{COLLECTION_PATH}/{index}").status_code == 404
        assert len(pipeline._routes) <= ROUTE_CACHE_SIZE
    long_id = "x" * ROUTE_CACHE_PATH_LIMIT
    assert client.get(f"{COLLECTION_PATH}/{long_id}").status_code == 404
    assert all(len(path) <= ROUTE_CACHE_PATH_LIMIT for _, path in pipeline._routes)
    # A remembered route still binds its own id: two ids, two answers.
    first = client.post(COLLECTION_PATH, json=BASIC_BODY).get_json()["id"]
    second = client.post(COLLECTION_PATH, json=BASIC_BODY).get_json()["id"]
    for object_id in (first, second, first, second):
        assert client.get(f"{COLLECTION_PATH}/{object_id}").get_json()["id"] == object_id
