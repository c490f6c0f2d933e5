"""What one callout came to: the action Entra takes, the error code it logs, and what the user sees."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from mockgraph.callouts.codes import ErrorCode, UserView
from mockgraph.callouts.events import Event


class Action(StrEnum):
    """The action the answer asked for (its documented short name), or how the call failed."""

    CONTINUE = "continueWithDefaultBehavior"
    PROVIDE_CLAIMS = "provideClaimsForToken"
    SET_PREFILL_VALUES = "setPrefillValues"
    MODIFY_ATTRIBUTE_VALUES = "modifyAttributeValues"
    SHOW_BLOCK_PAGE = "showBlockPage"
    SHOW_VALIDATION_ERROR = "showValidationError"
    MIGRATE_PASSWORD = "MigratePassword"
    UPDATE_PASSWORD = "UpdatePassword"
    RETRY = "Retry"
    BLOCK = "Block"
    # The call failed: the sign-in ends with AADSTS1100001 ...
    FAILURE = "failure"
    # ... unless an OTP listener falls back to the Microsoft provider, which then sends the code.
    FALLBACK = "fallbackToMicrosoftProvider"


# The actions after which the sign-up or sign-in goes on.
PROCEEDS = frozenset(
    {
        Action.CONTINUE,
        Action.PROVIDE_CLAIMS,
        Action.SET_PREFILL_VALUES,
        Action.MODIFY_ATTRIBUTE_VALUES,
        Action.MIGRATE_PASSWORD,
        Action.FALLBACK,
    }
)


@dataclass(frozen=True)
class Attempt:
    """One try: the HTTP status, or why no answer came (``timeout``, ``connectionRefused``...), and how long."""

    status: int | None
    failure: str | None
    duration_ms: float

    def to_json(self) -> dict[str, Any]:
        return {"httpStatus": self.status, "failure": self.failure, "durationMs": round(self.duration_ms, 3)}


@dataclass(frozen=True)
class CalloutOutcome:
    """One callout judged as Entra would.

    ``error_code`` is the sign-in log's code (None when the call succeeded); ``rule`` says which rule the
    answer broke, for the developer. ``claims`` (token issuance), ``values`` (prefill or modified
    attributes, only those on the page) and ``ignored`` (returned names not used, with why) are what the
    flow takes from the answer; ``notes`` lists what was tolerated (a type name in another casing, say).
    ``request_body`` is what was sent (the password only as its JWE); ``nonce`` went inside the JWE.
    """

    event: Event
    action: Action
    user_view: UserView
    correlation_id: str
    error_code: ErrorCode | None = None
    rule: str | None = None
    claims: Mapping[str, Any] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)
    ignored: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    status: int | None = None
    response_text: str | None = None
    attempts: tuple[Attempt, ...] = ()
    request_body: Mapping[str, Any] = field(default_factory=dict)
    nonce: str | None = None
    started: float = 0.0

    @property
    def proceeds(self) -> bool:
        """Whether the sign-up or sign-in goes on after this call."""
        return self.action in PROCEEDS

    @property
    def failed(self) -> bool:
        return self.error_code is not None

    def to_json(self) -> dict[str, Any]:
        """The outcome as JSON (the admin API and the CLI print it): the request body redacted."""
        from mockgraph.callouts.journal import redacted

        return {
            "event": self.event.value,
            "action": self.action.value,
            "proceeds": self.proceeds,
            "errorCode": None if self.error_code is None else int(self.error_code),
            "errorName": None if self.error_code is None else self.error_code.error_name,
            "rule": self.rule,
            "userView": self.user_view.to_json(),
            "claims": dict(self.claims),
            "values": dict(self.values),
            "ignored": dict(self.ignored),
            "notes": list(self.notes),
            "httpStatus": self.status,
            "responseBody": self.response_text,
            "attempts": [attempt.to_json() for attempt in self.attempts],
            "correlationId": self.correlation_id,
            "requestBody": redacted(dict(self.request_body)),
        }
