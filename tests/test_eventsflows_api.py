"""User flows (authenticationEventsFlow) over HTTP beyond the documented examples: refusals, uniqueness, linked
applications, the attribute-collection steps' extensions, the cast segment, versions and tenant isolation."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockgraph import create_app
from mockgraph.core.config import Tenant, default_tenants
from mockgraph.identity import mint_token
from tests.events_support import (
    FLOW_TYPE,
    FLOWS,
    add_extension,
    conforms,
    create_flow,
    flow_body,
    stored,
)
from tests.support import assert_graph_error

COLLECTION = "authenticationEventsFlows"
CAST = FLOW_TYPE.lstrip("#")
START_STEP = "onAttributeCollectionStart/microsoft.graph.onAttributeCollectionStartCustomExtensionHandler"
SUBMIT_STEP = "onAttributeCollectionSubmit/microsoft.graph.onAttributeCollectionSubmitCustomExtensionHandler"


def attribute_collection(input_type: str = "text") -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp",
        "attributes": [{"id": "email", "userFlowAttributeType": "builtIn", "dataType": "string"}],
        "attributeCollectionPage": {
            "views": [{"inputs": [{"attribute": "email", "label": "Email", "inputType": input_type}]}]
        },
    }


def reference_to(extension_id: str) -> dict[str, str]:
    return {
        "@odata.id": f"https://graph.microsoft.com/beta/identity/customAuthenticationExtensions/{extension_id}"
    }


def without(body: dict[str, Any], name: str) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != name}


# --- refusals of create bodies ---------------------------------------------------------------------------

GOOD = flow_body()
BAD_BODIES: dict[str, tuple[dict[str, Any], str]] = {
    "missing displayName": (without(GOOD, "displayName"), "'displayName' is required"),
    "blank displayName": ({**GOOD, "displayName": " "}, "must not be empty"),
    "missing @odata.type": (without(GOOD, "@odata.type"), "'@odata.type' is required"),
    "abstract @odata.type": (
        {**GOOD, "@odata.type": "#microsoft.graph.authenticationEventsFlow"},
        "abstract",
    ),
    "unknown @odata.type": (
        {**GOOD, "@odata.type": "#microsoft.graph.b2xIdentityUserFlow"},
        "could not be resolved",
    ),
    "missing onInteractiveAuthFlowStart": (
        without(GOOD, "onInteractiveAuthFlowStart"),
        "onInteractiveAuthFlowStart",
    ),
    "missing onAuthenticationMethodLoadStart": (
        without(GOOD, "onAuthenticationMethodLoadStart"),
        "onAuthenticationMethodLoadStart",
    ),
    "no identity provider": (
        {
            **GOOD,
            "onAuthenticationMethodLoadStart": {
                **GOOD["onAuthenticationMethodLoadStart"],
                "identityProviders": [],
            },
        },
        "identityProviders",
    ),
    "unknown property": ({**GOOD, "colour": "red"}, "'colour' does not exist"),
    "wrong type": ({**GOOD, "description": 5}, "description"),
    "unknown inputType": ({**GOOD, "onAttributeCollection": attribute_collection("slider")}, "inputType"),
    "an application twice": (flow_body(apps=("app-1", "APP-1")), "listed twice"),
    "priority on v1.0": ({**GOOD, "priority": 5}, "'priority' does not exist"),
}


@pytest.mark.parametrize("label", sorted(BAD_BODIES))
def test_bad_create_bodies_are_graphs_400_and_store_nothing(
    app: Flask, client: FlaskClient, label: str
) -> None:
    body, fragment = BAD_BODIES[label]
    error = assert_graph_error(client.post(f"/v1.0/{FLOWS}", json=body), 400, "BadRequest")
    assert fragment in error["message"], error
    assert stored(app, COLLECTION) == []


def test_input_types_are_read_in_any_case_and_answered_in_the_enum_spelling(client: FlaskClient) -> None:
    created = create_flow(
        client, {**GOOD, "onAttributeCollection": attribute_collection("RadioSingleSelect")}
    )
    item = created["onAttributeCollection"]["attributeCollectionPage"]["views"][0]["inputs"][0]
    assert item == {
        "attribute": "email",
        "label": "Email",
        "inputType": "radioSingleSelect",
        "defaultValue": None,
        "options": [],
    }


def test_versions_answer_their_own_properties(client: FlaskClient) -> None:
    body = {**GOOD, "onAttributeCollection": attribute_collection()}
    beta = create_flow(client, {**body, "priority": 42}, "beta")
    conforms("authenticationEventsFlowBeta", beta)
    assert beta["priority"] == 42
    assert beta["conditions"] == {"applications": {"includeAllApplications": False}}
    assert beta["onAttributeCollection"]["accessPackages"] == []
    assert beta["onAttributeCollection"]["attributeCollectionPage"]["customStringsFileId"] is None
    v1 = client.get(f"/v1.0/{FLOWS}/{beta['id']}").get_json()
    conforms("authenticationEventsFlow", v1)
    assert "priority" not in v1
    assert v1["conditions"] == {"applications": {}}
    assert "accessPackages" not in v1["onAttributeCollection"]
    assert v1["onInteractiveAuthFlowStart"]["isSignUpAllowed"] is True


def test_sign_up_is_off_unless_asked_for(client: FlaskClient) -> None:
    body = copy.deepcopy(GOOD)
    del body["onInteractiveAuthFlowStart"]["isSignUpAllowed"]
    created = create_flow(client, body)
    assert created["onInteractiveAuthFlowStart"]["isSignUpAllowed"] is False


# --- uniqueness -----------------------------------------------------------------------------------------


def test_display_names_are_unique_in_any_case(app: Flask, client: FlaskClient) -> None:
    first = create_flow(client, flow_body("Sign up"))
    error = assert_graph_error(client.post(f"/v1.0/{FLOWS}", json=flow_body("SIGN UP")), 409, "AADB2C")
    assert "Sign up" in error["message"] or "SIGN UP" in error["message"]
    second = create_flow(client, flow_body("Other"))
    rename = {"@odata.type": FLOW_TYPE, "displayName": "sign up"}
    assert_graph_error(client.patch(f"/v1.0/{FLOWS}/{second['id']}", json=rename), 409, "AADB2C")
    assert client.patch(f"/v1.0/{FLOWS}/{first['id']}", json=rename).status_code == 204  # its own name
    assert len(stored(app, COLLECTION)) == 2


def test_an_application_is_linked_to_one_flow_only(app: Flask, client: FlaskClient) -> None:
    first = create_flow(client, flow_body("First", apps=("shared-app",)))
    message = "an application can only be linked to one user flow"
    response = client.post(f"/v1.0/{FLOWS}", json=flow_body("Second", apps=("SHARED-APP",)))
    assert message in assert_graph_error(response, 409, "AADB2C")["message"]
    second = create_flow(client, flow_body("Second"))
    applications = f"/v1.0/{FLOWS}/{second['id']}/conditions/applications/includeApplications"
    assert_graph_error(client.post(applications, json={"appId": "shared-app"}), 409, "AADB2C")
    patch = {
        "@odata.type": FLOW_TYPE,
        "conditions": {"applications": {"includeApplications": [{"appId": "shared-app"}]}},
    }
    assert_graph_error(client.patch(f"/v1.0/{FLOWS}/{second['id']}", json=patch), 409, "AADB2C")
    first_applications = f"/v1.0/{FLOWS}/{first['id']}/conditions/applications/includeApplications"
    assert_graph_error(client.post(first_applications, json={"appId": "shared-app"}), 409, "AADB2C")
    assert client.delete(f"{first_applications}/Shared-App").status_code == 204
    assert client.post(applications, json={"appId": "shared-app"}).status_code == 201
    assert client.get(f"{applications}/shared-app").get_json()["appId"] == "shared-app"


def test_the_applications_of_an_unknown_flow_are_404(client: FlaskClient) -> None:
    applications = f"/v1.0/{FLOWS}/{uuid.uuid4()}/conditions/applications/includeApplications"
    assert_graph_error(client.get(applications), 404, "Request_ResourceNotFound")
    assert_graph_error(client.post(applications, json={"appId": "a"}), 404, "Request_ResourceNotFound")
    assert_graph_error(client.delete(f"{applications}/a"), 404, "Request_ResourceNotFound")


# --- PATCH ----------------------------------------------------------------------------------------------


def test_attribute_collection_can_only_be_changed_on_a_flow_created_with_it(
    app: Flask, client: FlaskClient
) -> None:
    created = create_flow(client, GOOD)
    patch = {"@odata.type": FLOW_TYPE, "onAttributeCollection": attribute_collection()}
    response = client.patch(f"/v1.0/{FLOWS}/{created['id']}", json=patch)
    assert "created with it" in assert_graph_error(response, 400, "AADB2C")["message"]
    assert client.get(f"/v1.0/{FLOWS}/{created['id']}").get_json()["onAttributeCollection"] is None


def test_patch_needs_the_type_and_refuses_unknown_properties(app: Flask, client: FlaskClient) -> None:
    created = create_flow(client, GOOD)
    before = stored(app, COLLECTION)
    for patch in (
        {"displayName": "x"},
        {"@odata.type": FLOW_TYPE, "colour": "red"},
        {"@odata.type": FLOW_TYPE, "displayName": ""},
    ):
        assert_graph_error(client.patch(f"/v1.0/{FLOWS}/{created['id']}", json=patch), 400, "BadRequest")
    assert stored(app, COLLECTION) == before
    assert_graph_error(
        client.patch(f"/v1.0/{FLOWS}/{uuid.uuid4()}", json={"@odata.type": FLOW_TYPE}), 404, None
    )


def test_the_steps_handlers_name_extensions_of_their_own_subtype(app: Flask, client: FlaskClient) -> None:
    created = create_flow(client, GOOD)
    start = add_extension(app, "onAttributeCollectionStartCustomExtension")
    submit = add_extension(app, "onAttributeCollectionSubmitCustomExtension")
    handler = {"@odata.type": "#microsoft.graph.onAttributeCollectionStartCustomExtensionHandler"}
    item = f"/v1.0/{FLOWS}/{created['id']}"
    wrong = {
        "@odata.type": FLOW_TYPE,
        "onAttributeCollectionStart": {**handler, "customExtension": {"id": submit}},
    }
    assert (
        "onAttributeCollectionSubmitCustomExtension"
        in assert_graph_error(client.patch(item, json=wrong), 400, "AADB2C")["message"]
    )
    right = {
        "@odata.type": FLOW_TYPE,
        "onAttributeCollectionStart": {**handler, "customExtension": {"id": start}},
    }
    assert client.patch(item, json=right).status_code == 204
    assert client.get(item).get_json()["onAttributeCollectionStart"] == {
        **handler,
        "configuration": None,
        "customExtension": {"id": start},
    }


# --- attaching extensions by $ref -------------------------------------------------------------------------


@pytest.mark.parametrize(("step", "subtype"), [(START_STEP, "Start"), (SUBMIT_STEP, "Submit")])
def test_attach_an_extension_to_each_step(app: Flask, client: FlaskClient, step: str, subtype: str) -> None:
    created = create_flow(client, GOOD)
    extension = add_extension(app, f"onAttributeCollection{subtype}CustomExtension")
    path = f"/v1.0/{FLOWS}/{created['id']}/{CAST}/{step}/customExtension/$ref"
    assert client.put(path, json={"@odata.id": extension}).status_code == 204
    fetched = client.get(f"/v1.0/{FLOWS}/{created['id']}").get_json()
    name = step.split("/")[0]
    assert fetched[name]["customExtension"] == {"id": extension}
    assert fetched[name]["@odata.type"] == "#" + step.split("/")[1]
    other = (
        "onAttributeCollectionSubmit"
        if name == "onAttributeCollectionStart"
        else "onAttributeCollectionStart"
    )
    assert fetched[other] is None


def test_attaching_keeps_the_steps_configuration(app: Flask, client: FlaskClient) -> None:
    configuration = {
        "behaviorOnError": {"@odata.type": "#microsoft.graph.fallbackToMicrosoftProviderOnError"}
    }
    body = {
        **GOOD,
        "onAttributeCollectionStart": {
            "@odata.type": "#microsoft.graph.onAttributeCollectionStartCustomExtensionHandler",
            "configuration": configuration,
        },
    }
    created = create_flow(client, body)
    extension = add_extension(app, "onAttributeCollectionStartCustomExtension")
    path = f"/beta/{FLOWS}/{created['id']}/{CAST}/{START_STEP}/customExtension/$ref"
    assert client.put(path, json=reference_to(extension)).status_code == 204
    handler = client.get(f"/beta/{FLOWS}/{created['id']}").get_json()["onAttributeCollectionStart"]
    assert handler["configuration"] == configuration
    assert handler["customExtension"] == {"id": extension}


@pytest.mark.parametrize(
    ("reference", "code"),
    [
        ("submit", "AADB2C"),
        ("missing", "AADB2C"),
        ({"@odata.id": "https://graph.microsoft.com/beta/identity/apiConnectors/x"}, "BadRequest"),
        ({"@odata.id": 7}, "BadRequest"),
        ({}, "BadRequest"),
    ],
    ids=["another subtype", "missing", "another resource", "not a string", "empty"],
)
def test_attaching_refuses_what_is_not_a_start_extension(
    app: Flask, client: FlaskClient, reference: Any, code: str
) -> None:
    created = create_flow(client, GOOD)
    if reference == "submit":
        reference = reference_to(add_extension(app, "onAttributeCollectionSubmitCustomExtension"))
    elif reference == "missing":
        reference = reference_to(str(uuid.uuid4()))
    before = stored(app, COLLECTION)
    path = f"/beta/{FLOWS}/{created['id']}/{CAST}/{START_STEP}/customExtension/$ref"
    assert_graph_error(client.put(path, json=reference), 400, code)
    assert stored(app, COLLECTION) == before


def test_attaching_to_an_unknown_flow_is_404(app: Flask, client: FlaskClient) -> None:
    extension = add_extension(app, "onAttributeCollectionStartCustomExtension")
    path = f"/beta/{FLOWS}/{uuid.uuid4()}/{CAST}/{START_STEP}/customExtension/$ref"
    assert_graph_error(client.put(path, json=reference_to(extension)), 404, "Request_ResourceNotFound")


# --- reads: the cast segment, query options, delete ---------------------------------------------------------


def test_the_cast_segment_on_the_collection_and_an_item(client: FlaskClient) -> None:
    created = create_flow(client, GOOD)
    listed = client.get(f"/v1.0/{FLOWS}/{CAST}").get_json()
    assert (
        listed["@odata.context"]
        == f"https://graph.microsoft.com/v1.0/$metadata#identity/authenticationEventsFlows/{CAST}"
    )
    assert [item["id"] for item in listed["value"]] == [created["id"]]
    fetched = client.get(f"/v1.0/{FLOWS}/{created['id']}/{CAST}").get_json()
    assert (
        fetched["@odata.context"]
        == f"https://graph.microsoft.com/v1.0/$metadata#identity/authenticationEventsFlows/{CAST}/$entity"
    )
    assert {k: v for k, v in fetched.items() if k != "@odata.context"} == {
        k: v for k, v in created.items() if k != "@odata.context"
    }
    response = client.get(f"/v1.0/{FLOWS}/{created['id']}/externalUsersSelfServiceSignUpEventsFlow")
    assert "Resource not found for the segment" in assert_graph_error(response, 400, "BadRequest")["message"]


def test_select_count_and_filter(client: FlaskClient) -> None:
    create_flow(client, flow_body("One"))
    two = create_flow(client, {**flow_body("Two"), "description": "second"})
    document = client.get(
        f"/beta/{FLOWS}", query_string={"$select": "displayName,priority", "$count": "true"}
    ).get_json()
    assert document["@odata.context"].endswith("#identity/authenticationEventsFlows(displayName,priority)")
    assert document["@odata.count"] == 2
    assert document["value"][1] == {"@odata.type": FLOW_TYPE, "displayName": "Two", "priority": 500}
    filtered = client.get(f"/v1.0/{FLOWS}", query_string={"$filter": "description eq 'SECOND'"}).get_json()
    assert [item["id"] for item in filtered["value"]] == [two["id"]]
    assert client.get(f"/v1.0/{FLOWS}/$count").get_data(as_text=True) == "2"
    assert_graph_error(client.get(f"/v1.0/{FLOWS}", query_string={"$select": "priority"}), 400, "BadRequest")
    assert_graph_error(client.get(f"/v1.0/{FLOWS}", query_string={"$expand": "conditions"}), 400, None)


def test_delete(app: Flask, client: FlaskClient) -> None:
    created = create_flow(client, GOOD)
    item = f"/v1.0/{FLOWS}/{created['id']}"
    assert (client.delete(item).status_code, client.get(item).status_code) == (204, 404)
    assert_graph_error(client.delete(item), 404, "Request_ResourceNotFound")
    assert stored(app, COLLECTION) == []


OTHER_TENANT = "b7c0ffee-0000-4000-8000-000000000002"


def test_tenants_are_isolated() -> None:
    app = create_app({"tenants": (*default_tenants(), Tenant(OTHER_TENANT, "other.onmicrosoft.com"))})
    client = app.test_client()
    mine = {"Authorization": f"Bearer {mint_token()}"}
    theirs = {"Authorization": f"Bearer {mint_token(tenant_id=OTHER_TENANT)}"}
    created = create_flow(client, flow_body("Same name", apps=("same-app",)), **mine)
    # Names and application links are unique per tenant only.
    create_flow(client, flow_body("Same name", apps=("same-app",)), **theirs)
    item = f"/v1.0/{FLOWS}/{created['id']}"
    assert_graph_error(client.get(item, headers=theirs), 404, "Request_ResourceNotFound")
    assert_graph_error(client.delete(item, headers=theirs), 404, "Request_ResourceNotFound")
    extension = add_extension(app, "onAttributeCollectionStartCustomExtension")
    path = f"{item}/{CAST}/{START_STEP}/customExtension/$ref"
    assert_graph_error(client.put(path, json=reference_to(extension), headers=theirs), 404, None)
    assert len(client.get(f"/v1.0/{FLOWS}", headers=theirs).get_json()["value"]) == 1
    assert client.get(item, headers=mine).status_code == 200
