"""Verdicts on a connector's answer (reference section 2): what it may answer at each step, and the outcome.

``evaluate`` turns one HTTP answer into an ``Outcome``; which returned claims are used is decided here too, so the
rules live in one place. Where the docs are silent the choice is marked in docs/fidelity.md.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from http import HTTPStatus
from typing import Any

from mockgraph.signup.model import FlowSettings, SignUpUser, Step


class OutcomeKind(StrEnum):
    CONTINUE = "continue"
    BLOCK_PAGE = "blockPage"
    VALIDATION_ERROR = "validationError"
    FAILURE = "failure"


class FailureKind(StrEnum):
    """Why a call counts as failed; the first four happen before any answer arrives."""

    TIMEOUT = "timeout"
    CONNECTION_REFUSED = "connectionRefused"
    CONNECTION_ERROR = "connectionError"
    TLS_ERROR = "tlsError"
    CERTIFICATE_UNAVAILABLE = "certificateUnavailable"
    NOT_JSON = "notJson"
    WRONG_STATUS = "wrongStatus"
    MISSING_VERSION = "missingVersion"
    WRONG_VERSION = "wrongVersion"
    UNKNOWN_ACTION = "unknownAction"
    ACTION_NOT_ALLOWED = "actionNotAllowedAtStep"
    INVALID_RESPONSE = "invalidResponse"


# The B2C RESTful provider's messages (reference section 2.6, B7); user flows run on it ("PreUserWriteRestful").
CLAIMS_EXCHANGES = {
    Step.POST_FEDERATION_SIGNUP: "PostFederationSignupRestful",
    Step.POST_ATTRIBUTE_COLLECTION: "PreUserWriteRestful",
    Step.PRE_TOKEN_ISSUANCE: "PreTokenIssuanceRestful",
}
HTTP_ERROR = "The claims exchange '{0}' specified in step '1' returned HTTP error response with Code '{1}' and Reason '{2}'."
UNPARSABLE = (
    "The claims exchange '{0}' specified in step '1' returned HTTP error response that could not be parsed."
)
SERVICE_PROBLEM = "There is a problem with the service."
CERTIFICATE_INVALID = "Client certificate specified for '{0}' is invalid."
ACTIONS_AT = {
    Step.POST_FEDERATION_SIGNUP: ("Continue", "ShowBlockPage"),
    Step.POST_ATTRIBUTE_COLLECTION: ("Continue", "ShowBlockPage", "ValidationError"),
    Step.PRE_TOKEN_ISSUANCE: ("Continue",),
}
NOT_CLAIMS = frozenset(
    {"version", "action", "userMessage", "status", "code", "developerMessage", "requestId", "moreInfo"}
)


@dataclass(frozen=True)
class Outcome:
    """What the user flow does with one connector call.

    ``user_message`` is what the user sees (block page, validation message, or the failure's error text).
    ``applied`` are the returned claims the flow uses: ``prefilled`` at PostFederationSignup, ``overwritten``
    afterwards; ``ignored`` maps each unused returned member to the reason. ``rule`` names the broken rule.
    """

    step: Step
    kind: OutcomeKind
    user_message: str | None = None
    error_code: str | None = None
    failure: FailureKind | None = None
    rule: str | None = None
    prefilled: Mapping[str, Any] = field(default_factory=dict)
    overwritten: Mapping[str, Any] = field(default_factory=dict)
    ignored: Mapping[str, str] = field(default_factory=dict)
    request_body: Mapping[str, Any] = field(default_factory=dict)
    status: int | None = None
    response_text: str | None = None
    attempts: int = 0

    @property
    def applied(self) -> dict[str, Any]:
        return {**self.prefilled, **self.overwritten}

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step.value,
            "outcome": self.kind.value,
            "userMessage": self.user_message,
            "errorCode": self.error_code,
            "failure": self.failure.value if self.failure else None,
            "rule": self.rule,
            "prefilledClaims": dict(self.prefilled),
            "overwrittenClaims": dict(self.overwritten),
            "ignoredClaims": dict(self.ignored),
            "requestBody": dict(self.request_body),
            "responseStatus": self.status,
            "responseBody": self.response_text,
            "attempts": self.attempts,
        }


def failure(
    step: Step, kind: FailureKind, rule: str, *, status: int | None = None, connector: str = ""
) -> Outcome:
    """A failed call, with the message the user would see."""
    exchange = CLAIMS_EXCHANGES[step]
    if kind is FailureKind.CERTIFICATE_UNAVAILABLE:
        code, message = "AADB2C90028", CERTIFICATE_INVALID.format(connector)
    elif status is not None and status != 200:
        phrase = _phrase(status)
        code, message = "AADB2C90075", HTTP_ERROR.format(exchange, phrase.replace(" ", ""), phrase)
    elif status is not None:
        code, message = "AADB2C90261", UNPARSABLE.format(exchange)
    else:
        code, message = "AADB2C90063", SERVICE_PROBLEM
    return Outcome(step, OutcomeKind.FAILURE, message, code, kind, rule, status=status)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return str(status)


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def evaluate(step: Step, status: int, body: bytes, user: SignUpUser, settings: FlowSettings) -> Outcome:
    """Apply the response contract to one answer (the request body and attempts are added by the caller)."""
    text = body.decode("utf-8", errors="replace")
    if status not in (200, 400):
        return _with_text(
            failure(
                step, FailureKind.WRONG_STATUS, f"HTTP status must be 200 or 400, got {status}", status=status
            ),
            text,
        )
    try:
        document = json.loads(body.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _with_text(
            failure(step, FailureKind.NOT_JSON, "the body must be a JSON object", status=status), text
        )
    if not isinstance(document, dict):
        return _with_text(
            failure(step, FailureKind.NOT_JSON, "the body must be a JSON object", status=status), text
        )
    broken = _check_members(step, status, document, settings)
    if broken is not None:
        return _with_text(failure(step, broken[0], broken[1], status=status), text)
    action = document["action"]
    if action == "ShowBlockPage":
        return Outcome(
            step, OutcomeKind.BLOCK_PAGE, document["userMessage"], status=status, response_text=text
        )
    if action == "ValidationError":
        return Outcome(
            step, OutcomeKind.VALIDATION_ERROR, document["userMessage"], status=status, response_text=text
        )
    used, ignored = returned_claims(step, document, user, settings)
    prefill = step is Step.POST_FEDERATION_SIGNUP
    return Outcome(
        step,
        OutcomeKind.CONTINUE,
        prefilled=used if prefill else {},
        overwritten={} if prefill else used,
        ignored=ignored,
        status=status,
        response_text=text,
    )


def _with_text(outcome: Outcome, text: str) -> Outcome:
    return Outcome(**{**outcome.__dict__, "response_text": text})


def _check_members(
    step: Step, status: int, document: dict[str, Any], settings: FlowSettings
) -> tuple[FailureKind, str] | None:
    if "version" not in document:
        return FailureKind.MISSING_VERSION, "'version' is required"
    version = document["version"]
    if not isinstance(version, str) or not version.strip():
        return FailureKind.WRONG_VERSION, "'version' must be a non-empty string"
    if settings.accepted_versions is not None and version not in settings.accepted_versions:
        return (
            FailureKind.WRONG_VERSION,
            f"'version' must be one of {', '.join(sorted(settings.accepted_versions))}",
        )
    action = document.get("action")
    if action not in ("Continue", "ShowBlockPage", "ValidationError"):
        what = (
            "is required"
            if action is None
            else f"{action!r} is not Continue, ShowBlockPage or ValidationError"
        )
        return FailureKind.UNKNOWN_ACTION, f"'action' {what}"
    expected_status = 400 if action == "ValidationError" else 200
    if status != expected_status:
        return (
            FailureKind.WRONG_STATUS,
            f"a {action} response must have HTTP status {expected_status}, got {status}",
        )
    if action not in ACTIONS_AT[step]:
        return FailureKind.ACTION_NOT_ALLOWED, f"{action} is not a response {step.value} accepts"
    if action == "ValidationError" and document.get("status") not in (400, "400"):
        return FailureKind.INVALID_RESPONSE, "a ValidationError body must have 'status' 400 or \"400\""
    if action != "Continue" and not isinstance(document.get("userMessage"), str):
        return FailureKind.INVALID_RESPONSE, f"a {action} response must have a string 'userMessage'"
    return None


def returned_claims(
    step: Step, document: Mapping[str, Any], user: SignUpUser, settings: FlowSettings
) -> tuple[dict[str, Any], dict[str, str]]:
    """The claims of a Continue response the flow uses, under wire names, and why each other member is ignored."""
    usable = (
        settings.token_claims(user) if step is Step.PRE_TOKEN_ISSUANCE else settings.collected_claims(user)
    )
    where = "an application claim of" if step is Step.PRE_TOKEN_ISSUANCE else "collected by"
    used: dict[str, Any] = {}
    ignored: dict[str, str] = {}
    for key, value in document.items():
        if key in NOT_CLAIMS:
            if key not in ("version", "action"):
                ignored[key] = "not a claim"
            continue
        name = settings.claim_name(key)
        if value is None:
            ignored[key] = "null value"
        elif not isinstance(value, str | int | float | bool):
            ignored[key] = "not a string, number or boolean"
        elif step is Step.PRE_TOKEN_ISSUANCE and name == "email":
            ignored[key] = "email cannot be overwritten in the token"
        elif name not in usable:
            ignored[key] = f"not {where} the user flow"
        else:
            used[name] = value
    return used, ignored
