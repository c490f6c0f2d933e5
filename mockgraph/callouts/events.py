"""The documented events a custom authentication extension is called for, and each one's wire names.

One ``EventSpec`` per event holds everything that differs between them (reference §9): the request's
``type`` and ``data`` ``@odata.type``, the response's data type and its actions, the Graph types of the
extension and listener records, the sign-in log's ``eventType``, and whether the request carries the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Event(StrEnum):
    """An event with a documented callout; the value is the sign-in log's ``eventType``."""

    TOKEN_ISSUANCE_START = "tokenIssuanceStart"
    ATTRIBUTE_COLLECTION_START = "attributeCollectionStart"
    ATTRIBUTE_COLLECTION_SUBMIT = "attributeCollectionSubmit"
    EMAIL_OTP_SEND = "emailOtpSend"
    PASSWORD_SUBMIT = "passwordSubmit"

    @classmethod
    def parse(cls, name: str | Event) -> Event:
        """An event from its value, its enum name or its Graph event name, case-insensitively."""
        wanted = str(name).replace("_", "").replace("microsoft.graph.authenticationEvent.", "").lower()
        for event in cls:
            if wanted in (event.value.lower(), event.name.replace("_", "").lower()):
                return event
        raise ValueError(f"unknown event {name!r}; expected one of {', '.join(e.value for e in cls)}")

    @property
    def spec(self) -> EventSpec:
        return SPECS[self]


@dataclass(frozen=True)
class EventSpec:
    """The wire names of one event (verbatim from the reference, including the OTP event's capitals)."""

    request_type: str
    callout_data_type: str
    response_data_type: str
    # Short action name -> the action's @odata.type as documented.
    actions: dict[str, str]
    extension_type: str
    listener_type: str
    sends_user: bool
    # Whose app id the request's ``source`` names (reference §8.1: the client for token issuance, the
    # resource for attribute collection; the OTP and password examples cannot tell, the client is chosen).
    source_is_resource: bool = False


def _actions(prefix: str, *names: str) -> dict[str, str]:
    return {name: f"microsoft.graph.{prefix}.{name}" for name in names}


SPECS: dict[Event, EventSpec] = {
    Event.TOKEN_ISSUANCE_START: EventSpec(
        "microsoft.graph.authenticationEvent.tokenIssuanceStart",
        "microsoft.graph.onTokenIssuanceStartCalloutData",
        "microsoft.graph.onTokenIssuanceStartResponseData",
        _actions("tokenIssuanceStart", "provideClaimsForToken"),
        "#microsoft.graph.onTokenIssuanceStartCustomExtension",
        "#microsoft.graph.onTokenIssuanceStartListener",
        sends_user=True,
    ),
    Event.ATTRIBUTE_COLLECTION_START: EventSpec(
        "microsoft.graph.authenticationEvent.attributeCollectionStart",
        "microsoft.graph.onAttributeCollectionStartCalloutData",
        "microsoft.graph.onAttributeCollectionStartResponseData",
        _actions(
            "attributeCollectionStart", "continueWithDefaultBehavior", "setPrefillValues", "showBlockPage"
        ),
        "#microsoft.graph.onAttributeCollectionStartCustomExtension",
        "#microsoft.graph.onAttributeCollectionStartListener",
        sends_user=False,
        source_is_resource=True,
    ),
    Event.ATTRIBUTE_COLLECTION_SUBMIT: EventSpec(
        "microsoft.graph.authenticationEvent.attributeCollectionSubmit",
        "microsoft.graph.onAttributeCollectionSubmitCalloutData",
        "microsoft.graph.onAttributeCollectionSubmitResponseData",
        _actions(
            "attributeCollectionSubmit",
            "continueWithDefaultBehavior",
            "modifyAttributeValues",
            "showBlockPage",
            "showValidationError",
        ),
        "#microsoft.graph.onAttributeCollectionSubmitCustomExtension",
        "#microsoft.graph.onAttributeCollectionSubmitListener",
        sends_user=False,
        source_is_resource=True,
    ),
    Event.EMAIL_OTP_SEND: EventSpec(
        "microsoft.graph.authenticationEvent.emailOtpSend",
        "microsoft.graph.onOtpSendCalloutData",
        "microsoft.graph.OnOtpSendResponseData",
        _actions("OtpSend", "continueWithDefaultBehavior"),
        "#microsoft.graph.onOtpSendCustomExtension",
        "#microsoft.graph.onEmailOtpSendListener",
        sends_user=False,
    ),
    Event.PASSWORD_SUBMIT: EventSpec(
        "microsoft.graph.authenticationEvent.passwordSubmit",
        "microsoft.graph.onPasswordSubmitCalloutData",
        "microsoft.graph.onPasswordSubmitResponseData",
        _actions("passwordSubmit", "MigratePassword", "UpdatePassword", "Retry", "Block"),
        "#microsoft.graph.onPasswordSubmitCustomExtension",
        "#microsoft.graph.onPasswordSubmitListener",
        sends_user=True,
    ),
}


def event_for_type(odata_type: str) -> Event:
    """The event an extension's or a listener's ``@odata.type`` is for (case and ``#`` ignored)."""
    wanted = "#" + odata_type.lstrip("#").lower()
    for event, spec in SPECS.items():
        if wanted in (spec.extension_type.lower(), spec.listener_type.lower()):
            return event
    raise ValueError(f"{odata_type!r} is not a custom authentication extension or listener with a callout")
