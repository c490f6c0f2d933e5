"""Each answer kind maps to its documented outcome, and each failure to its sign-in log code (reference §9, §10)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto import jwe, jwk

from mockgraph.callouts import (
    Action,
    CalloutSettings,
    ErrorCode,
    Event,
    PasswordEncryption,
    ResponseRules,
    RetryPolicy,
    Session,
    try_extension,
)
from tests._callout_endpoints import (
    OTP_DATA,
    PASSWORD_DATA,
    START_DATA,
    SUBMIT_DATA,
    TOKEN_DATA,
    Endpoint,
    answering,
    provide_claims,
    response,
)

PAGE = {"city": "", "extension_abc_graduationYear": 0}
SESSION = Session(
    user={"id": "u1"},
    attributes=PAGE,
    identifier="someone@example.com",
    one_time_code="12345678",
    password="pw",
)


KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def outcome_of(endpoint: Endpoint, event: Event, **options: Any) -> Any:
    if event is Event.PASSWORD_SUBMIT:
        options.setdefault("password_encryption", PasswordEncryption.of(KEY))
    return try_extension(endpoint.app(), event, SESSION, **options)


def action(name: str) -> dict[str, Any]:
    return {"@odata.type": f"microsoft.graph.{name}"}


# (event, answer, action, page the user sees, what the flow takes)
KINDS = [
    (Event.TOKEN_ISSUANCE_START, provide_claims({"DateOfBirth": "01/01/2000", "CustomRoles": ["Writer", "Editor"]}),
     Action.PROVIDE_CLAIMS, "signedIn", {"claims": {"DateOfBirth": "01/01/2000", "CustomRoles": ["Writer", "Editor"]}}),
    (Event.ATTRIBUTE_COLLECTION_START, response(START_DATA, action("attributeCollectionStart.continueWithDefaultBehavior")),
     Action.CONTINUE, "attributeCollection", {}),
    (Event.ATTRIBUTE_COLLECTION_START,
     response(START_DATA, {**action("attributeCollectionStart.setPrefillValues"), "inputs": {"city": "Seattle", "key2": True}}),
     Action.SET_PREFILL_VALUES, "attributeCollection", {"values": {"city": "Seattle"}, "ignored": ["key2"]}),
    (Event.ATTRIBUTE_COLLECTION_START,
     response(START_DATA, {**action("attributeCollectionStart.showBlockPage"), "title": "Hold tight...", "message": "Your access request is already processing."}),
     Action.SHOW_BLOCK_PAGE, "blockPage", {"title": "Hold tight...", "message": "Your access request is already processing."}),
    (Event.ATTRIBUTE_COLLECTION_SUBMIT, response(SUBMIT_DATA, action("attributeCollectionSubmit.continueWithDefaultBehavior")),
     Action.CONTINUE, "continue", {}),
    (Event.ATTRIBUTE_COLLECTION_SUBMIT,
     response(SUBMIT_DATA, {**action("attributeCollectionSubmit.modifyAttributeValues"), "attributes": {"extension_abc_graduationYear": 2010, "nope": "x"}}),
     Action.MODIFY_ATTRIBUTE_VALUES, "continue", {"values": {"extension_abc_graduationYear": 2010}, "ignored": ["nope"]}),
    (Event.ATTRIBUTE_COLLECTION_SUBMIT,
     response(SUBMIT_DATA, {**action("attributeCollectionSubmit.showBlockPage"), "message": "No."}),
     Action.SHOW_BLOCK_PAGE, "blockPage", {"message": "No."}),
    (Event.ATTRIBUTE_COLLECTION_SUBMIT,
     response(SUBMIT_DATA, {**action("attributeCollectionSubmit.showValidationError"), "message": "Please fix the below errors to proceed.",
                            "attributeErrors": {"city": "City cannot contain any numbers"}}),
     Action.SHOW_VALIDATION_ERROR, "attributeCollection",
     {"message": "Please fix the below errors to proceed.", "errors": {"city": "City cannot contain any numbers"}}),
    (Event.EMAIL_OTP_SEND, response(OTP_DATA, action("OtpSend.continueWithDefaultBehavior")),
     Action.CONTINUE, "oneTimeCodeEntry", {}),
    (Event.PASSWORD_SUBMIT, response(PASSWORD_DATA, action("passwordSubmit.MigratePassword")), Action.MIGRATE_PASSWORD, "continue", {}),
    (Event.PASSWORD_SUBMIT, response(PASSWORD_DATA, action("passwordSubmit.UpdatePassword")), Action.UPDATE_PASSWORD, "passwordReset", {}),
    (Event.PASSWORD_SUBMIT, response(PASSWORD_DATA, action("passwordSubmit.Retry")), Action.RETRY, "passwordRetry", {}),
    (Event.PASSWORD_SUBMIT,
     response(PASSWORD_DATA, {**action("passwordSubmit.Block"), "title": "Blocked", "message": "Call the help desk."}),
     Action.BLOCK, "blockPage", {"title": "Blocked", "message": "Call the help desk."}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("event", "answer", "expected", "page", "taken"), KINDS, ids=lambda v: getattr(v, "value", None)
)
def test_each_documented_answer_has_its_outcome(
    event: Event, answer: dict[str, Any], expected: Action, page: str, taken: dict[str, Any]
) -> None:
    outcome = outcome_of(answering(answer), event)
    assert (outcome.action, outcome.error_code, outcome.user_view.page) == (expected, None, page), (
        outcome.rule
    )
    assert dict(outcome.claims) == taken.get("claims", {})
    assert dict(outcome.values) == taken.get("values", {})
    assert sorted(outcome.ignored) == taken.get("ignored", [])
    for name in ("title", "message", "errors"):
        assert getattr(outcome.user_view, name) == taken.get(name), name
    assert outcome.proceeds is (expected in {Action.PROVIDE_CLAIMS, Action.CONTINUE, Action.SET_PREFILL_VALUES,
                                             Action.MODIFY_ATTRIBUTE_VALUES, Action.MIGRATE_PASSWORD})  # fmt: skip
    assert [attempt.status for attempt in outcome.attempts] == [200]


CLAIMS_OK = {"@odata.type": "microsoft.graph.tokenIssuanceStart.provideClaimsForToken", "claims": {"a": "b"}}
# (answer status, body, content type, code, attempts)
FAILURES = {
    "500-retried-once": (500, provide_claims({}), "application/json", ErrorCode.INVALID_HTTP_STATUS, 2),
    "503-retried-once": (503, "", "text/plain", ErrorCode.INVALID_HTTP_STATUS, 2),
    "401-not-retried": (401, {"error": "invalid token"}, "application/json", ErrorCode.INVALID_HTTP_STATUS, 1),
    "400-validation-error-status": (400, provide_claims({}), "application/json", ErrorCode.INVALID_HTTP_STATUS, 1),
    "429-not-retried": (429, "", "application/json", ErrorCode.INVALID_HTTP_STATUS, 1),
    "text-plain": (200, provide_claims({}), "text/plain", ErrorCode.INVALID_RESPONSE_CONTENT_TYPE, 1),
    "empty-body": (200, "", "application/json", ErrorCode.EMPTY_RESPONSE, 1),
    "null-body": (200, "null", "application/json", ErrorCode.EMPTY_RESPONSE, 1),
    "not-json": (200, "{oops", "application/json", ErrorCode.INVALID_RESPONSE_BODY, 1),
    "no-data": (200, {"actions": []}, "application/json", ErrorCode.INVALID_RESPONSE_BODY, 1),
    "wrong-data-type": (200, response(START_DATA, CLAIMS_OK), "application/json", ErrorCode.INVALID_RESPONSE_BODY, 1),
    "actions-not-array": (200, {"data": {"@odata.type": TOKEN_DATA, "actions": {}}}, "application/json", ErrorCode.INVALID_RESPONSE_BODY, 1),
    "no-action": (200, response(TOKEN_DATA), "application/json", ErrorCode.INVALID_NUMBER_OF_ACTIONS, 1),
    "two-actions": (200, response(TOKEN_DATA, CLAIMS_OK, CLAIMS_OK), "application/json", ErrorCode.INVALID_NUMBER_OF_ACTIONS, 1),
    "unknown-action": (200, response(TOKEN_DATA, {"@odata.type": "microsoft.graph.provideClaimsForToken", "claims": {}}),
                       "application/json", ErrorCode.INVALID_ACTION_TYPE, 1),
    "another-events-action": (200, response(TOKEN_DATA, action("attributeCollectionStart.continueWithDefaultBehavior")),
                              "application/json", ErrorCode.INVALID_ACTION_TYPE, 1),
    "null-claims": (200, provide_claims(None), "application/json", ErrorCode.NULL_CLAIMS_RESPONSE, 1),
    "empty-claim-key": (200, provide_claims({"": "x"}), "application/json", ErrorCode.NULL_OR_EMPTY_CLAIM_KEY_NOT_SUPPORTED, 1),
    "claims-over-3kb": (200, provide_claims({"big": "x" * 3070, "k": "v"}), "application/json", ErrorCode.RESPONSE_CLAIMS_SIZE_EXCEEDED, 1),
    "boolean-claim": (200, provide_claims({"flag": True}), "application/json", ErrorCode.INVALID_RESPONSE_BODY, 1),
    "json-claim": (200, provide_claims({"obj": {"a": 1}}), "application/json", ErrorCode.INVALID_RESPONSE_BODY, 1),
    "response-over-limit": (200, provide_claims({"pad": ["x" * 1000] * 70}), "application/json", ErrorCode.RESPONSE_SIZE_EXCEEDED, 1),
}  # fmt: skip


@pytest.mark.parametrize("name", list(FAILURES))
def test_each_failure_has_its_error_code_and_the_generic_user_error(name: str) -> None:
    status, body, content_type, code, attempts = FAILURES[name]
    outcome = outcome_of(answering(body, status, content_type), Event.TOKEN_ISSUANCE_START)
    assert (outcome.action, outcome.error_code, len(outcome.attempts)) == (Action.FAILURE, code, attempts), (
        outcome.rule
    )
    assert outcome.rule
    assert not outcome.proceeds
    view = outcome.user_view
    assert view.page == "error"
    assert view.redirect is not None
    assert view.redirect["error"] == "server_error"
    assert view.redirect["error_description"].startswith("AADSTS1100001: Non-retryable error has occurred.")
    assert outcome.correlation_id in view.redirect["error_description"]
    assert "1003" not in view.redirect["error_description"]  # the user never sees the sign-in log's code


def test_the_claims_limit_is_the_sum_of_keys_and_values_in_utf8_bytes() -> None:
    # 3 072 bytes exactly pass; one more byte fails.
    fits = {"k": "x" * 3000, "roles": ["a" * 33, "b" * 33]}
    assert sum(len(k) for k in fits) + 3000 + 66 == 3072
    assert outcome_of(answering(provide_claims(fits)), Event.TOKEN_ISSUANCE_START).error_code is None
    over = {"k": "é" * 1500, "roles": ["a" * 35, "b" * 34]}  # é is two bytes
    failed = outcome_of(answering(provide_claims(over)), Event.TOKEN_ISSUANCE_START)
    assert failed.error_code is ErrorCode.RESPONSE_CLAIMS_SIZE_EXCEEDED


def test_type_names_in_another_casing_or_with_a_hash_are_tolerated_and_noted() -> None:
    # Microsoft's own samples write ShowValidationError and passwordsubmit (reference §9.3, §9.5).
    answer = response(
        "#microsoft.graph.onattributecollectionsubmitresponsedata",
        {
            "@odata.type": "microsoft.graph.attributeCollectionSubmit.ShowValidationError",
            "message": "Fix it.",
        },
    )
    outcome = outcome_of(answering(answer), Event.ATTRIBUTE_COLLECTION_SUBMIT)
    assert outcome.action is Action.SHOW_VALIDATION_ERROR
    assert len(outcome.notes) == 3  # the hash, the data type's casing, the action's casing
    strict = CalloutSettings(rules=ResponseRules(case_insensitive=False, allow_hash=False))
    refused = outcome_of(answering(answer), Event.ATTRIBUTE_COLLECTION_SUBMIT, settings=strict)
    assert refused.error_code is ErrorCode.INVALID_RESPONSE_BODY


def test_unsupported_claim_values_may_be_ignored_instead() -> None:
    lenient = CalloutSettings(rules=ResponseRules(strict_claim_values=False))
    outcome = outcome_of(
        answering(provide_claims({"flag": True, "a": "b"})), Event.TOKEN_ISSUANCE_START, settings=lenient
    )
    assert (outcome.action, dict(outcome.claims), list(outcome.ignored)) == (
        Action.PROVIDE_CLAIMS,
        {"a": "b"},
        ["flag"],
    )


def test_the_password_answer_nonce_must_match_when_given_or_required() -> None:
    migrate = action("passwordSubmit.MigratePassword")
    wrong = outcome_of(answering(response(PASSWORD_DATA, migrate, nonce="not-it")), Event.PASSWORD_SUBMIT)
    assert wrong.error_code is ErrorCode.INVALID_RESPONSE_BODY
    required = CalloutSettings(rules=ResponseRules(require_nonce=True))
    missing = outcome_of(
        answering(response(PASSWORD_DATA, migrate)), Event.PASSWORD_SUBMIT, settings=required
    )
    assert missing.error_code is ErrorCode.INVALID_RESPONSE_BODY
    echo = Endpoint(
        lambda body: (200, response(PASSWORD_DATA, migrate, nonce=_nonce(body)), "application/json")
    )
    assert outcome_of(echo, Event.PASSWORD_SUBMIT, settings=required).action is Action.MIGRATE_PASSWORD


def _nonce(body: dict[str, Any]) -> str:
    """What a migrating endpoint does: decrypt the context with its private key, read the inner JWT's nonce."""
    private = jwk.JWK.from_pem(
        KEY.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    token = jwe.JWE()
    token.deserialize(body["data"]["encryptedPasswordContext"], key=private)
    payload = token.payload.decode().split(".")[1]
    nonce: str = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["nonce"]
    return nonce


def test_an_otp_failure_falls_back_to_the_microsoft_provider_when_the_listener_says_so() -> None:
    failing = answering("", 500)
    plain = outcome_of(failing, Event.EMAIL_OTP_SEND)
    assert (plain.action, plain.user_view.page) == (Action.FAILURE, "error")
    fallback = outcome_of(failing, Event.EMAIL_OTP_SEND, fallback_to_microsoft_on_error=True)
    assert (fallback.action, fallback.error_code, fallback.user_view.page) == (
        Action.FALLBACK,
        ErrorCode.INVALID_HTTP_STATUS,
        "oneTimeCodeEntry",
    )
    assert fallback.proceeds


def test_the_retry_policy_and_maximum_retries_are_configurable() -> None:
    failing = answering("", 500)
    assert len(outcome_of(failing, Event.TOKEN_ISSUANCE_START, maximum_retries=0).attempts) == 1
    no_5xx = CalloutSettings(retry=RetryPolicy(statuses=frozenset()))
    assert len(outcome_of(failing, Event.TOKEN_ISSUANCE_START, settings=no_5xx).attempts) == 1
    with_4xx = CalloutSettings(retry=RetryPolicy(statuses=frozenset({401})))
    assert len(outcome_of(answering("", 401), Event.TOKEN_ISSUANCE_START, settings=with_4xx).attempts) == 2


def test_the_target_url_and_resource_id_are_checked_before_any_call() -> None:
    endpoint = answering(provide_claims({}))
    http = try_extension(
        endpoint.app(), Event.TOKEN_ISSUANCE_START, SESSION, url="http://api.contoso.com/api/callout"
    )
    assert (http.error_code, http.attempts) == (ErrorCode.INCORRECT_TARGET_URL_FORMAT, ())
    loopback = try_extension(
        endpoint.app(), Event.TOKEN_ISSUANCE_START, SESSION, url="http://127.0.0.1/api/callout"
    )
    assert loopback.error_code is None  # local test servers need no TLS
    strict = CalloutSettings(check_resource_id=True)
    for resource_id, code in (
        ("api://00000000-0000-4000-8000-00000000e0a1", ErrorCode.INCORRECT_RESOURCE_ID_FORMAT),
        (
            "api://other.contoso.com/00000000-0000-4000-8000-00000000e0a1",
            ErrorCode.DOMAIN_NAME_DOES_NOT_MATCH,
        ),
    ):
        refused = try_extension(
            endpoint.app(), Event.TOKEN_ISSUANCE_START, SESSION, resource_id=resource_id, settings=strict
        )
        assert refused.error_code is code
    assert endpoint.requests == [{**endpoint.requests[0]}]  # only the loopback call reached the endpoint
