"""Only what the user flow collects is sent: uncollected attributes, built-in or custom, never reach the connector."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask, request

from mockgraph.core.odata_types import BASIC_AUTHENTICATION
from mockgraph.signup import (
    DEFAULT_EXTENSIONS_APP_ID,
    FlowSettings,
    Identity,
    OutcomeKind,
    Product,
    SignUpUser,
    Step,
    WsgiTransport,
    try_connector,
    walk,
)

EXTENSION = "extension_" + DEFAULT_EXTENSIONS_APP_ID.replace("-", "") + "_"
USER = SignUpUser(
    email="john@fabrikam.com",
    identities=(Identity("facebook.com", "0123456789"),),
    provided={"displayName": "John Smith", "givenName": "John", "surname": "Smith", "country": "Norway"},
    entered={
        "city": "Oslo",
        "postalCode": "0150",
        "jobTitle": "Supplier",
        "loyaltyNumber": "212342",
        "tier": "gold",
    },
    client_id="93fd07aa-333c-409d-955d-96008fd08dd9",
    object_id="ab3ec3b2-a435-45e4-b93a-56a005e88bb7",
)
# The page asks for these; the user still has givenName, surname, country, postalCode, jobTitle and tier.
COLLECTED = ("displayName", "city", "loyaltyNumber")
NOT_COLLECTED = ("givenName", "surname", "country", "postalCode", "jobTitle", f"{EXTENSION}tier")
# Sent whatever the page collects (reference sections 1.2 and 1.5).
ALWAYS = {"email", "identities", "ui_locales"}
B2C_ALWAYS = {"step", "client_id"}


class Recorder:
    """A connector endpoint that records every body and answers Continue."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.app = Flask("connector")
        self.app.add_url_rule("/api/<step>", "endpoint", self.handle, methods=["POST"])

    def handle(self, step: str) -> Any:
        self.bodies.append(json.loads(request.get_data()))
        return {"version": "1.0.0", "action": "Continue"}


@pytest.mark.parametrize(
    ("step", "product", "expected"),
    [
        # Before the attribute collection page only the identity provider's claims exist.
        (Step.POST_FEDERATION_SIGNUP, Product.ENTRA, {"displayName"} | ALWAYS),
        (
            Step.POST_ATTRIBUTE_COLLECTION,
            Product.ENTRA,
            {"displayName", "city", f"{EXTENSION}loyaltyNumber"} | ALWAYS,
        ),
        (Step.POST_FEDERATION_SIGNUP, Product.B2C, {"displayName"} | ALWAYS | B2C_ALWAYS),
        (
            Step.POST_ATTRIBUTE_COLLECTION,
            Product.B2C,
            {"displayName", "city", f"{EXTENSION}loyaltyNumber"} | ALWAYS | B2C_ALWAYS,
        ),
        (
            Step.PRE_TOKEN_ISSUANCE,
            Product.B2C,
            {"displayName", "city", f"{EXTENSION}loyaltyNumber", "objectId"} | ALWAYS | B2C_ALWAYS,
        ),
    ],
)
def test_each_step_sends_the_collected_attributes_and_nothing_else(
    step: Step, product: Product, expected: set[str]
) -> None:
    recorder = Recorder()
    outcome = try_connector(
        recorder.app,
        USER,
        step=step,
        product=product,
        url="https://api.contoso.example/api/check",
        settings=FlowSettings(collected=COLLECTED),
    )
    assert outcome.kind is OutcomeKind.CONTINUE, outcome
    (body,) = recorder.bodies
    assert set(body) == expected
    assert not set(NOT_COLLECTED) & set(body)
    assert body["displayName"] == "John Smith"
    assert body == outcome.request_body


def test_the_issues_example_sends_neither_postal_code_nor_the_extension_attribute() -> None:
    recorder = Recorder()
    user = SignUpUser(
        email="john@fabrikam.com",
        provided={"displayName": "John Smith"},
        entered={"city": "Redmond", "postalCode": "98052", "CustomAttribute": "custom attribute value"},
    )
    try_connector(
        recorder.app,
        user,
        url="https://api.contoso.example/api/check",
        settings=FlowSettings(collected=("displayName", "city")),
    )
    assert recorder.bodies == [
        {"email": "john@fabrikam.com", "displayName": "John Smith", "city": "Redmond", "ui_locales": "en-US"}
    ]


@pytest.mark.parametrize("product", [Product.ENTRA, Product.B2C])
def test_a_whole_sign_up_sends_and_stores_only_collected_attributes(product: Product) -> None:
    recorder = Recorder()
    steps = [Step.POST_FEDERATION_SIGNUP, Step.POST_ATTRIBUTE_COLLECTION]
    if product is Product.B2C:
        steps.append(Step.PRE_TOKEN_ISSUANCE)
    connectors = {
        step: {
            "id": step.value,
            "displayName": step.value,
            "targetUrl": f"https://api.contoso.example/api/{step.value}",
            "authenticationConfiguration": {
                "@odata.type": BASIC_AUTHENTICATION,
                "username": "u",
                "password": "p",
            },
        }
        for step in steps
    }
    settings = FlowSettings(product=product, collected=COLLECTED)
    result = walk(connectors, USER, settings, transport=WsgiTransport(recorder.app))
    assert result.completed
    assert len(recorder.bodies) == len(steps)
    for body in recorder.bodies:
        assert not set(NOT_COLLECTED) & set(body), body
        assert body["displayName"] == "John Smith"
    assert {"city", f"{EXTENSION}loyaltyNumber"} <= set(recorder.bodies[1])
    assert result.claims == {
        "displayName": "John Smith",
        "city": "Oslo",
        f"{EXTENSION}loyaltyNumber": "212342",
    }


def test_without_a_collected_list_every_built_in_and_every_entered_custom_attribute_is_sent() -> None:
    recorder = Recorder()
    try_connector(recorder.app, USER, url="https://api.contoso.example/api/check")
    (body,) = recorder.bodies
    assert set(NOT_COLLECTED) <= set(body)
    assert body[f"{EXTENSION}loyaltyNumber"] == "212342"
