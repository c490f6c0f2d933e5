"""Whole sign-ups and sign-ins through an events flow: each callout in Entra's order, each verdict, the token.

Also ``from_records``: the Graph-shaped extension and listener records (reference §2, §3) become targets.
"""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from mockgraph.callouts import (
    Action,
    ErrorCode,
    Event,
    EventsFlow,
    ExtensionSimulator,
    ExtensionTarget,
    Journey,
    PasswordEncryption,
    TenantKind,
    from_records,
    listener_applies,
    transport_for,
)
from tests._callout_endpoints import (
    OTP_DATA,
    PASSWORD_DATA,
    START_DATA,
    SUBMIT_DATA,
    provide_claims,
    response,
)

TID = "a7c0ffee-0000-4000-8000-000000000001"
RESOURCE_ID = "api://api.contoso.com/a13d0fc1-04ab-4ede-b215-63de0174cbb4"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FlowEndpoint:
    """One Flask app serving every event at its own path; ``answers`` says what each event answers."""

    def __init__(self, answers: dict[Event, Any]) -> None:
        from flask import Flask, request

        self.answers = answers
        self.calls: list[str] = []
        self.bodies: dict[str, dict[str, Any]] = {}
        self.app = Flask("flow endpoint")

        @self.app.post("/api/<event>")
        def callout(event: str) -> Any:
            self.calls.append(event)
            self.bodies[event] = request.json  # type: ignore[assignment]
            return self.answers[Event(event)]


def flow(answers: dict[Event, Any], **options: Any) -> tuple[EventsFlow, FlowEndpoint]:
    endpoint = FlowEndpoint(answers)
    extensions = {
        event: ExtensionTarget(
            event,
            f"https://api.contoso.com/api/{event.value}",
            RESOURCE_ID,
            tenant_id=TID,
            password_encryption=PasswordEncryption.of(KEY),
            claims_for_token=("DateOfBirth", "CustomRoles") if event is Event.TOKEN_ISSUANCE_START else (),
        )
        for event in answers
    }
    return EventsFlow(extensions, tenant_id=TID, **options), endpoint


def act(data: str, name: str, **members: Any) -> dict[str, Any]:
    return response(data, {"@odata.type": f"microsoft.graph.{name}", **members})


CONTINUE_ALL = {
    Event.EMAIL_OTP_SEND: act(OTP_DATA, "OtpSend.continueWithDefaultBehavior"),
    Event.ATTRIBUTE_COLLECTION_START: act(
        START_DATA, "attributeCollectionStart.setPrefillValues", inputs={"city": "Seattle", "country": "US"}
    ),
    Event.ATTRIBUTE_COLLECTION_SUBMIT: act(
        SUBMIT_DATA, "attributeCollectionSubmit.modifyAttributeValues", attributes={"displayName": "Ada L."}
    ),
    Event.TOKEN_ISSUANCE_START: provide_claims(
        {"DateOfBirth": "01/01/2000", "CustomRoles": ["Writer", "Editor"], "NotMapped": "x"}
    ),
}
JOURNEY = Journey(
    email="ada@example.com",
    defaults={"displayName": "", "city": "", "country": ""},
    entered={"displayName": "Ada", "country": "GB"},
)


def walk(events_flow: EventsFlow, endpoint: FlowEndpoint, journey: Journey = JOURNEY) -> Any:
    simulator = ExtensionSimulator(transport=transport_for(endpoint.app))
    return simulator.run(events_flow, journey), simulator


def test_a_sign_up_calls_each_extension_in_entras_order_and_the_token_carries_the_provided_claims() -> None:
    events_flow, endpoint = flow(CONTINUE_ALL)
    result, simulator = walk(events_flow, endpoint)
    assert endpoint.calls == [
        "emailOtpSend",
        "attributeCollectionStart",
        "attributeCollectionSubmit",
        "tokenIssuanceStart",
    ]
    assert [step.name for step in result.steps] == [
        "emailOtpSend",
        "verifyOneTimeCode",
        "attributeCollectionStart",
        "attributeCollectionPage",
        "attributeCollectionSubmit",
        "createUser",
        "tokenIssuanceStart",
        "issueToken",
    ]
    assert result.completed
    # Prefilled values fill the page, the user's entries win, the submit extension's modifications win last.
    start = endpoint.bodies["attributeCollectionStart"]["data"]["userSignUpInfo"]
    assert {k: v["value"] for k, v in start["attributes"].items()} == {
        "displayName": "",
        "city": "",
        "country": "",
    }
    assert start["identities"] == [
        {"signInType": "email", "issuer": "mockgraph.onmicrosoft.com", "issuerAssignedId": "ada@example.com"}
    ]
    submitted = endpoint.bodies["attributeCollectionSubmit"]["data"]["userSignUpInfo"]["attributes"]
    assert {k: v["value"] for k, v in submitted.items()} == {
        "displayName": "Ada",
        "city": "Seattle",
        "country": "GB",
    }
    assert endpoint.bodies["emailOtpSend"]["data"]["otpContext"] == {
        "identifier": "ada@example.com",
        "oneTimeCode": "12345678",
    }
    user = endpoint.bodies["tokenIssuanceStart"]["data"]["authenticationContext"]["user"]
    assert (user["displayName"], user["city"], user["mail"]) == ("Ada L.", "Seattle", "ada@example.com")
    claims = result.token_claims
    assert (claims["DateOfBirth"], claims["CustomRoles"]) == ("01/01/2000", ["Writer", "Editor"])
    assert "NotMapped" not in claims  # not in the extension's claimsForTokenConfiguration
    assert (claims["iss"], claims["tid"], claims["oid"]) == (
        f"https://mockgraph.ciamlogin.com/{TID}/v2.0",
        TID,
        user["id"],
    )
    assert [record["eventType"] for record in simulator.journal.sign_in_log()] == endpoint.calls
    assert (
        result.to_json()["steps"][0]["outcome"]["requestBody"]["data"]["otpContext"]["oneTimeCode"]
        == "<redacted>"
    )


@pytest.mark.parametrize(
    ("event", "answer", "action", "calls"),
    [
        (Event.ATTRIBUTE_COLLECTION_START, act(START_DATA, "attributeCollectionStart.showBlockPage", message="No"),
         Action.SHOW_BLOCK_PAGE, 2),
        (Event.ATTRIBUTE_COLLECTION_SUBMIT,
         act(SUBMIT_DATA, "attributeCollectionSubmit.showValidationError", message="Fix", attributeErrors={"city": "?"}),
         Action.SHOW_VALIDATION_ERROR, 3),
        (Event.TOKEN_ISSUANCE_START, provide_claims(None), Action.FAILURE, 4),
        (Event.EMAIL_OTP_SEND, {"data": {}}, Action.FAILURE, 1),
    ],
)  # fmt: skip
def test_an_answer_that_does_not_proceed_ends_the_sign_up_there(
    event: Event, answer: Any, action: Action, calls: int
) -> None:
    events_flow, endpoint = flow({**CONTINUE_ALL, event: answer})
    result, _ = walk(events_flow, endpoint)
    assert not result.completed
    assert result.token_claims == {}
    assert len(endpoint.calls) == calls
    assert result.last is not None
    assert (result.last.event, result.last.action) == (event, action)


def test_events_without_an_extension_are_skipped_and_the_otp_falls_back() -> None:
    events_flow, endpoint = flow({Event.EMAIL_OTP_SEND: ({"error": "down"}, 500)})
    otp = events_flow.extensions[Event.EMAIL_OTP_SEND].with_options(fallback_to_microsoft_on_error=True)
    events_flow = EventsFlow({Event.EMAIL_OTP_SEND: otp}, tenant_id=TID, tenant_kind=TenantKind.WORKFORCE)
    result, _ = walk(events_flow, endpoint)
    assert result.completed
    assert result.outcomes[0].action is Action.FALLBACK
    assert result.steps[1].detail == {"sentBy": "Microsoft"}
    assert result.token_claims["iss"] == f"https://login.microsoftonline.com/{TID}/v2.0"
    assert result.token_claims["name"] == "Ada"  # entered on the page; no extension changed it


@pytest.mark.parametrize(
    ("answer", "completed", "steps"),
    [
        ("MigratePassword", True, ["passwordSubmit", "storePassword", "emailOtpSend", "verifyOneTimeCode",
                                   "tokenIssuanceStart", "issueToken"]),
        ("UpdatePassword", False, ["passwordSubmit"]),
        ("Retry", False, ["passwordSubmit"]),
        ("Block", False, ["passwordSubmit"]),
    ],
)  # fmt: skip
def test_a_sign_in_of_a_user_to_migrate_calls_password_submit_first(
    answer: str, completed: bool, steps: list[str]
) -> None:
    answers = {**CONTINUE_ALL, Event.PASSWORD_SUBMIT: act(PASSWORD_DATA, f"passwordSubmit.{answer}")}
    events_flow, endpoint = flow(answers)
    user = {"id": "7f122226-0000-4000-8000-000000000001", "displayName": "Emily", "userType": "Member"}
    journey = Journey(
        sign_up=False, email="emily@example.com", user=user, password="old-password", migrate=True
    )
    result, _ = walk(events_flow, endpoint, journey)
    assert (result.completed, [step.name for step in result.steps]) == (completed, steps)
    sent = endpoint.bodies["passwordSubmit"]["data"]
    assert sent["authenticationContext"]["user"] == user
    assert "old-password" not in str(sent)
    not_migrating = walk(
        events_flow, FlowEndpoint(answers), Journey(sign_up=False, user=user, migrate=False)
    )[0]
    assert "passwordSubmit" not in [step.name for step in not_migrating.steps]


def test_a_flow_that_does_not_allow_sign_up_refuses_one() -> None:
    events_flow, endpoint = flow({}, sign_up_allowed=False)
    with pytest.raises(ValueError, match="isSignUpAllowed"):
        walk(events_flow, endpoint)


# from_records ---------------------------------------------------------------------------------------------

# §2.2 example 1 and §3.1's v1.0 listener, as Graph renders them.
EXTENSION = {
    "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtension",
    "id": "6fc5012e-7665-43d6-9708-4370863f4e6e",
    "displayName": "onTokenIssuanceStartCustomExtension",
    "description": "Fetch additional claims from custom user store",
    "clientConfiguration": {"timeoutInMilliseconds": 2000, "maximumRetries": 1},
    "behaviorOnError": None,
    "authenticationConfiguration": {
        "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
        "resourceId": "api://authenticationeventsAPI.contoso.com/a13d0fc1-04ab-4ede-b215-63de0174cbb4",
    },
    "endpointConfiguration": {
        "@odata.type": "#microsoft.graph.httpRequestEndpoint",
        "targetUrl": "https://authenticationeventsAPI.contoso.com",
    },
    "claimsForTokenConfiguration": [
        {"claimIdInApiResponse": "DateOfBirth"},
        {"claimIdInApiResponse": "CustomRoles"},
    ],
}
LISTENER = {
    "@odata.type": "#microsoft.graph.onTokenIssuanceStartListener",
    "id": "990d94e5-cc8f-4c4b-97b4-27e2678aac28",
    "conditions": {
        "applications": {"includeApplications": [{"appId": "a13d0fc1-04ab-4ede-b215-63de0174cbb4"}]}
    },
    "handler": {
        "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtensionHandler",
        "configuration": None,
        "customExtension": {"id": "6fc5012e-7665-43d6-9708-4370863f4e6e"},
    },
}


def test_from_records_reads_the_graph_shaped_extension_and_listener() -> None:
    target = from_records(EXTENSION, LISTENER, tenant_id=TID.upper(), access_token_version=2)
    assert (target.event, target.target_url, target.app_id) == (
        Event.TOKEN_ISSUANCE_START,
        "https://authenticationeventsAPI.contoso.com",
        "a13d0fc1-04ab-4ede-b215-63de0174cbb4",
    )
    assert (target.timeout_ms, target.maximum_retries, target.tenant_id) == (2000, 1, TID)
    assert (target.listener_id, target.extension_id) == (LISTENER["id"], EXTENSION["id"])
    assert target.claims_for_token == ("DateOfBirth", "CustomRoles")
    assert not target.fallback_to_microsoft_on_error


def test_the_listener_overrides_the_client_configuration_and_nulls_take_the_defaults() -> None:
    listener = {
        **LISTENER,
        "handler": {
            **LISTENER["handler"],  # type: ignore[dict-item]
            "configuration": {
                "clientConfiguration": {"maximumRetries": 0},
                "behaviorOnError": {"@odata.type": "#microsoft.graph.fallbackToMicrosoftProviderOnError"},
            },
        },
    }
    target = from_records(EXTENSION, listener)
    assert (target.timeout_ms, target.maximum_retries, target.fallback_to_microsoft_on_error) == (
        2000,
        0,
        True,
    )
    nulls = {**EXTENSION, "clientConfiguration": {"timeoutInMilliseconds": None, "maximumRetries": None}}
    defaults = from_records(nulls)
    assert (defaults.timeout_ms, defaults.maximum_retries) == (1000, 1)
    out_of_range = from_records(
        {**EXTENSION, "clientConfiguration": {"timeoutInMilliseconds": 5000, "maximumRetries": 3}}
    )
    assert (out_of_range.timeout_ms, out_of_range.maximum_retries) == (2000, 1)


@pytest.mark.parametrize(
    ("odata_type", "event"),
    [
        ("#microsoft.graph.onAttributeCollectionStartCustomExtension", Event.ATTRIBUTE_COLLECTION_START),
        ("#microsoft.graph.onAttributeCollectionSubmitCustomExtension", Event.ATTRIBUTE_COLLECTION_SUBMIT),
        ("#microsoft.graph.OnOtpSendCustomExtension", Event.EMAIL_OTP_SEND),  # E6's capital O
        ("microsoft.graph.onPasswordSubmitCustomExtension", Event.PASSWORD_SUBMIT),
    ],
)
def test_from_records_knows_each_subtype(odata_type: str, event: Event) -> None:
    assert from_records({**EXTENSION, "@odata.type": odata_type}).event is event


def test_from_records_refuses_what_cannot_be_called() -> None:
    with pytest.raises(ValueError, match="callout"):
        from_records(
            {**EXTENSION, "@odata.type": "#microsoft.graph.onVerifiedIdClaimValidationCustomExtension"}
        )
    with pytest.raises(ValueError, match="targetUrl"):
        from_records({**EXTENSION, "endpointConfiguration": None})
    with pytest.raises(ValueError, match="resourceId"):
        from_records({**EXTENSION, "authenticationConfiguration": {}})


def test_a_target_from_records_is_called_and_judged() -> None:
    endpoint = FlowEndpoint({Event.TOKEN_ISSUANCE_START: provide_claims({"DateOfBirth": "x"})})
    target = from_records(
        {**EXTENSION, "endpointConfiguration": {"targetUrl": "https://a.contoso.com/api/tokenIssuanceStart"}},
        LISTENER,
    )
    outcome = ExtensionSimulator(transport=transport_for(endpoint.app)).call(target)
    assert (outcome.action, outcome.error_code) == (Action.PROVIDE_CLAIMS, None)
    assert endpoint.bodies["tokenIssuanceStart"]["data"]["authenticationEventListenerId"] == LISTENER["id"]
    assert ErrorCode(1003011).error_name == "CustomExtensionNotFound"


def test_a_listener_applies_to_the_apps_its_conditions_include() -> None:
    assert listener_applies(LISTENER, "A13D0FC1-04AB-4EDE-B215-63DE0174CBB4")
    assert not listener_applies(LISTENER, "00000000-0000-0000-0000-000000000000")
    everyone = {**LISTENER, "conditions": {"applications": {"includeAllApplications": True}}}
    assert listener_applies(everyone, "00000000-0000-0000-0000-000000000000")
