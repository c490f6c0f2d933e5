"""Each attempt has the extension's timeout as a deadline, connect to last byte, on the signup transports;
endpoints are called over HTTP, or in-process as WSGI and ASGI apps."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from _signup_servers import closed_port, raw_http_server, wsgi_server

from mockgraph.callouts import (
    Action,
    CalloutSettings,
    ErrorCode,
    Event,
    ExtensionSimulator,
    ExtensionTarget,
    RetryPolicy,
    Session,
    try_extension,
)
from mockgraph.callouts.journal import CalloutJournal
from tests._callout_endpoints import OTP_DATA, answering, provide_claims

MARGIN = 0.75  # slack for a loaded 2-core machine, far below what the trickling endpoints would take
CLAIMS = json.dumps(provide_claims({"role": "Writer"})).encode()
BODY = CLAIMS.ljust(120)
# 120 body bytes, one every 60 ms: 7 s, far past a 1 s deadline, though every read gets a byte in time.
TRICKLE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 120\r\nConnection: close\r\n\r\n"
    + BODY
)
SESSION = Session(user={"id": "u1"})


def test_an_endpoint_that_trickles_its_body_past_the_deadline_times_out_and_is_retried_once() -> None:
    with raw_http_server(TRICKLE, at_once=len(TRICKLE) - len(BODY)) as server:
        started = time.monotonic()
        outcome = try_extension(
            f"{server.url}/api/callout", Event.TOKEN_ISSUANCE_START, SESSION, timeout_ms=1000
        )
        elapsed = time.monotonic() - started
    assert (outcome.action, outcome.error_code) == (Action.FAILURE, ErrorCode.TIMED_OUT)
    assert [a.failure for a in outcome.attempts] == ["timeout", "timeout"]
    assert len(server.accepted) == 2
    assert 1.0 <= server.accepted[1] - server.accepted[0] < 1.0 + MARGIN
    assert 2.0 <= elapsed < 2.0 + MARGIN
    for attempt in outcome.attempts:
        assert 1000 <= attempt.duration_ms < 1000 + MARGIN * 1000
    assert outcome.user_view.redirect is not None
    assert outcome.user_view.redirect["error_description"].startswith("AADSTS1100001")


def test_the_deadline_is_the_extensions_timeout_and_no_retry_with_zero_retries() -> None:
    with raw_http_server(TRICKLE, at_once=len(TRICKLE) - len(BODY)) as server:
        started = time.monotonic()
        outcome = try_extension(
            f"{server.url}/api/callout",
            Event.TOKEN_ISSUANCE_START,
            SESSION,
            timeout_ms=300,
            maximum_retries=0,
        )
        elapsed = time.monotonic() - started
    assert (outcome.error_code, len(outcome.attempts), len(server.accepted)) == (ErrorCode.TIMED_OUT, 1, 1)
    assert 0.3 <= elapsed < 0.3 + MARGIN


def test_a_quick_answer_over_real_http_passes_and_keeps_the_query_string() -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
        len(CLAIMS),
        CLAIMS,
    )
    with raw_http_server(answer) as server:
        outcome = try_extension(f"{server.url}/api/callout?code=key", Event.TOKEN_ISSUANCE_START, SESSION)
    assert (outcome.action, dict(outcome.claims)) == (Action.PROVIDE_CLAIMS, {"role": "Writer"})


def test_a_refused_connection_is_a_connection_error_retried_once() -> None:
    outcome = try_extension(f"http://127.0.0.1:{closed_port()}/api", Event.TOKEN_ISSUANCE_START, SESSION)
    assert (outcome.error_code, [a.failure for a in outcome.attempts]) == (
        ErrorCode.CONNECTION_ERROR,
        ["connectionRefused", "connectionRefused"],
    )
    no_retry = CalloutSettings(retry=RetryPolicy(on_connection_error=False))
    once = try_extension(
        f"http://127.0.0.1:{closed_port()}/api", Event.TOKEN_ISSUANCE_START, SESSION, settings=no_retry
    )
    assert len(once.attempts) == 1


def test_a_live_wsgi_server_is_called_over_loopback_http() -> None:
    endpoint = answering(provide_claims({"a": "b"}))
    with wsgi_server(endpoint.app()) as url:
        outcome = try_extension(f"{url}/api/callout", Event.TOKEN_ISSUANCE_START, SESSION)
    assert outcome.action is Action.PROVIDE_CLAIMS
    assert endpoint.requests[0]["headers"]["Content-Type"] == "application/json"


def test_a_slow_in_process_wsgi_app_times_out_too() -> None:
    def slow(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        time.sleep(1.0)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [CLAIMS]

    started = time.monotonic()
    outcome = try_extension(slow, Event.TOKEN_ISSUANCE_START, SESSION, timeout_ms=200, maximum_retries=0)
    assert outcome.error_code is ErrorCode.TIMED_OUT
    assert time.monotonic() - started < 0.2 + MARGIN


class AsgiEndpoint:
    """A FastAPI-style endpoint written as a bare ASGI app: records the request, answers the claims."""

    def __init__(self, delay: float = 0.0, chunks: int = 1) -> None:
        self.requests: list[dict[str, Any]] = []
        self.delay, self.chunks = delay, chunks

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.requests.append({"path": scope["path"], "query": scope["query_string"].decode(), "headers": headers,
                              "body": json.loads(body)})  # fmt: skip
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        size = -(-len(CLAIMS) // self.chunks)
        for index in range(0, len(CLAIMS), size):
            await asyncio.sleep(self.delay)
            more = index + size < len(CLAIMS)
            await send(
                {"type": "http.response.body", "body": CLAIMS[index : index + size], "more_body": more}
            )


def test_an_asgi_endpoint_is_called_in_process() -> None:
    endpoint = AsgiEndpoint()
    outcome = try_extension(
        endpoint, Event.TOKEN_ISSUANCE_START, SESSION, url="https://api.contoso.com/api/cb?code=k"
    )
    assert outcome.action is Action.PROVIDE_CLAIMS
    (request,) = endpoint.requests
    assert (request["path"], request["query"]) == ("/api/cb", "code=k")
    assert request["headers"]["authorization"].startswith("Bearer ")
    assert request["body"]["type"] == "microsoft.graph.authenticationEvent.tokenIssuanceStart"


def test_an_asgi_endpoint_that_trickles_its_body_past_the_deadline_times_out() -> None:
    endpoint = AsgiEndpoint(delay=0.1, chunks=20)  # 2 s in all
    started = time.monotonic()
    outcome = try_extension(endpoint, Event.TOKEN_ISSUANCE_START, SESSION, timeout_ms=500)
    elapsed = time.monotonic() - started
    assert (outcome.error_code, [a.failure for a in outcome.attempts]) == (
        ErrorCode.TIMED_OUT,
        ["timeout", "timeout"],
    )
    assert 1.0 <= elapsed < 1.0 + MARGIN


def test_each_call_is_journaled_in_the_sign_in_log_shape_without_secrets() -> None:
    endpoint = answering({"data": {"@odata.type": OTP_DATA, "actions": []}})  # no action: 1003010
    journal = CalloutJournal()
    simulator = ExtensionSimulator(journal=journal)
    target = ExtensionTarget(
        Event.EMAIL_OTP_SEND, "https://otp.contoso.com/api/send?code=function-key-secret", "api://otp.contoso.com/"
        "fb96de85-2abe-4b02-b45f-64ba122c509e", listener_id="listener-1", extension_id="extension-1",
    )  # fmt: skip
    session = Session(identifier="someone@example.com", one_time_code="87654321")
    outcome = simulator.call(target, session, transport=_transport(endpoint))
    (record,) = journal.export()
    assert {k: v for k, v in record.items() if k != "mockgraph"} == {
        "eventType": "emailOtpSend",
        "executedListenerId": "listener-1",
        "handlerResult": {
            "@odata.type": "#microsoft.graph.customExtensionCalloutResult",
            "calloutDateTime": record["handlerResult"]["calloutDateTime"],
            "customExtensionId": "extension-1",
            "errorCode": 1003010,
            "httpStatus": 200,
            "numberOfAttempts": 1,
        },
    }
    assert record["handlerResult"]["calloutDateTime"].endswith("Z")
    assert journal.sign_in_log() == [{k: v for k, v in record.items() if k != "mockgraph"}]
    text = json.dumps(record)
    token = endpoint.requests[0]["headers"]["Authorization"].removeprefix("Bearer ")
    for secret in (token, "function-key-secret", "87654321"):
        assert secret not in text
        assert secret not in json.dumps(outcome.to_json())
    assert record["mockgraph"]["request"]["url"] == "https://otp.contoso.com/api/send"
    assert record["mockgraph"]["request"]["headers"]["Authorization"] == "<redacted>"
    assert record["mockgraph"]["errorName"] == "CustomExtensionInvalidNumberOfActions"
    # The Python outcome keeps what was sent, for the test's own assertions.
    assert outcome.request_body["data"]["otpContext"]["oneTimeCode"] == "87654321"


def _transport(endpoint: Any) -> Any:
    from mockgraph.callouts import transport_for

    return transport_for(endpoint.app("/api/send"))
