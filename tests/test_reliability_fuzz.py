"""Fuzzing the in-process app: arbitrary paths, methods, headers, query strings, JSON and non-JSON bodies,
huge bodies and bad tokens, and hostile input (deep nesting, non-finite numbers, lone surrogates, control
characters in paths and headers, oversized tokens, headers and options). Never a 5xx, never a non-Graph
error body, a refused request changes nothing, and the journal can always be exported."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mockgraph import create_app
from mockgraph.strategies import (
    create_bodies,
    invalid_authorizations,
    invalid_create_bodies,
    invalid_update_bodies,
    invalid_upload_bodies,
    update_bodies,
    upload_bodies,
)
from mockgraph.testing.interceptor import call_app
from mockgraph.testing.testkit import Connectors, Tokens
from mockgraph.web.hooks import journal_of
from mockgraph.web.state import state_of
from tests.support import connector_body, graph_error_problem

LIMIT = (
    64 * 1024
)  # a small body limit keeps the huge-body cases cheap; the 4 MB default is in the limits test
METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "get"]
SEGMENTS = [
    "beta",
    "v1.0",
    "V1.0",
    "identity",
    "apiConnectors",
    "APICONNECTORS",
    "$count",
    "uploadClientCertificate",
    "microsoft.graph.uploadClientCertificate",
    "b2cUserFlows",
    "b2xUserFlows",
    "userFlowIdentityProviders",
    "apiConnectorConfiguration",
    "postAttributeCollection",
    "users",
    "static",
    "_mockgraph",
    "",
    "..",
    ".",
    "%",
    "x" * 300,
]
OPTION_NAMES = [
    "$top",
    "$skip",
    "$select",
    "$filter",
    "$orderby",
    "$count",
    "$expand",
    "$search",
    "$skiptoken",
]
OPTION_NAMES += ["top", "select", "$format", "$TOP", "$Select", "foo", ""]
OPTION_VALUES = [
    "0",
    "-1",
    "1",
    "999",
    "1000",
    "1e3",
    "abc",
    "true",
    "FALSE",
    "displayName",
    "id,displayName",
]
OPTION_VALUES += ["displayName eq 'x'", "startswith(displayName,'a')", "id desc", "'", "(((", "", "*", "%zz"]
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=latin-1",
    "application/json; charset=bogus",
    "application/json; odata.metadata=minimal",
    "application/merge-patch+json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "",
]

printable = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def fuzz_app() -> tuple[Flask, list[str], str]:
    app = create_app({"max_body_bytes": LIMIT})
    seeded = Connectors(app).seed_many(
        [connector_body(f"Seed {n}", "https://api.example.com") for n in range(3)]
    )
    return app, [c["id"] for c in seeded], Tokens(app).mint()


def segment(ids: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(SEGMENTS),
        st.sampled_from(ids),
        st.uuids().map(str),
        st.text(max_size=15).map(lambda t: quote(t, safe="")),
        st.text(max_size=15).map(lambda t: quote(t, safe="$.()'~!*,;=:@")),
    )


def paths(ids: list[str]) -> st.SearchStrategy[str]:
    return st.lists(segment(ids), max_size=7).map(lambda parts: "/" + "/".join(parts))


def authorizations(valid_token: str, *, valid_share: float = 0.2) -> st.SearchStrategy[str | None]:
    """A valid token about ``valid_share`` of the time, otherwise a bad or missing ``Authorization``."""
    bad = st.one_of(
        invalid_authorizations().map(lambda bad: bad.header),
        printable.map(lambda text: f"Bearer {text}"),
        printable,
        st.none(),
    )
    valid = st.just(f"Bearer {valid_token}")
    # A drawn number picks the side (one_of's branches are not drawn evenly once examples repeat).
    return st.integers(0, 99).flatmap(lambda roll: valid if roll < valid_share * 100 else bad)


def bodies() -> st.SearchStrategy[bytes | None]:
    return st.one_of(
        st.none(),
        json_values.map(lambda value: json.dumps(value).encode()),
        create_bodies(authentication_kinds=("basic",)).map(lambda body: json.dumps(body).encode()),
        invalid_create_bodies(max_body_bytes=LIMIT).map(lambda body: json.dumps(body).encode()),
        st.binary(max_size=300),
        st.text(max_size=100).map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.sampled_from([LIMIT + 1, LIMIT * 3]).map(lambda size: b"{" + b" " * (size - 2) + b"}"),
        st.just(b"[" * 5000 + b"]" * 5000),  # nesting deep enough to trouble a recursive parser
    )


@dataclass
class Answer:
    status: int
    content_type: str
    data: bytes


def send(
    app: Flask, method: str, path: str, query: str, headers: dict[str, str], body: bytes | None
) -> Answer:
    """One request through the app's WSGI callable, as the interceptor sends it (a path may start with
    ``//``, which Flask's test client would read as a host name)."""
    url = f"https://graph.microsoft.com{path}" + (f"?{query}" if query else "")
    status, answer_headers, content = call_app(app, method, url, list(headers.items()), body or b"")
    content_type = next((value for name, value in answer_headers if name.lower() == "content-type"), "")
    return Answer(status, content_type, content)


def check_journal(app: Flask) -> None:
    """The journal, whatever it was sent, exports as strict JSON that UTF-8 can carry (issue 12 item 10)."""
    json.dumps(journal_of(app).export(), allow_nan=False, ensure_ascii=False).encode("utf-8")


def check(app: Flask, method: str, path: str, response: Answer, before: Any) -> None:
    status = response.status
    event(f"status {status}")  # --hypothesis-show-statistics shows how deep the fuzzing reached
    assert status < 500, (method, path, status, response.data[:300])
    if status >= 400:
        if method.upper() != "HEAD":
            problem = graph_error_problem(status, response.content_type, response.data)
            assert problem is None, (method, path, status, problem)
        assert state_of(app).store.dump() == before, f"refused {method} {path} ({status}) changed the store"
    if method.upper() in ("GET", "HEAD", "OPTIONS"):
        assert state_of(app).store.dump() == before, f"{method} {path} changed the store"


FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


@dataclass(frozen=True)
class ArbitraryRequests:
    """The first test's strategies, built once per module: Hypothesis validates a strategy object the first
    time it is drawn from, so building them afresh in every example cost more than the requests."""

    method: st.SearchStrategy[str]
    path: st.SearchStrategy[str]
    query: st.SearchStrategy[list[tuple[str, str]]]
    authorization: st.SearchStrategy[str | None]
    content_type: st.SearchStrategy[str]
    header_names: st.SearchStrategy[list[str]]
    body: st.SearchStrategy[bytes | None]


@pytest.fixture(scope="module")
def arbitrary_requests(fuzz_app: tuple[Flask, list[str], str]) -> ArbitraryRequests:
    _, ids, token = fuzz_app
    return ArbitraryRequests(
        method=st.sampled_from(METHODS),
        path=paths(ids),
        query=st.lists(
            st.tuples(st.sampled_from(OPTION_NAMES) | printable, st.sampled_from(OPTION_VALUES) | printable),
            max_size=4,
        ),
        authorization=authorizations(token),
        content_type=st.sampled_from(CONTENT_TYPES) | printable,
        header_names=st.lists(
            st.sampled_from(["client-request-id", "Prefer", "ConsistencyLevel", "Accept", "X-Anything"]),
            max_size=3,
            unique=True,
        ),
        body=bodies(),
    )


@FUZZ
@given(data=st.data())
def test_arbitrary_requests_get_graph_answers(
    fuzz_app: tuple[Flask, list[str], str], arbitrary_requests: ArbitraryRequests, data: st.DataObject
) -> None:
    app, _, _ = fuzz_app
    drawn = arbitrary_requests
    method = data.draw(drawn.method, label="method")
    path = data.draw(drawn.path, label="path")
    query = urlencode(data.draw(drawn.query, label="query"))
    headers: dict[str, str] = {}
    authorization = data.draw(drawn.authorization, label="authorization")
    if authorization is not None:
        headers["Authorization"] = authorization
    content_type = data.draw(drawn.content_type, label="content type")
    if content_type:
        headers["Content-Type"] = content_type
    for name in data.draw(drawn.header_names):
        headers[name] = data.draw(printable, label=name)
    body = data.draw(drawn.body, label="body")
    before = state_of(app).store.dump()
    response = send(app, method, path, query, headers, body)
    check(app, method, path, response, before)
    check_journal(app)


def operation_requests(ids: list[str]) -> st.SearchStrategy[tuple[str, str, Any]]:
    """Requests aimed at real operations (real ids) with valid, invalid and arbitrary bodies."""
    target = st.sampled_from(ids) | st.uuids().map(str)
    collection = st.sampled_from(["/beta/identity/apiConnectors", "/v1.0/identity/apiConnectors"])
    some_json = json_values | create_bodies(authentication_kinds=("basic",))
    return st.one_of(
        st.tuples(
            st.just("POST"),
            collection,
            create_bodies(authentication_kinds=("basic",))
            | invalid_create_bodies(max_body_bytes=LIMIT)
            | some_json,
        ),
        st.tuples(
            st.just("PATCH"),
            st.builds(lambda c, i: f"{c}/{i}", collection, target),
            update_bodies(authentication_kinds=("basic",))
            | invalid_update_bodies(max_body_bytes=LIMIT)
            | some_json,
        ),
        st.tuples(
            st.just("POST"),
            st.builds(lambda c, i: f"{c}/{i}/uploadClientCertificate", collection, target),
            upload_bodies() | invalid_upload_bodies(max_body_bytes=LIMIT) | some_json,
        ),
        st.tuples(
            st.sampled_from(["GET", "DELETE"]),
            st.builds(lambda c, i: f"{c}/{i}", collection, target),
            st.none(),
        ),
        st.tuples(st.just("GET"), collection | collection.map(lambda c: c + "/$count"), st.none()),
    )


@dataclass(frozen=True)
class OperationRequests:
    """The second test's strategies, built once per module (see ``ArbitraryRequests``)."""

    request: st.SearchStrategy[tuple[str, str, Any]]
    query: st.SearchStrategy[list[tuple[str, str]]]
    authorization: st.SearchStrategy[str | None]


@pytest.fixture(scope="module")
def operation_strategies(fuzz_app: tuple[Flask, list[str], str]) -> OperationRequests:
    _, ids, token = fuzz_app
    return OperationRequests(
        request=operation_requests(ids),
        query=st.lists(st.tuples(st.sampled_from(OPTION_NAMES), st.sampled_from(OPTION_VALUES)), max_size=3),
        authorization=authorizations(token, valid_share=0.8),
    )


@FUZZ
@given(data=st.data())
def test_operations_with_any_body_and_options_get_graph_answers(
    fuzz_app: tuple[Flask, list[str], str], operation_strategies: OperationRequests, data: st.DataObject
) -> None:
    app, _, _ = fuzz_app
    drawn = operation_strategies
    method, path, document = data.draw(drawn.request, label="request")
    query = urlencode(data.draw(drawn.query, label="query"))
    headers = {"Authorization": data.draw(drawn.authorization, label="authorization") or ""}
    body = None if document is None else json.dumps(document).encode()
    if body is not None:
        headers["Content-Type"] = "application/json"
    before = state_of(app).store.dump()
    response = send(app, method, path, query, headers, body)
    check(app, method, path, response, before)


# Hostile input (issue 12): what an attacker, a port scanner or a careless client sends ---------------------

NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"]
control_characters = st.characters(categories=["Cc", "Zl", "Zp"])
# What an HTTP header can carry: anything but CR and LF (no transport delivers those inside a value).
header_characters = st.characters(min_codepoint=0, max_codepoint=0x2FF, exclude_characters="\r\n")


def nested_json(depth: int, kind: str) -> bytes:
    if kind == "array":
        return b"[" * depth + b"]" * depth
    return b'{"displayName":' * depth + b"1" + b"}" * depth


def hostile_bodies() -> st.SearchStrategy[bytes]:
    create = create_bodies(authentication_kinds=("basic",)).map(json.dumps)
    return st.one_of(
        st.builds(
            nested_json, st.sampled_from([65, 500, 990, 5000, 60_000]), st.sampled_from(["array", "object"])
        ),
        st.builds(
            lambda text, number: text.replace(
                '"displayName": "', f'"n": {number}, "displayName": "', 1
            ).encode(),
            create,
            st.sampled_from(NON_FINITE),
        ),
        st.sampled_from(NON_FINITE).map(lambda number: f"[{number}]".encode()),
        create.map(lambda text: text.replace('"displayName": "', '"displayName": "\\ud800', 1).encode()),
        st.just(b'{"a": "\\udfff\\ud800"}'),
    )


def hostile_segments(ids: list[str]) -> st.SearchStrategy[str]:
    with_controls = st.text(
        control_characters | st.characters(min_codepoint=32, max_codepoint=126), min_size=1
    )
    return st.one_of(
        st.sampled_from(ids).map(lambda i: i + "\n"),
        with_controls.map(lambda text: quote(text, safe="")),
        st.sampled_from(["%0A", "%0D%0A", "%00", "%1B[31m", "%E2%80%A8", "%C2%85", "%7F"]),
    )


def hostile_paths(ids: list[str]) -> st.SearchStrategy[str]:
    collection = st.sampled_from(["/beta/identity/apiConnectors", "/v1.0/identity/b2xUserFlows"])
    return st.one_of(
        st.builds(lambda c, s: f"{c}/{s}", collection, hostile_segments(ids)),
        st.builds(lambda c, s: f"{c}/{s}/uploadClientCertificate", collection, hostile_segments(ids)),
        st.builds(lambda s: f"/beta/identity/{s}", hostile_segments(ids)),
        collection,
    )


def hostile_options() -> st.SearchStrategy[list[tuple[str, str]]]:
    deep_filter = st.integers(30, 400).map(lambda d: "(" * d + "displayName eq 'x'" + ")" * d)
    long_filter = st.integers(100, 20_000).map(lambda n: " or ".join(["id eq 'x'"] * n))
    deep_token = st.integers(10, 50_000).map(
        lambda d: quote(base64.urlsafe_b64encode(b"[" * d + b"]" * d).decode())
    )
    value = st.one_of(
        deep_filter,
        long_filter,
        deep_token,
        st.sampled_from(["\u0663", "\uff13", "1\u0663", "\u00b2"]),
        st.text(control_characters, min_size=1, max_size=5),
    )
    name = st.sampled_from(["$filter", "$skiptoken", "$top", "$skip", "$select", "$orderby"])
    return st.lists(st.tuples(name, value), max_size=2)


def hostile_headers(valid_token: str) -> st.SearchStrategy[dict[str, str]]:
    oversized = st.sampled_from([8_192, 65_536, 300_000]).map(lambda n: "x" * n)
    junk_jwt = st.sampled_from([10_000, 250_000]).map(lambda n: f"eyJ{'A' * n}.e30.{'B' * n}")
    authorization = st.one_of(
        st.just(f"Bearer {valid_token}"),
        st.just(valid_token),  # a token without Bearer
        junk_jwt.map(lambda token: f"Bearer {token}"),
        oversized.map(lambda text: f"Bearer {text}"),
        st.text(header_characters, max_size=40).map(lambda text: f"Bearer {text}"),
    )
    other = st.one_of(oversized, st.text(header_characters, max_size=40))
    return st.fixed_dictionaries(
        {"Authorization": authorization},
        optional={"client-request-id": other, "Prefer": other, "X-Anything": other, "Accept": other},
    )


@dataclass(frozen=True)
class HostileRequests:
    """The hostile-input test's strategies, built once per module (see ``ArbitraryRequests``)."""

    method: st.SearchStrategy[str]
    path: st.SearchStrategy[str]
    query: st.SearchStrategy[list[tuple[str, str]]]
    headers: st.SearchStrategy[dict[str, str]]
    body: st.SearchStrategy[bytes | None]


@pytest.fixture(scope="module")
def hostile_requests(fuzz_app: tuple[Flask, list[str], str]) -> HostileRequests:
    _, ids, token = fuzz_app
    return HostileRequests(
        method=st.sampled_from(["GET", "POST", "PATCH", "DELETE"]),
        path=hostile_paths(ids),
        query=hostile_options(),
        headers=hostile_headers(token),
        body=st.none() | hostile_bodies(),
    )


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
@given(data=st.data())
def test_hostile_input_gets_graph_answers(
    fuzz_app: tuple[Flask, list[str], str], hostile_requests: HostileRequests, data: st.DataObject
) -> None:
    app, _, _ = fuzz_app
    drawn = hostile_requests
    method = data.draw(drawn.method, label="method")
    path = data.draw(drawn.path, label="path")
    query = "&".join(
        f"{name}={quote(value, safe='%')}" for name, value in data.draw(drawn.query, label="query")
    )
    headers = data.draw(drawn.headers, label="headers")
    body = data.draw(drawn.body, label="body")
    if body is not None:
        headers["Content-Type"] = "application/json"
    before = state_of(app).store.dump()
    response = send(app, method, path, query, headers, body)
    check(app, method, path, response, before)
    check_journal(app)
