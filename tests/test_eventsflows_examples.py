"""Every documented user-flow (authenticationEventsFlow) request and answer of the reference's section 4, over HTTP.

The documented create answer was "evidently produced on beta" (it shows priority, customStringsFileId and
accessPackages, which only beta defines): on beta the emulator's answer equals it; on v1.0 it is the same without
those three.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockgraph.core.config import DEFAULT_TENANT_ID
from mockgraph.web.state import state_of
from tests.events_support import (
    FLOWS,
    GUID,
    add_extension,
    answer_contract,
    conforms,
    create_flow,
    documented_reference,
    flow_body,
    request_path,
    stored,
    with_id,
)
from tests.test_contracts_extensions import EXAMPLES, Reference

DOCUMENTED_ID = "1d51b447-eb52-4ec8-ae4e-0a35ebc148ea"


@pytest.fixture
def ref() -> Reference:
    return documented_reference()


def build(name: str, ref: Reference) -> Any:
    return EXAMPLES[name](ref)[1]


def without_beta_properties(document: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    del changed["priority"]
    del changed["conditions"]["applications"]["includeAllApplications"]
    collection = changed["onAttributeCollection"]
    del collection["accessPackages"]
    del collection["attributeCollectionPage"]["customStringsFileId"]
    return changed


def flow_with_id(app: Flask, client: FlaskClient, flow_id: str, body: dict[str, Any]) -> None:
    """A flow made through the API, then given the id a documented URL names (ids are the server's to choose)."""
    created = create_flow(client, body)
    store = state_of(app).store
    (record,) = [r for r in stored(app, "authenticationEventsFlows") if r["id"] == created["id"]]
    store.delete(DEFAULT_TENANT_ID, "authenticationEventsFlows", created["id"])
    store.insert(DEFAULT_TENANT_ID, "authenticationEventsFlows", {**record, "id": flow_id})


@pytest.mark.parametrize("version", ["beta", "v1.0"])
def test_create_example_2(client: FlaskClient, ref: Reference, version: str) -> None:
    request = build("4 create request", ref)
    response = client.post(f"/{version}/{FLOWS}", json=request)
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert GUID.match(created["id"])
    assert response.headers["Location"] == f"http://localhost/{version}/{FLOWS}/{created['id']}"
    conforms(answer_contract("authenticationEventsFlow", version), created)
    documented = with_id(build("4 create response", ref), DOCUMENTED_ID, created["id"])
    documented["@odata.context"] = (
        f"https://graph.microsoft.com/{version}/$metadata#identity/authenticationEventsFlows/$entity"
    )
    assert created == (documented if version == "beta" else without_beta_properties(documented))


def test_create_then_get_and_list_show_the_same_flow(client: FlaskClient, ref: Reference) -> None:
    created = create_flow(client, build("4 create request", ref))
    fetched = client.get(f"/v1.0/{FLOWS}/{created['id']}").get_json()
    assert {**fetched, "@odata.context": None} == {**created, "@odata.context": None}
    listed = client.get(f"/v1.0/{FLOWS}").get_json()
    conforms("authenticationEventsFlowCollectionResponse", listed)
    assert listed["value"] == [{k: v for k, v in created.items() if k != "@odata.context"}]


def test_update_the_display_name(client: FlaskClient, ref: Reference) -> None:
    created = create_flow(client, build("4 create request", ref))
    patch = build("4 update display name", ref)  # the documented trailing comma is dropped by the builder
    response = client.patch(f"/v1.0/{FLOWS}/{created['id']}", json=patch)
    assert (response.status_code, response.get_data()) == (204, b"")
    fetched = client.get(f"/v1.0/{FLOWS}/{created['id']}").get_json()
    assert fetched["displayName"] == "New user flow description"
    assert fetched["onAttributeCollection"] == created["onAttributeCollection"]


def test_update_attributes_by_resending_the_page(client: FlaskClient, ref: Reference) -> None:
    created = create_flow(client, build("4 create request", ref))
    patch = build("4 update attributes", ref)
    views = patch["onAttributeCollection"]["attributeCollectionPage"]["views"]
    views[0]["inputs"] = views[0]["inputs"][:1]  # keep only the email input: the other is removed
    response = client.patch(f"/v1.0/{FLOWS}/{created['id']}", json=patch)
    assert response.status_code == 204
    fetched = client.get(f"/v1.0/{FLOWS}/{created['id']}").get_json()
    page = fetched["onAttributeCollection"]["attributeCollectionPage"]
    assert [item["attribute"] for item in page["views"][0]["inputs"]] == ["email"]
    assert fetched["onAttributeCollection"]["attributes"] == created["onAttributeCollection"]["attributes"]


def test_link_an_application(app: Flask, client: FlaskClient, ref: Reference) -> None:
    block = ref.block("4", '"@odata.type": "#microsoft.graph.authenticationConditionApplication"')
    method, path = request_path(block)
    flow_with_id(app, client, "0313cc37-d421-421d-857b-87804d61e33e", flow_body("Linked flow"))
    response = client.open(path, method=method, json=build("4 link an application request", ref))
    assert response.status_code == 201
    assert response.get_json() == build("4 link an application response", ref)
    assert response.headers["Location"] == f"http://localhost{path}/63856651-13d9-4784-9abf-20758d509e19"
    listed = client.get(path).get_json()
    assert listed["value"] == [{"appId": "63856651-13d9-4784-9abf-20758d509e19"}]
    conforms("authenticationConditionApplicationCollectionResponse", listed)


def test_attach_an_extension_to_the_submit_step(app: Flask, client: FlaskClient, ref: Reference) -> None:
    block = ref.block("4", '"@odata.id"')
    method, path = request_path(block)
    assert "beta//identity" in path  # the documented URL's double slash is sent as it is
    flow_id, extension_id = "bbbbbbbb-1111-2222-3333-cccccccccccc", "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb"
    add_extension(app, "onAttributeCollectionSubmitCustomExtension", extension_id)
    flow_with_id(app, client, flow_id, flow_body("Woodgrove"))
    # The module first creates a submit listener for the extension, with no applications.
    listener = {
        "@odata.type": "#microsoft.graph.onAttributeCollectionSubmitListener",
        "priority": 500,
        "conditions": {"applications": {"includeApplications": []}},
        "handler": {
            "@odata.type": "#microsoft.graph.onAttributeCollectionSubmitCustomExtensionHandler",
            "customExtension": {"id": extension_id},
        },
    }
    assert client.post("/beta/identity/authenticationEventListeners", json=listener).status_code == 201
    response = client.open(path, method=method, json=build("4 attach an extension to a flow", ref))
    assert (response.status_code, response.get_data()) == (204, b"")
    fetched = client.get(f"/beta/{FLOWS}/{flow_id}").get_json()
    assert fetched["onAttributeCollectionSubmit"] == {
        "@odata.type": "#microsoft.graph.onAttributeCollectionSubmitCustomExtensionHandler",
        "configuration": None,
        "customExtension": {"id": extension_id},
    }
    assert fetched["onAttributeCollectionStart"] is None
    conforms("authenticationEventsFlowBeta", fetched)


def test_the_documented_filters(client: FlaskClient, ref: Reference) -> None:
    woodgrove = create_flow(client, build("4 create request", ref))
    other = flow_body("Other flow", apps=("another-app",))
    other["onAuthenticationMethodLoadStart"]["identityProviders"] = [{"id": "EmailOtpSignup-OAUTH"}]
    create_flow(client, other)
    cast = "microsoft.graph.externalUsersSelfServiceSignUpEventsFlow"
    filters = {
        f"{cast}/onAuthenticationMethodLoadStart/microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp"
        "/identityProviders/any(idp:idp/id eq 'EmailPassword-OAUTH')": [woodgrove["id"]],
        f"{cast}/onAttributeCollection/microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp"
        "/attributes/any(attribute:attribute/id eq 'displayName')": [woodgrove["id"]],
        f"{cast}/conditions/applications/includeApplications/any(appId:appId/appId eq "
        "'63856651-13d9-4784-9abf-20758d509e19')": [woodgrove["id"]],
        f"{cast}/conditions/applications/includeApplications/any(appId:appId/appId eq 'nobody')": [],
    }
    for expression, expected in filters.items():
        response = client.get(f"/v1.0/{FLOWS}", query_string={"$filter": expression})
        assert response.status_code == 200, (expression, response.get_json())
        assert [item["id"] for item in response.get_json()["value"]] == expected, expression
