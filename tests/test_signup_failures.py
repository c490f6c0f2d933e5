"""Every failure kind is produced and reported: bad answers, timeouts with the one retry, refused connections, TLS."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from _signup_servers import closed_port, wsgi_server
from flask import Flask

from mockgraph import make_pkcs12
from mockgraph.signup import (
    FailureKind,
    FlowSettings,
    HttpTransport,
    OutcomeKind,
    Product,
    SignUpUser,
    Step,
    WsgiTransport,
    call_step,
    try_connector,
)
from tests.support import connector_body, stored_certificate_auth

USER = SignUpUser(email="john@fabrikam.com", entered={"postalCode": "12345"})
BAD_REQUEST = "The claims exchange 'PreUserWriteRestful' specified in step '1' returned HTTP error response with Code 'BadRequest' and Reason 'Bad Request'."
UNPARSABLE = "The claims exchange 'PreUserWriteRestful' specified in step '1' returned HTTP error response that could not be parsed."


def endpoint(body: Any, status: int = 200) -> Flask:
    app = Flask("connector")

    @app.post("/api/endpoint")
    def answer() -> Any:
        if isinstance(body, Exception):
            raise body
        if isinstance(body, str):
            return body, status, {"Content-Type": "application/json"}
        return body, status

    return app


VALIDATION = {
    "version": "1.0.0",
    "status": 400,
    "action": "ValidationError",
    "userMessage": "Please enter a valid Postal Code.",
}
BLOCK = {"version": "1.0.0", "action": "ShowBlockPage", "userMessage": "No."}


@pytest.mark.parametrize(
    ("body", "status", "step", "kind", "code", "message"),
    [
        (
            {"version": "1.0.0", "action": "Continue"},
            500,
            Step.POST_ATTRIBUTE_COLLECTION,
            FailureKind.WRONG_STATUS,
            "AADB2C90075",
            "The claims exchange 'PreUserWriteRestful' specified in step '1' returned HTTP error response with Code 'InternalServerError' and Reason 'Internal Server Error'.",
        ),
        (
            {"error": "nope"},
            401,
            Step.POST_ATTRIBUTE_COLLECTION,
            FailureKind.WRONG_STATUS,
            "AADB2C90075",
            None,
        ),
        (
            "<html>oops</html>",
            200,
            Step.POST_ATTRIBUTE_COLLECTION,
            FailureKind.NOT_JSON,
            "AADB2C90261",
            UNPARSABLE,
        ),
        ("[1, 2]", 200, Step.POST_ATTRIBUTE_COLLECTION, FailureKind.NOT_JSON, "AADB2C90261", UNPARSABLE),
        # The docs' block example, trailing comma and all, is not JSON.
        (
            '{"version": "1.0.0", "action": "ShowBlockPage", "userMessage": "x",}',
            200,
            Step.POST_ATTRIBUTE_COLLECTION,
            FailureKind.NOT_JSON,
            "AADB2C90261",
            UNPARSABLE,
        ),
        (
            {"action": "Continue"},
            200,
            Step.POST_ATTRIBUTE_COLLECTION,
            FailureKind.MISSING_VERSION,
            "AADB2C90261",
            UNPARSABLE,
        ),
        (
            {"version": 1, "action": "Continue"},
            200,
            Step.POST_ATTRIBUTE_COLLECTION,
            FailureKind.WRONG_VERSION,
            "AADB2C90261",
            None,
        ),
        (
            {"version": "1.0.0"},
            200,
            Step.POST_ATTRIBUTE_COLLECTION,
            FailureKind.UNKNOWN_ACTION,
            "AADB2C90261",
            None,
        ),
        (
            {"version": "1.0.0", "action": "Allow"},
            200,
            Step.POST_ATTRIBUTE_COLLECTION,
            FailureKind.UNKNOWN_ACTION,
            "AADB2C90261",
            None,
        ),
        (
            {"version": "1.0.0", "action": "continue"},
            200,
            Step.POST_ATTRIBUTE_COLLECTION,
            FailureKind.UNKNOWN_ACTION,
            "AADB2C90261",
            None,
        ),
        (VALIDATION, 200, Step.POST_ATTRIBUTE_COLLECTION, FailureKind.WRONG_STATUS, "AADB2C90261", None),
        (
            {"version": "1.0.0", "action": "Continue"},
            400,
            Step.POST_ATTRIBUTE_COLLECTION,
            FailureKind.WRONG_STATUS,
            "AADB2C90075",
            BAD_REQUEST,
        ),
        (
            {**VALIDATION, "status": None},
            400,
            Step.POST_ATTRIBUTE_COLLECTION,
            FailureKind.INVALID_RESPONSE,
            "AADB2C90075",
            BAD_REQUEST,
        ),
        (
            {**VALIDATION, "status": 200},
            400,
            Step.POST_ATTRIBUTE_COLLECTION,
            FailureKind.INVALID_RESPONSE,
            "AADB2C90075",
            BAD_REQUEST,
        ),
        (
            {"version": "1.0.0", "action": "ShowBlockPage"},
            200,
            Step.POST_ATTRIBUTE_COLLECTION,
            FailureKind.INVALID_RESPONSE,
            "AADB2C90261",
            None,
        ),
        (VALIDATION, 400, Step.POST_FEDERATION_SIGNUP, FailureKind.ACTION_NOT_ALLOWED, "AADB2C90075", None),
        (BLOCK, 200, Step.PRE_TOKEN_ISSUANCE, FailureKind.ACTION_NOT_ALLOWED, "AADB2C90261", None),
        (
            RuntimeError("bug in the connector"),
            200,
            Step.POST_ATTRIBUTE_COLLECTION,
            FailureKind.WRONG_STATUS,
            "AADB2C90075",
            None,
        ),
    ],
)
def test_bad_answers_are_failures(
    body: Any, status: int, step: Step, kind: FailureKind, code: str, message: str | None
) -> None:
    outcome = try_connector(endpoint(body, status), USER, step=step, product=Product.B2C)
    assert outcome.kind is OutcomeKind.FAILURE
    assert outcome.failure is kind
    assert outcome.error_code == code
    assert outcome.rule
    assert outcome.user_message
    if message is not None:
        assert outcome.user_message == message.replace(
            "PreUserWriteRestful",
            {
                Step.POST_FEDERATION_SIGNUP: "PostFederationSignupRestful",
                Step.POST_ATTRIBUTE_COLLECTION: "PreUserWriteRestful",
                Step.PRE_TOKEN_ISSUANCE: "PreTokenIssuanceRestful",
            }[step],
        )
    assert outcome.attempts == 1  # an HTTP answer is never retried
    assert outcome.to_json()["failure"] == kind.value


def test_a_version_list_makes_other_versions_wrong() -> None:
    app = endpoint({"version": "0.0.1", "action": "Continue"})
    assert try_connector(app, USER).kind is OutcomeKind.CONTINUE  # by default any version string is accepted
    outcome = try_connector(app, USER, settings=FlowSettings(accepted_versions=frozenset({"1.0.0"})))
    assert outcome.failure is FailureKind.WRONG_VERSION


class SlowEndpoint:
    """Answers only when released, and counts calls (so the retry is visible)."""

    def __init__(self) -> None:
        self.calls = 0
        self.release = threading.Event()
        self.app = Flask("slow")
        self.app.add_url_rule("/api/endpoint", "slow", self.handle, methods=["POST"])

    def handle(self) -> Any:
        self.calls += 1
        self.release.wait(10)
        return {"version": "1.0.0", "action": "Continue"}


def test_timeout_in_process_is_retried_once() -> None:
    slow = SlowEndpoint()
    try:
        outcome = try_connector(slow.app, USER, settings=FlowSettings(timeout_seconds=0.2))
    finally:
        slow.release.set()
    assert (outcome.kind, outcome.failure, outcome.attempts) == (OutcomeKind.FAILURE, FailureKind.TIMEOUT, 2)
    assert slow.calls == 2
    assert (outcome.error_code, outcome.user_message) == (
        "AADB2C90063",
        "There is a problem with the service.",
    )


def test_timeout_over_http_is_retried_once() -> None:
    slow = SlowEndpoint()
    try:
        with wsgi_server(slow.app) as base:
            outcome = try_connector(f"{base}/api/endpoint", USER, settings=FlowSettings(timeout_seconds=0.2))
            slow.release.set()
    finally:
        slow.release.set()
    assert (outcome.failure, outcome.attempts, slow.calls) == (FailureKind.TIMEOUT, 2, 2)


def test_connection_refused() -> None:
    outcome = try_connector(f"http://127.0.0.1:{closed_port()}/api", USER)
    assert (outcome.kind, outcome.failure, outcome.attempts) == (
        OutcomeKind.FAILURE,
        FailureKind.CONNECTION_REFUSED,
        2,
    )
    assert outcome.error_code == "AADB2C90063"


def test_tls_to_a_plain_http_server_is_a_tls_error() -> None:
    with wsgi_server(endpoint({"version": "1.0.0", "action": "Continue"})) as base:
        outcome = try_connector(base.replace("http://", "https://") + "/api/endpoint", USER)
    assert (outcome.failure, outcome.attempts) == (FailureKind.TLS_ERROR, 2)


def test_certificate_connector_without_a_valid_certificate() -> None:
    expired = make_pkcs12(
        password="pw",
        not_before=dt.datetime.now(dt.UTC) - dt.timedelta(days=30),
        not_after=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
    )
    connector = {
        "id": "c1",
        **connector_body("Expired API", "https://127.0.0.1:1/api", stored_certificate_auth(expired)),
    }
    outcome = call_step(
        connector, Step.POST_ATTRIBUTE_COLLECTION, USER, FlowSettings(), transport=HttpTransport()
    )
    assert (outcome.failure, outcome.attempts, outcome.error_code) == (
        FailureKind.CERTIFICATE_UNAVAILABLE,
        0,
        "AADB2C90028",
    )
    assert outcome.user_message == "Client certificate specified for 'Expired API' is invalid."
    assert outcome.request_body["postalCode"] == "12345"


def test_wsgi_transport_hands_the_client_certificate_to_the_app() -> None:
    generated = make_pkcs12(password="pw")
    seen: dict[str, Any] = {}
    app = Flask("cert")

    @app.post("/api")
    def handle() -> Any:
        from flask import request

        seen["environ"] = request.environ.get("SSL_CLIENT_CERT")
        seen["header"] = request.headers.get("X-ARR-ClientCert")
        seen["authorization"] = request.headers.get("Authorization")
        return {"version": "1.0.0", "action": "Continue"}

    connector = {
        "id": "c2",
        **connector_body("Cert API", "https://contoso.example/api", stored_certificate_auth(generated)),
    }
    transport = WsgiTransport(app, certificate_header="X-ARR-ClientCert")
    outcome = call_step(connector, Step.POST_ATTRIBUTE_COLLECTION, USER, FlowSettings(), transport=transport)
    assert outcome.kind is OutcomeKind.CONTINUE
    assert seen["environ"].startswith("-----BEGIN CERTIFICATE-----")
    assert seen["header"]
    assert seen["authorization"] is None  # a certificate connector sends no Basic credentials
