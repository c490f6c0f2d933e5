"""The documented exchanges: request bodies equal to the docs' examples for the same user, and every response kind."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from flask import Flask, request

from mockgraph.signup import (
    DEFAULT_EXTENSIONS_APP_ID,
    FlowSettings,
    Identity,
    OutcomeKind,
    Product,
    SignUpUser,
    Step,
    try_connector,
)

EXTENSION = "extension_" + DEFAULT_EXTENSIONS_APP_ID.replace("-", "") + "_"
FACEBOOK = (Identity("facebook.com", "0123456789"),)


def documented(text: str) -> dict[str, Any]:
    """A docs example body with the extensions-app placeholder filled in."""
    document: dict[str, Any] = json.loads(text.replace("extension_<extensions-app-id>_", EXTENSION))
    return document


class RecordingEndpoint:
    """A connector endpoint (Flask) that records what it receives and answers what the test set."""

    def __init__(self, answer: tuple[Any, int] = ({"version": "1.0.0", "action": "Continue"}, 200)) -> None:
        self.received: list[dict[str, Any]] = []
        self.answer = answer
        self.app = Flask("connector")
        self.app.add_url_rule("/api/endpoint", "endpoint", self.handle, methods=["POST"])

    def handle(self) -> Any:
        self.received.append(
            {
                "body": json.loads(request.get_data()),
                "content_type": request.headers.get("Content-Type"),
                "authorization": request.headers.get("Authorization"),
                "query": request.query_string.decode(),
                "method": request.method,
            }
        )
        body, status = self.answer
        if isinstance(body, bytes | str):
            return body, status, {"Content-Type": "application/json"}
        return body, status


JOHN_ENTRA = SignUpUser(
    email="johnsmith@fabrikam.onmicrosoft.com",
    identities=FACEBOOK,
    provided={"displayName": "John Smith", "givenName": "John", "surname": "Smith"},
    entered={
        "jobTitle": "Supplier",
        "streetAddress": "1000 Microsoft Way",
        "city": "Seattle",
        "postalCode": "12345",
        "state": "Washington",
        "country": "United States",
        "CustomAttribute1": "custom attribute value",
        "CustomAttribute2": "custom attribute value",
    },
)

E1_GENERIC = """{
 "email": "johnsmith@fabrikam.onmicrosoft.com",
 "identities": [{"signInType":"federated", "issuer":"facebook.com", "issuerAssignedId":"0123456789"}],
 "displayName": "John Smith", "givenName":"John", "surname":"Smith", "jobTitle":"Supplier",
 "streetAddress":"1000 Microsoft Way", "city":"Seattle", "postalCode": "12345", "state":"Washington",
 "country":"United States",
 "extension_<extensions-app-id>_CustomAttribute1": "custom attribute value",
 "extension_<extensions-app-id>_CustomAttribute2": "custom attribute value",
 "ui_locales":"en-US"
}"""
# E1's PostFederationSignup example says "lastName" where every other example says "surname" (a doc slip).
E1_POST_FEDERATION = """{
 "email": "johnsmith@fabrikam.onmicrosoft.com",
 "identities": [{"signInType":"federated", "issuer":"facebook.com", "issuerAssignedId":"0123456789"}],
 "displayName": "John Smith", "givenName":"John", "surname":"Smith", "ui_locales":"en-US"
}"""
E4_FEDERATED = """{
 "email": "johnsmith@outlook.com",
 "identities": [{"signInType":"federated", "issuer":"facebook.com", "issuerAssignedId":"0123456789"}],
 "displayName": "John Smith", "city": "Redmond",
 "extension_<extensions-app-id>_CustomAttribute": "custom attribute value", "ui_locales":"en-US"
}"""
E4_MICROSOFT_ACCOUNT = """{
 "email": "johnsmith@fabrikam.onmicrosoft.com", "displayName": "John Smith", "city": "Redmond",
 "extension_<extensions-app-id>_CustomAttribute": "custom attribute value", "ui_locales":"en-US"
}"""
B1_POST_FEDERATION = """{
 "email": "johnsmith@fabrikam.onmicrosoft.com",
 "identities": [{"signInType":"federated", "issuer":"facebook.com", "issuerAssignedId":"0123456789"}],
 "displayName": "John Smith", "givenName":"John", "surname":"Smith",
 "step": "PostFederationSignup", "client_id":"<guid>", "ui_locales":"en-US"
}"""
B1_POST_ATTRIBUTE_COLLECTION = """{
 "email": "johnsmith@fabrikam.onmicrosoft.com",
 "identities": [{"signInType":"federated", "issuer":"facebook.com", "issuerAssignedId":"0123456789"}],
 "displayName": "John Smith", "givenName":"John", "surname":"Smith", "jobTitle":"Supplier",
 "streetAddress":"1000 Microsoft Way", "city":"Seattle", "postalCode": "12345", "state":"Washington",
 "country":"United States",
 "extension_<extensions-app-id>_CustomAttribute1": "custom attribute value",
 "extension_<extensions-app-id>_CustomAttribute2": "custom attribute value",
 "step": "PostAttributeCollection", "client_id":"93fd07aa-333c-409d-955d-96008fd08dd9", "ui_locales":"en-US"
}"""
B2_PRE_TOKEN_ISSUANCE = """{
 "email": "johnsmith@fabrikam.onmicrosoft.com",
 "identities": [{"signInType":"federated", "issuer":"facebook.com", "issuerAssignedId":"0123456789"}],
 "displayName": "John Smith", "objectId": "ab3ec3b2-a435-45e4-b93a-56a005e88bb7",
 "extension_<extensions-app-id>_CustomAttribute1": "custom attribute value",
 "extension_<extensions-app-id>_CustomAttribute2": "custom attribute value",
 "client_id": "231c70e8-8424-48ac-9b5d-5623b9e4ccf3", "step": "PreTokenIssuance", "ui_locales":"en-US"
}"""
OBSERVED_B2C_GOOGLE = """{
  "step": "PostAttributeCollection", "client_id": "1245b6b5-5555-0000-8817-7cb62727fa81", "ui_locales": "en-US",
  "city": "city", "country": "country", "email": "example@gmail.com", "surname": "LastName",
  "displayName": "DisplayName", "givenName": "FirstName",
  "identities": [{"signInType": "federated", "issuer": "google.com", "issuerAssignedId": "1111111111111111111111"}]
}"""


def sent(user: SignUpUser, step: Step, product: Product = Product.ENTRA, **settings: Any) -> dict[str, Any]:
    endpoint = RecordingEndpoint()
    outcome = try_connector(endpoint.app, user, step=step, product=product, settings=FlowSettings(**settings))
    assert outcome.kind is OutcomeKind.CONTINUE, outcome
    (call,) = endpoint.received
    assert call["method"] == "POST"
    assert call["content_type"] == "application/json"
    assert call["body"] == outcome.request_body
    received: dict[str, Any] = call["body"]
    return received


@pytest.mark.parametrize(
    ("user", "step", "product", "example"),
    [
        (JOHN_ENTRA, Step.POST_ATTRIBUTE_COLLECTION, Product.ENTRA, E1_GENERIC),
        (JOHN_ENTRA, Step.POST_FEDERATION_SIGNUP, Product.ENTRA, E1_POST_FEDERATION),
        (
            SignUpUser(
                email="johnsmith@outlook.com",
                identities=FACEBOOK,
                provided={"displayName": "John Smith"},
                entered={"city": "Redmond", "CustomAttribute": "custom attribute value"},
            ),
            Step.POST_ATTRIBUTE_COLLECTION,
            Product.ENTRA,
            E4_FEDERATED,
        ),
        (
            SignUpUser(
                email="johnsmith@fabrikam.onmicrosoft.com",
                provided={"displayName": "John Smith"},
                entered={"city": "Redmond", "CustomAttribute": "custom attribute value"},
            ),
            Step.POST_ATTRIBUTE_COLLECTION,
            Product.ENTRA,
            E4_MICROSOFT_ACCOUNT,
        ),
        (
            SignUpUser(**{**JOHN_ENTRA.__dict__, "client_id": "<guid>"}),
            Step.POST_FEDERATION_SIGNUP,
            Product.B2C,
            B1_POST_FEDERATION,
        ),
        (
            SignUpUser(**{**JOHN_ENTRA.__dict__, "client_id": "93fd07aa-333c-409d-955d-96008fd08dd9"}),
            Step.POST_ATTRIBUTE_COLLECTION,
            Product.B2C,
            B1_POST_ATTRIBUTE_COLLECTION,
        ),
        (
            SignUpUser(
                email="johnsmith@fabrikam.onmicrosoft.com",
                identities=FACEBOOK,
                provided={"displayName": "John Smith"},
                entered={
                    "CustomAttribute1": "custom attribute value",
                    "CustomAttribute2": "custom attribute value",
                },
                client_id="231c70e8-8424-48ac-9b5d-5623b9e4ccf3",
                object_id="ab3ec3b2-a435-45e4-b93a-56a005e88bb7",
            ),
            Step.PRE_TOKEN_ISSUANCE,
            Product.B2C,
            B2_PRE_TOKEN_ISSUANCE,
        ),
        (
            SignUpUser(
                email="example@gmail.com",
                identities=(Identity("google.com", "1111111111111111111111"),),
                provided={"displayName": "DisplayName", "givenName": "FirstName", "surname": "LastName"},
                entered={"city": "city", "country": "country"},
                client_id="1245b6b5-5555-0000-8817-7cb62727fa81",
            ),
            Step.POST_ATTRIBUTE_COLLECTION,
            Product.B2C,
            OBSERVED_B2C_GOOGLE,
        ),
    ],
    ids=[
        "E1-generic",
        "E1-post-federation",
        "E4-federated",
        "E4-microsoft-account",
        "B1-post-federation",
        "B1-post-attribute-collection",
        "B2-pre-token-issuance",
        "observed-b2c-google",
    ],
)
def test_request_body_equals_the_documented_example(
    user: SignUpUser, step: Step, product: Product, example: str
) -> None:
    assert sent(user, step, product) == documented(example)


def test_b1_token_variant_names_are_configurable() -> None:
    user = SignUpUser(
        email="johnsmith@fabrikam.onmicrosoft.com", client_id="231c70e8-8424-48ac-9b5d-5623b9e4ccf3"
    )
    body = sent(
        user,
        Step.PRE_TOKEN_ISSUANCE,
        Product.B2C,
        token_step_name="PreTokenApplicationClaims",
        token_client_id_key="clientId",
    )
    assert (body["step"], body["clientId"]) == (
        "PreTokenApplicationClaims",
        "231c70e8-8424-48ac-9b5d-5623b9e4ccf3",
    )
    assert "client_id" not in body


def test_claims_without_a_value_are_left_out_and_types_are_kept() -> None:
    user = SignUpUser(
        email=None,
        provided={"displayName": "", "givenName": None},
        entered={"city": "Oslo", "loyaltyNumber": 212342, "isVip": True},
        ui_locales=None,
    )
    body = sent(user, Step.POST_ATTRIBUTE_COLLECTION)
    assert body == {"city": "Oslo", EXTENSION + "loyaltyNumber": 212342, EXTENSION + "isVip": True}


def test_entra_can_be_told_to_send_step_and_client_id_and_basic_credentials_are_sent() -> None:
    endpoint = RecordingEndpoint()
    user = SignUpUser(email="a@b.c", client_id="11111111-2222-3333-4444-555555555555")
    settings = FlowSettings(entra_sends_step_and_client_id=True)
    try_connector(
        endpoint.app,
        user,
        username="api-user",
        password="p@ss:wörd",
        settings=settings,
        url="https://contoso.azurewebsites.net/api/endpoint?code=0123456789",
    )
    (call,) = endpoint.received
    assert call["body"]["step"] == "PostAttributeCollection"
    assert call["body"]["client_id"] == "11111111-2222-3333-4444-555555555555"
    assert call["query"] == "code=0123456789"
    scheme, _, value = call["authorization"].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(value).decode("utf-8") == "api-user:p@ss:wörd"


# Responses of each documented kind ----------------------------------------------------------------


def answer(
    body: Any,
    status: int = 200,
    *,
    step: Step = Step.POST_ATTRIBUTE_COLLECTION,
    user: SignUpUser = JOHN_ENTRA,
) -> Any:
    endpoint = RecordingEndpoint((body, status))
    return try_connector(endpoint.app, user, step=step)


def test_documented_continuation_overwrites_claims() -> None:
    outcome = answer(
        {
            "version": "1.0.0",
            "action": "Continue",
            "postalCode": "12349",
            f"{EXTENSION}CustomAttribute1": "value",
        }
    )
    assert outcome.kind is OutcomeKind.CONTINUE
    assert outcome.overwritten == {"postalCode": "12349", f"{EXTENSION}CustomAttribute1": "value"}
    assert outcome.prefilled == {}
    assert outcome.user_message is None
    assert outcome.attempts == 1


def test_custom_attribute_may_omit_the_app_id_and_unknown_claims_are_ignored() -> None:
    outcome = answer(
        {
            "version": "1.0.0",
            "action": "Continue",
            "extension_CustomAttribute2": "v",
            "loyaltyTier": "gold",
            "userMessage": "hi",
            "city": None,
        }
    )
    assert outcome.overwritten == {f"{EXTENSION}CustomAttribute2": "v"}
    assert outcome.ignored == {
        "loyaltyTier": "not collected by the user flow",
        "userMessage": "not a claim",
        "city": "null value",
    }


def test_post_federation_continuation_prefills() -> None:
    outcome = answer(
        {"version": "1.0.0", "action": "Continue", "city": "Seattle"}, step=Step.POST_FEDERATION_SIGNUP
    )
    assert outcome.prefilled == {"city": "Seattle"}
    assert outcome.overwritten == {}


@pytest.mark.parametrize(
    "message",
    [
        "There was an error with your request. Please try again or contact support.",
        "There was a problem with your request. You are not able to sign up at this time. Please contact your system administrator",
    ],
)
@pytest.mark.parametrize("step", [Step.POST_FEDERATION_SIGNUP, Step.POST_ATTRIBUTE_COLLECTION])
def test_documented_block_page(message: str, step: Step) -> None:
    outcome = answer({"version": "1.0.0", "action": "ShowBlockPage", "userMessage": message}, step=step)
    assert (outcome.kind, outcome.user_message, outcome.failure) == (OutcomeKind.BLOCK_PAGE, message, None)


@pytest.mark.parametrize("status_member", [400, "400"])
def test_documented_validation_error(status_member: Any) -> None:
    body = {
        "version": "1.0.0",
        "status": status_member,
        "action": "ValidationError",
        "userMessage": "Please enter a valid Postal Code.",
    }
    outcome = answer(body, 400)
    assert outcome.kind is OutcomeKind.VALIDATION_ERROR
    assert outcome.user_message == "Please enter a valid Postal Code."
    assert outcome.status == 400
