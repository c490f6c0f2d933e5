"""Each attempt's timeout is a deadline for the whole answer, as Entra's is: trickling endpoints are cut off."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from _signup_servers import raw_http_server, wsgi_server
from flask import Flask
from flask import request as incoming

from mockgraph.signup import (
    DeadlineTransport,
    FailureKind,
    FlowSettings,
    InboundResponse,
    OutboundRequest,
    OutcomeKind,
    SignUpUser,
    TransportFailure,
    basic_credentials,
    try_connector,
)

USER = SignUpUser(email="john@fabrikam.com", entered={"postalCode": "12345"})
# Slack for a loaded 2-core machine; still far below the 6 s a trickling endpoint takes.
MARGIN = 1.5  # generous: CI machines are shared; a trickling endpoint would take 6 s, far beyond it
# A Continue answer that would pass if the simulator waited for it: 100 bytes, one every 60 ms, is 6 s.
CONTINUE = b'{"version": "1.0.0", "action": "Continue"}'.ljust(100)
SLOW_BODY = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n"
    + CONTINUE
)
STATUS_LINE = b"HTTP/1.1 200 OK\r\n"
# Headers that arrive one byte every 60 ms for 6 s: the status line is quick, the rest of the head trickles.
SLOW_HEADERS = (
    STATUS_LINE
    + b"Content-Type: application/json\r\nX-Padding: "
    + b"p" * 30
    + b"\r\nContent-Length: 100\r\nConnection: close\r\n\r\n"
    + CONTINUE
)


def request(url: str) -> OutboundRequest:
    return OutboundRequest(url, {"Content-Type": "application/json"}, b"{}", timeout=30.0)


@pytest.mark.parametrize(
    ("answer", "at_once"),
    [(SLOW_BODY, len(SLOW_BODY) - len(CONTINUE)), (SLOW_HEADERS, len(STATUS_LINE))],
    ids=["trickled-body", "trickled-headers"],
)
def test_a_trickling_endpoint_times_out_at_the_deadline_and_is_retried_once(
    answer: bytes, at_once: int
) -> None:
    assert (len(answer) - at_once) * 0.06 >= 6.0  # the endpoint would take 6 s or more to answer in full
    with raw_http_server(answer, at_once=at_once) as server:
        started = time.monotonic()
        outcome = try_connector(
            f"{server.url}/api/endpoint", USER, settings=FlowSettings(timeout_seconds=1.0)
        )
        elapsed = time.monotonic() - started
    assert (outcome.kind, outcome.failure, outcome.attempts) == (OutcomeKind.FAILURE, FailureKind.TIMEOUT, 2)
    assert outcome.to_json()["failure"] == "timeout"
    assert (outcome.error_code, outcome.user_message) == (
        "AADB2C90063",
        "There is a problem with the service.",
    )
    assert len(server.accepted) == 2
    # The second attempt starts when the first one's deadline ends (no delay between attempts); without a
    # deadline each attempt would last the endpoint's 6 s, so the bounds below only leave room for a busy machine.
    assert 1.0 <= server.accepted[1] - server.accepted[0] < 3.0
    assert 2.0 <= elapsed < 5.0


def test_the_deadline_transport_returns_a_timeout_within_the_deadline() -> None:
    with raw_http_server(SLOW_BODY, at_once=len(SLOW_BODY) - len(CONTINUE)) as server:
        started = time.monotonic()
        answer = DeadlineTransport().send(request(server.url), 0.5)
        elapsed = time.monotonic() - started
    assert isinstance(answer, TransportFailure)
    assert answer.kind is FailureKind.TIMEOUT
    assert 0.5 <= elapsed < 0.5 + MARGIN


def test_a_tls_handshake_that_never_completes_is_a_timeout() -> None:
    with raw_http_server(b"", stall=True) as server:
        started = time.monotonic()
        answer = DeadlineTransport(verify=False).send(request(server.url.replace("http:", "https:")), 0.5)
        elapsed = time.monotonic() - started
    assert isinstance(answer, TransportFailure)
    assert answer.kind is FailureKind.TIMEOUT
    assert elapsed < 0.5 + MARGIN


def test_a_slow_answer_that_ends_before_the_deadline_is_read_whole() -> None:
    with raw_http_server(SLOW_BODY, at_once=len(SLOW_BODY) - 10, interval=0.02) as server:
        answer = DeadlineTransport().send(request(server.url), 5.0)
    assert isinstance(answer, InboundResponse)
    assert (answer.status, answer.body) == (200, CONTINUE)
    assert answer.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello world",  # no length: the body ends with the connection
        b"HTTP/1.0 200 OK\r\n\r\nhello world",
    ],
    ids=["chunked", "until-close", "http-1.0"],
)
def test_every_way_of_framing_a_body_is_read(answer: bytes) -> None:
    with raw_http_server(answer) as server:
        received = DeadlineTransport().send(request(server.url), 5.0)
    assert isinstance(received, InboundResponse)
    assert (received.status, received.body) == (200, b"hello world")


def test_a_body_cut_short_is_a_connection_error() -> None:
    with raw_http_server(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{}") as server:
        answer = DeadlineTransport().send(request(server.url), 5.0)
    assert isinstance(answer, TransportFailure)
    assert answer.kind is FailureKind.CONNECTION_ERROR


@pytest.mark.parametrize(
    "framing",
    [b"Content-Length: 200\r\n\r\n", b"Connection: close\r\n\r\n"],
    ids=["announced", "streamed"],
)
def test_an_answer_over_the_size_limit_is_not_read_to_the_end(framing: bytes) -> None:
    with raw_http_server(b"HTTP/1.1 200 OK\r\n" + framing + b"x" * 200) as server:
        answer = DeadlineTransport(max_response_bytes=100).send(request(server.url), 5.0)
    assert isinstance(answer, TransportFailure)
    assert answer.kind is FailureKind.CONNECTION_ERROR
    assert "larger than 100 bytes" in answer.detail


def test_failure_details_never_repeat_the_url_or_headers() -> None:
    secret = "function-key-0123456789"
    with raw_http_server(b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{}") as server:
        answers = [
            DeadlineTransport().send(
                OutboundRequest(
                    f"{server.url}/api?code={secret}", {"X-Key": f"{secret}\r\nX-Injected: 1"}, b"", 5.0
                ),
                5.0,
            ),
            DeadlineTransport().send(request(f"{server.url}/api?code={secret} \n"), 5.0),
            DeadlineTransport().send(request(f"ftp://127.0.0.1/api?code={secret}"), 5.0),
        ]
    for answer in answers:
        assert isinstance(answer, TransportFailure)
        assert answer.kind is FailureKind.CONNECTION_ERROR
        assert secret not in answer.detail


def test_basic_credentials_query_string_and_body_arrive_over_real_http() -> None:
    seen: dict[str, Any] = {}
    app = Flask("connector")

    @app.post("/api/validate")
    def validate() -> Any:
        seen.update(
            authorization=incoming.headers.get("Authorization"),
            content_type=incoming.headers.get("Content-Type"),
            query=incoming.query_string.decode(),
            body=json.loads(incoming.get_data()),
        )
        return {"version": "1.0.0", "action": "Continue", "city": "Oslo"}

    with wsgi_server(app) as base:
        outcome = try_connector(f"{base}/api/validate?code=abc%3D", USER, username="svc", password="pä:ss")
    assert (outcome.kind, outcome.overwritten, outcome.attempts) == (
        OutcomeKind.CONTINUE,
        {"city": "Oslo"},
        1,
    )
    assert seen == {
        "authorization": basic_credentials("svc", "pä:ss"),
        "content_type": "application/json",
        "query": "code=abc%3D",
        "body": outcome.request_body,
    }
