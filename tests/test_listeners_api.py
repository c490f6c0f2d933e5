"""Listeners over HTTP beyond the documented examples: every type, refusals, PATCH, applications, query options,
the deprecated handler navigation, the limit and tenant isolation."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockgraph import create_app
from mockgraph import strategies as mgst
from mockgraph.core.config import DEFAULT_TENANT_ID, Tenant, default_tenants
from mockgraph.identity import mint_token
from mockgraph.web.state import state_of
from tests.events_support import (
    EXTENSION_LISTENERS,
    LISTENERS,
    add_extension,
    answer_contract,
    conforms,
    create_listener,
    graph_type,
    listener_body,
    stored,
)
from tests.support import assert_graph_error

COLLECTION = "authenticationEventListeners"
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# One extension of each subtype, with a fixed id, for the strategies' bodies.
EXTENSION_IDS = {
    subtype: str(uuid.uuid5(uuid.NAMESPACE_URL, subtype)) for _, subtype in EXTENSION_LISTENERS.values()
}


@pytest.fixture(scope="module")
def shared() -> Flask:
    """One app for the property tests (each example checks what it added, or that nothing was added)."""
    app = create_app({"auth_mode": "off", "listener_limit": 100_000})
    for subtype, extension_id in EXTENSION_IDS.items():
        add_extension(app, subtype, extension_id)
    return app


def token_extension(app: Flask) -> str:
    return add_extension(app, "onTokenIssuanceStartCustomExtension")


# --- every type, and the strategies' bodies --------------------------------------------------------------


@pytest.mark.parametrize("version", ["v1.0", "beta"])
@SETTINGS
@given(data=st.data())
def test_every_valid_body_is_created_and_read_back(shared: Flask, version: str, data: st.DataObject) -> None:
    body = data.draw(mgst.listener_bodies(version=version, extension_ids=EXTENSION_IDS))
    client = shared.test_client()
    created = create_listener(client, body, version)
    conforms(answer_contract("authenticationEventListener", version), created)
    assert created["@odata.type"] == graph_type(body["@odata.type"].rsplit(".", 1)[-1])
    assert created["handler"]["@odata.type"].startswith("#")
    fetched = client.get(f"/{version}/{LISTENERS}/{created['id']}").get_json()
    conforms(answer_contract("authenticationEventListener", version), fetched)
    assert fetched["handler"] == created["handler"]
    reference = mgst.extension_reference(body)
    if reference is not None:
        assert created["handler"]["customExtension"] == {"id": reference[1]}
    sent = ((body.get("conditions") or {}).get("applications") or {}).get("includeApplications", [])
    assert created["conditions"]["applications"]["includeApplications"] == sent
    if version == "beta":
        assert created["priority"] == body["priority"]
    assert client.delete(f"/{version}/{LISTENERS}/{created['id']}").status_code == 204


@pytest.mark.parametrize("version", ["v1.0", "beta"])
@SETTINGS
@given(data=st.data())
def test_every_invalid_body_is_graphs_400_and_stores_nothing(
    shared: Flask, version: str, data: st.DataObject
) -> None:
    body = data.draw(mgst.invalid_listener_bodies(version=version, extension_ids=EXTENSION_IDS))
    before = stored(shared, COLLECTION)
    response = shared.test_client().post(f"/{version}/{LISTENERS}", json=body)
    assert_graph_error(response, 400, "BadRequest")
    assert stored(shared, COLLECTION) == before


def test_each_listener_type_takes_only_its_own_handler(app: Flask, client: FlaskClient) -> None:
    extension = token_extension(app)
    body = listener_body(extension)
    body["@odata.type"] = "#microsoft.graph.onEmailOtpSendListener"
    error = assert_graph_error(client.post(f"/v1.0/{LISTENERS}", json=body), 400, "BadRequest")
    assert "handler" in error["message"]
    assert stored(app, COLLECTION) == []


@pytest.mark.parametrize(
    ("version", "status"), [("beta", 201), ("v1.0", 400)], ids=["beta", "v1.0 (not in its CSDL)"]
)
def test_the_phone_method_listener_is_beta_only(client: FlaskClient, version: str, status: int) -> None:
    body = {
        "@odata.type": "#microsoft.graph.onPhoneMethodLoadStartListener",
        "priority": 10,
        "handler": {"@odata.type": "#microsoft.graph.onPhoneMethodLoadStartExternalUsersAuthHandler"},
    }
    if version == "v1.0":
        del body["priority"]
    response = client.post(f"/{version}/{LISTENERS}", json=body)
    assert response.status_code == status
    if status == 400:
        assert "could not be resolved" in assert_graph_error(response, 400, "BadRequest")["message"]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"priority": 500}, "priority"),
        ({"authenticationEventsFlowId": None}, "authenticationEventsFlowId"),
        ({"conditions": {"applications": {"includeAllApplications": False}}}, "includeAllApplications"),
    ],
)
def test_beta_properties_are_unknown_on_v1(
    app: Flask, client: FlaskClient, change: dict[str, Any], fragment: str
) -> None:
    body = {**listener_body(token_extension(app)), **change}
    error = assert_graph_error(client.post(f"/v1.0/{LISTENERS}", json=body), 400, "BadRequest")
    assert fragment in error["message"]


def test_beta_requires_priority_and_keeps_it_within_0_to_1000(app: Flask, client: FlaskClient) -> None:
    body = listener_body(token_extension(app), version="beta")
    del body["priority"]
    assert (
        "'priority' is required"
        in assert_graph_error(client.post(f"/beta/{LISTENERS}", json=body), 400, None)["message"]
    )
    for priority in (-1, 1001):
        assert client.post(f"/beta/{LISTENERS}", json={**body, "priority": priority}).status_code == 400
    assert client.post(f"/beta/{LISTENERS}", json={**body, "priority": 1000}).status_code == 201


def test_a_token_listener_cannot_include_all_applications(app: Flask, client: FlaskClient) -> None:
    body = listener_body(token_extension(app), version="beta")
    body["conditions"]["applications"]["includeAllApplications"] = True
    assert_graph_error(client.post(f"/beta/{LISTENERS}", json=body), 400, "BadRequest")
    start = listener_body(
        add_extension(app, "onAttributeCollectionStartCustomExtension"),
        "onAttributeCollectionStartListener",
        version="beta",
    )
    start["conditions"]["applications"]["includeAllApplications"] = True
    created = create_listener(client, start, "beta")
    assert created["conditions"]["applications"]["includeAllApplications"] is True


@pytest.mark.parametrize(
    "body",
    [
        {"@odata.type": "#microsoft.graph.authenticationEventListener", "handler": {}},
        {"@odata.type": "microsoft.graph.authenticationEventListener", "handler": {}},
    ],
    ids=["with #", "without #"],
)
def test_the_abstract_type_is_refused(client: FlaskClient, body: dict[str, Any]) -> None:
    error = assert_graph_error(client.post(f"/v1.0/{LISTENERS}", json=body), 400, "BadRequest")
    assert "abstract" in error["message"]


# --- the handler's extension ------------------------------------------------------------------------------


def test_a_listener_naming_a_missing_extension_is_refused(app: Flask, client: FlaskClient) -> None:
    missing = str(uuid.uuid4())
    response = client.post(f"/v1.0/{LISTENERS}", json=listener_body(missing))
    error = assert_graph_error(response, 400, "AADB2C")
    assert missing in error["message"]
    assert stored(app, COLLECTION) == []


def test_a_listener_naming_an_extension_of_another_subtype_is_refused(
    app: Flask, client: FlaskClient
) -> None:
    otp = add_extension(app, "onOtpSendCustomExtension")
    error = assert_graph_error(client.post(f"/v1.0/{LISTENERS}", json=listener_body(otp)), 400, "AADB2C")
    assert "onOtpSendCustomExtension" in error["message"]
    assert "onTokenIssuanceStartCustomExtension" in error["message"]
    assert stored(app, COLLECTION) == []


@pytest.mark.parametrize("listener", sorted(EXTENSION_LISTENERS))
def test_each_custom_extension_listener_takes_its_own_subtype(
    app: Flask, client: FlaskClient, listener: str
) -> None:
    _, subtype = EXTENSION_LISTENERS[listener]
    extension = add_extension(app, subtype)
    created = create_listener(client, listener_body(extension, listener))
    assert created["handler"]["customExtension"] == {"id": extension}


def test_an_extension_id_matches_in_any_case_and_is_stored_as_the_extension_spells_it(
    app: Flask, client: FlaskClient
) -> None:
    extension = token_extension(app)
    created = create_listener(client, listener_body(extension.upper()))
    assert created["handler"]["customExtension"] == {"id": extension}


def test_a_handler_without_an_extension_is_accepted_and_one_can_be_added_later(
    app: Flask, client: FlaskClient
) -> None:
    body = listener_body("unused")
    del body["handler"]["customExtension"]
    created = create_listener(client, body)
    assert "customExtension" not in created["handler"]
    extension = token_extension(app)
    patch = {
        "@odata.type": body["@odata.type"],
        "handler": {**body["handler"], "customExtension": {"id": extension}},
    }
    assert client.patch(f"/v1.0/{LISTENERS}/{created['id']}", json=patch).status_code == 204
    fetched = client.get(f"/v1.0/{LISTENERS}/{created['id']}").get_json()
    assert fetched["handler"]["customExtension"] == {"id": extension}


def test_an_extension_deleted_since_stays_referenced_and_expands_to_null(
    app: Flask, client: FlaskClient
) -> None:
    extension = token_extension(app)
    created = create_listener(client, listener_body(extension))
    state_of(app).store.delete(DEFAULT_TENANT_ID, "customAuthenticationExtensions", extension)
    item = f"/v1.0/{LISTENERS}/{created['id']}"
    assert client.get(item).get_json()["handler"]["customExtension"] == {"id": extension}
    expanded = client.get(item, query_string={"$expand": "handler/customExtension"}).get_json()
    assert expanded["handler"]["customExtension"] is None


# --- PATCH ----------------------------------------------------------------------------------------------


def test_patch_of_an_unknown_listener_is_404(client: FlaskClient) -> None:
    patch = {"@odata.type": "#microsoft.graph.onTokenIssuanceStartListener", "displayName": "x"}
    assert_graph_error(
        client.patch(f"/v1.0/{LISTENERS}/{uuid.uuid4()}", json=patch), 404, "Request_ResourceNotFound"
    )


def test_patch_cannot_change_the_subtype(app: Flask, client: FlaskClient) -> None:
    created = create_listener(client, listener_body(token_extension(app)))
    patch = {"@odata.type": "#microsoft.graph.onEmailOtpSendListener", "displayName": "renamed"}
    response = client.patch(f"/v1.0/{LISTENERS}/{created['id']}", json=patch)
    assert "cannot be changed" in assert_graph_error(response, 400, "AADB2C")["message"]
    assert "displayName" not in client.get(f"/v1.0/{LISTENERS}/{created['id']}").get_json()


@pytest.mark.parametrize(
    "patch",
    [
        {"displayName": "no type"},
        {"@odata.type": "#microsoft.graph.onTokenIssuanceStartListener", "colour": "red"},
        {"@odata.type": "#microsoft.graph.onTokenIssuanceStartListener", "displayName": 7},
        {
            "@odata.type": "#microsoft.graph.onTokenIssuanceStartListener",
            "handler": {"customExtension": {"id": "x"}},
        },
    ],
    ids=["no @odata.type", "unknown property", "wrong type", "handler without its type"],
)
def test_an_invalid_patch_is_400_and_changes_nothing(
    app: Flask, client: FlaskClient, patch: dict[str, Any]
) -> None:
    created = create_listener(client, listener_body(token_extension(app)))
    before = stored(app, COLLECTION)
    assert_graph_error(client.patch(f"/v1.0/{LISTENERS}/{created['id']}", json=patch), 400, "BadRequest")
    assert stored(app, COLLECTION) == before


def test_patch_to_a_missing_extension_is_refused_and_changes_nothing(app: Flask, client: FlaskClient) -> None:
    created = create_listener(client, listener_body(token_extension(app)))
    before = stored(app, COLLECTION)
    patch = {
        "@odata.type": "#microsoft.graph.onTokenIssuanceStartListener",
        "handler": {
            "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtensionHandler",
            "customExtension": {"id": str(uuid.uuid4())},
        },
    }
    assert_graph_error(client.patch(f"/v1.0/{LISTENERS}/{created['id']}", json=patch), 400, "AADB2C")
    assert stored(app, COLLECTION) == before


def test_patch_replaces_only_what_it_names(app: Flask, client: FlaskClient) -> None:
    extension = token_extension(app)
    created = create_listener(client, listener_body(extension, version="beta", apps=("a", "b")), "beta")
    patch = {
        "@odata.type": "microsoft.graph.onTokenIssuanceStartListener",
        "displayName": "named",
        "priority": 7,
    }
    assert client.patch(f"/beta/{LISTENERS}/{created['id']}", json=patch).status_code == 204
    fetched = client.get(f"/beta/{LISTENERS}/{created['id']}").get_json()
    assert (fetched["displayName"], fetched["priority"]) == ("named", 7)
    assert fetched["conditions"]["applications"]["includeApplications"] == [{"appId": "a"}, {"appId": "b"}]
    assert fetched["handler"]["customExtension"] == {"id": extension}


def test_a_beta_listener_may_name_an_existing_flow(app: Flask, client: FlaskClient) -> None:
    body = listener_body(token_extension(app), version="beta")
    missing = {**body, "authenticationEventsFlowId": str(uuid.uuid4())}
    assert_graph_error(client.post(f"/beta/{LISTENERS}", json=missing), 400, "AADB2C")
    from tests.events_support import create_flow, flow_body

    flow = create_flow(client, flow_body())
    created = create_listener(client, {**body, "authenticationEventsFlowId": flow["id"]}, "beta")
    assert created["authenticationEventsFlowId"] == flow["id"]
    # v1.0 does not take it (read-only there) but shows it once set.
    assert (
        client.get(f"/v1.0/{LISTENERS}/{created['id']}").get_json()["authenticationEventsFlowId"]
        == flow["id"]
    )


# --- conditions/applications/includeApplications --------------------------------------------------------


def test_the_applications_sub_collection(app: Flask, client: FlaskClient) -> None:
    created = create_listener(client, listener_body(token_extension(app), apps=("app-1",)))
    applications = f"/v1.0/{LISTENERS}/{created['id']}/conditions/applications/includeApplications"
    listed = client.get(applications).get_json()
    conforms("authenticationConditionApplicationCollectionResponse", listed)
    assert listed == {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identity/authenticationEventListeners"
        f"('{created['id']}')/conditions/applications/includeApplications",
        "value": [{"appId": "app-1"}],
    }
    added = client.post(
        applications,
        json={"@odata.type": "microsoft.graph.authenticationConditionApplication", "appId": "app-2"},
    )
    assert added.status_code == 201
    assert added.headers["Location"] == f"http://localhost{applications}/app-2"
    assert added.get_json() == {"@odata.context": listed["@odata.context"] + "/$entity", "appId": "app-2"}
    assert_graph_error(client.post(applications, json={"appId": "APP-2"}), 409, "AADB2C")
    assert client.get(f"{applications}/App-2").get_json()["appId"] == "app-2"
    assert client.delete(f"{applications}/app-1").status_code == 204
    assert_graph_error(client.delete(f"{applications}/app-1"), 404, "Request_ResourceNotFound")
    assert_graph_error(client.get(f"{applications}/app-1"), 404, "Request_ResourceNotFound")
    listener = client.get(f"/v1.0/{LISTENERS}/{created['id']}").get_json()
    assert listener["conditions"]["applications"]["includeApplications"] == [{"appId": "app-2"}]


@pytest.mark.parametrize(
    "body",
    [{}, {"appId": 5}, {"appId": "a", "colour": "red"}, {"appId": " "}],
    ids=["none", "number", "unknown", "blank"],
)
def test_adding_an_application_checks_the_body(app: Flask, client: FlaskClient, body: dict[str, Any]) -> None:
    created = create_listener(client, listener_body(token_extension(app)))
    applications = f"/v1.0/{LISTENERS}/{created['id']}/conditions/applications/includeApplications"
    assert_graph_error(client.post(applications, json=body), 400, "BadRequest")
    assert len(client.get(applications).get_json()["value"]) == 1


def test_the_sub_collection_of_an_unknown_listener_is_404(client: FlaskClient) -> None:
    applications = f"/v1.0/{LISTENERS}/{uuid.uuid4()}/conditions/applications/includeApplications"
    assert_graph_error(client.get(applications), 404, "Request_ResourceNotFound")
    assert_graph_error(client.post(applications, json={"appId": "a"}), 404, "Request_ResourceNotFound")


# --- query options ------------------------------------------------------------------------------------------


@pytest.fixture
def two_listeners(app: Flask, client: FlaskClient) -> tuple[dict[str, Any], dict[str, Any]]:
    token = create_listener(
        client, {**listener_body(token_extension(app), apps=("app-1",)), "displayName": "Token"}
    )
    otp_body = listener_body(
        add_extension(app, "onOtpSendCustomExtension"), "onEmailOtpSendListener", apps=("app-2",)
    )
    otp = create_listener(client, {**otp_body, "displayName": "O'Brien"})
    return token, otp


@pytest.mark.parametrize(
    ("expression", "which"),
    [
        ("isOf('microsoft.graph.onTokenIssuanceStartListener')", [0]),
        ("isof('microsoft.graph.authenticationEventListener')", [0, 1]),
        ("displayName eq 'token'", [0]),
        ("displayName eq 'O''Brien'", [1]),
        ("displayName ne 'Token'", [1]),
        ("authenticationEventsFlowId eq null", [0, 1]),
        ("conditions/applications/includeApplications/any(a:a/appId eq 'app-2')", [1]),
        ("not isOf('microsoft.graph.onEmailOtpSendListener') and (displayName eq 'Token' or id eq 'x')", [0]),
    ],
)
def test_filter(
    client: FlaskClient,
    two_listeners: tuple[dict[str, Any], dict[str, Any]],
    expression: str,
    which: list[int],
) -> None:
    response = client.get(f"/v1.0/{LISTENERS}", query_string={"$filter": expression})
    assert response.status_code == 200, response.get_json()
    assert [item["id"] for item in response.get_json()["value"]] == [two_listeners[i]["id"] for i in which]
    count = client.get(f"/v1.0/{LISTENERS}/$count", query_string={"$filter": expression})
    assert count.get_data(as_text=True) == str(len(which))
    assert count.headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"$filter": "displayName eq"}, "Invalid filter clause"),
        ({"$filter": "colour eq 'red'"}, "Could not find a property named 'colour'"),
        ({"$filter": "isOf('microsoft.graph.onNothing')"}, "Invalid filter clause"),
        ({"$filter": "startswith(displayName,'T')"}, "Invalid filter clause"),
        ({"$filter": "displayName gt 'T'"}, "Invalid filter clause"),
        ({"$select": "colour"}, "Could not find a property named 'colour'"),
        ({"$expand": "customExtension"}, "Could not find a navigation property"),
        ({"$count": "maybe"}, "not a valid count option"),
        ({"$top": "1"}, "not supported"),
        ({"$orderby": "displayName"}, "not supported"),
    ],
)
def test_bad_query_options_are_graphs_400(client: FlaskClient, query: dict[str, str], fragment: str) -> None:
    response = client.get(f"/v1.0/{LISTENERS}", query_string=query)
    assert fragment in assert_graph_error(response, 400, None)["message"]


def test_select_count_and_expand(
    client: FlaskClient, two_listeners: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    response = client.get(
        f"/beta/{LISTENERS}", query_string={"$select": "displayName,priority", "$count": "true"}
    )
    document = response.get_json()
    assert (
        document["@odata.context"]
        == "https://graph.microsoft.com/beta/$metadata#identity/authenticationEventListeners(displayName,priority)"
    )
    assert document["@odata.count"] == 2
    assert document["value"][0] == {
        "@odata.type": "#microsoft.graph.onTokenIssuanceStartListener",
        "displayName": "Token",
        "priority": 500,
    }
    token = two_listeners[0]
    cast = "microsoft.graph.onTokenIssuanceStartListener/handler/microsoft.graph.onTokenIssuanceStartCustomExtensionHandler/customExtension"
    fetched = client.get(f"/beta/{LISTENERS}/{token['id']}", query_string={"$expand": cast}).get_json()
    assert (
        fetched["handler"]["customExtension"]["displayName"]
        == "onTokenIssuanceStartCustomExtension for tests"
    )
    assert "@odata.type" not in fetched["handler"]["customExtension"]


# --- the deprecated handler navigation (beta) ----------------------------------------------------------------

HANDLER_PATH = "microsoft.graph.onTokenIssuanceStartListener/handler/microsoft.graph.onTokenIssuanceStartCustomExtensionHandler/customExtension"


def test_the_handler_navigation_reads_and_sets_the_extension(app: Flask, client: FlaskClient) -> None:
    body = listener_body("unused", version="beta")
    del body["handler"]["customExtension"]
    created = create_listener(client, body, "beta")
    navigation = f"/beta/{LISTENERS}/{created['id']}/{HANDLER_PATH}"
    assert_graph_error(client.get(navigation), 404, "Request_ResourceNotFound")
    extension = token_extension(app)
    reference = {
        "@odata.id": f"https://graph.microsoft.com/beta/identity/customAuthenticationExtensions/{extension}"
    }
    response = client.put(f"{navigation}/$ref", json=reference)
    assert (response.status_code, response.get_data()) == (204, b"")
    fetched = client.get(navigation)
    assert fetched.status_code == 200
    assert fetched.get_json() == {
        "@odata.context": f"https://graph.microsoft.com/beta/$metadata#identity/authenticationEventListeners('{created['id']}')/{HANDLER_PATH}/$entity",
        "id": extension,
        "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtension",
        "displayName": "onTokenIssuanceStartCustomExtension for tests",
    }
    listener = client.get(f"/beta/{LISTENERS}/{created['id']}").get_json()
    assert listener["handler"]["customExtension"] == {"id": extension}


@pytest.mark.parametrize(
    ("reference", "status", "code"),
    [
        (
            {"@odata.id": "https://graph.microsoft.com/beta/identity/customAuthenticationExtensions/missing"},
            400,
            "AADB2C",
        ),
        ({"@odata.id": "https://graph.microsoft.com/beta/users/someone"}, 400, "BadRequest"),
        ({"@odata.id": ""}, 400, "BadRequest"),
        ({"id": "x"}, 400, "BadRequest"),
    ],
)
def test_the_handler_navigation_refuses_bad_references(
    app: Flask, client: FlaskClient, reference: dict[str, Any], status: int, code: str
) -> None:
    created = create_listener(client, listener_body(token_extension(app), version="beta"), "beta")
    before = stored(app, COLLECTION)
    response = client.put(f"/beta/{LISTENERS}/{created['id']}/{HANDLER_PATH}/$ref", json=reference)
    assert_graph_error(response, status, code)
    assert stored(app, COLLECTION) == before


def test_the_handler_navigation_of_another_type_is_404_and_beta_only(app: Flask, client: FlaskClient) -> None:
    otp = listener_body(
        add_extension(app, "onOtpSendCustomExtension"), "onEmailOtpSendListener", version="beta"
    )
    created = create_listener(client, otp, "beta")
    assert_graph_error(
        client.get(f"/beta/{LISTENERS}/{created['id']}/{HANDLER_PATH}"), 404, "Request_ResourceNotFound"
    )
    response = client.get(f"/v1.0/{LISTENERS}/{created['id']}/{HANDLER_PATH}")
    assert "Resource not found for the segment" in assert_graph_error(response, 400, "BadRequest")["message"]


# --- the limit and tenant isolation ------------------------------------------------------------------------


def test_the_251st_listener_is_refused(app: Flask, client: FlaskClient) -> None:
    body = listener_body(token_extension(app))
    for _ in range(250):
        assert client.post(f"/v1.0/{LISTENERS}", json=body).status_code == 201
    response = client.post(f"/v1.0/{LISTENERS}", json=body)
    error = assert_graph_error(response, 400, "QuotaExceeded")
    assert error["message"] == "The maximum number of event listeners (250) for this tenant has been reached."
    assert len(stored(app, COLLECTION)) == 250
    first = stored(app, COLLECTION)[0]["id"]
    assert client.delete(f"/v1.0/{LISTENERS}/{first}").status_code == 204
    assert client.post(f"/v1.0/{LISTENERS}", json=body).status_code == 201


def test_the_limit_is_configurable() -> None:
    app = create_app({"auth_mode": "off", "listener_limit": 1})
    client = app.test_client()
    body = listener_body(token_extension(app))
    assert client.post(f"/v1.0/{LISTENERS}", json=body).status_code == 201
    assert_graph_error(client.post(f"/v1.0/{LISTENERS}", json=body), 400, "QuotaExceeded")


OTHER_TENANT = "b7c0ffee-0000-4000-8000-000000000002"


def test_tenants_are_isolated() -> None:
    app = create_app({"tenants": (*default_tenants(), Tenant(OTHER_TENANT, "other.onmicrosoft.com"))})
    client = app.test_client()
    mine = {"Authorization": f"Bearer {mint_token()}"}
    theirs = {"Authorization": f"Bearer {mint_token(tenant_id=OTHER_TENANT)}"}
    extension = token_extension(app)
    created = create_listener(client, listener_body(extension), **mine)
    item = f"/v1.0/{LISTENERS}/{created['id']}"
    assert_graph_error(client.get(item, headers=theirs), 404, "Request_ResourceNotFound")
    patch = {"@odata.type": "#microsoft.graph.onTokenIssuanceStartListener", "displayName": "theirs"}
    assert_graph_error(client.patch(item, json=patch, headers=theirs), 404, "Request_ResourceNotFound")
    assert_graph_error(client.delete(item, headers=theirs), 404, "Request_ResourceNotFound")
    assert client.get(f"/v1.0/{LISTENERS}", headers=theirs).get_json()["value"] == []
    # An extension of one tenant cannot be used by another.
    response = client.post(f"/v1.0/{LISTENERS}", json=listener_body(extension), headers=theirs)
    assert extension in assert_graph_error(response, 400, "AADB2C")["message"]
    assert client.get(item, headers=mine).status_code == 200
