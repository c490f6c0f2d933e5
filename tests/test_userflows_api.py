"""User flows through HTTP: the documented examples, connector references, steps, versions and Graph's errors."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from mockgraph.core.contracts import shared_contracts
from tests.support import assert_graph_error, basic_auth, connector_body

BETA = "/beta/identity"
# The connector of Graph's "Get userFlowApiConnectorConfiguration" example, whose expansion it shows.
CONNECTOR = connector_body(
    "Test API Connector 1", "https://someapi.com/api/endpoint", basic_auth("<USERNAME>", "<PASSWORD>")
)


def new_connector(client: FlaskClient, **overrides: Any) -> str:
    response = client.post(f"{BETA}/apiConnectors", json={**CONNECTOR, **overrides})
    assert response.status_code == 201
    connector_id: str = response.get_json()["id"]
    return connector_id


def test_b2x_create_example_1(client: FlaskClient) -> None:
    body = {"id": "Partner", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1}
    response = client.post(f"{BETA}/b2xUserFlows", json=body)
    assert response.status_code == 201
    assert response.headers["Location"].endswith("/beta/identity/b2xUserFlows/B2X_1_Partner")
    created = response.get_json()
    assert shared_contracts().first_error("b2xIdentityUserFlow", created) is None
    assert {k: v for k, v in created.items() if k != "@odata.context"} == {
        "id": "B2X_1_Partner",
        "userFlowType": "signUpOrSignIn",
        "userFlowTypeVersion": 1,
    }
    assert (
        created["@odata.context"]
        == "https://graph.microsoft.com/beta/$metadata#identity/b2xUserFlows/$entity"
    )


def test_b2x_create_example_3_with_connectors_then_get_configuration(client: FlaskClient) -> None:
    first = new_connector(client)
    second = new_connector(
        client,
        displayName="Test API Connector 2",
        targetUrl="https://someotherapi.com/api/endpoint",
        authenticationConfiguration=basic_auth("<USERNAME2>", "<PASSWORD>"),
    )
    body = {
        "id": "testuserflow",
        "userFlowType": "signUpOrSignIn",
        "userFlowTypeVersion": 1,
        "apiConnectorConfiguration": {
            "postFederationSignup": {"@odata.id": first},
            "postAttributeCollection": {"@odata.id": second},
        },
    }
    created = client.post(f"{BETA}/b2xUserFlows", json=body)
    assert created.status_code == 201
    assert created.get_json()["apiConnectorConfiguration"] == {}
    response = client.get(
        f"{BETA}/b2xUserFlows/B2X_1_testuserflow/apiConnectorConfiguration"
        "?$expand=postFederationSignup,postAttributeCollection"
    )
    assert response.status_code == 200
    document = response.get_json()
    assert shared_contracts().first_error("userFlowApiConnectorConfiguration", document) is None
    root = "https://graph.microsoft.com/beta/$metadata#identity/b2xUserFlows('B2X_1_testuserflow')/apiConnectorConfiguration"
    assert document["@odata.context"] == root + "(postFederationSignup(),postAttributeCollection())"
    assert document["postFederationSignup@odata.context"] == (
        root + "/microsoft.graph.userFlowApiConnectorConfiguration/postFederationSignup/$entity"
    )
    assert document["postFederationSignup"] == {
        "id": first,
        "displayName": "Test API Connector 1",
        "targetUrl": "https://someapi.com/api/endpoint",
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.basicAuthentication",
            "username": "<USERNAME>",
            "password": "******",
        },
    }
    assert document["postAttributeCollection"]["id"] == second
    assert document["postAttributeCollection"]["authenticationConfiguration"]["username"] == "<USERNAME2>"
    assert "<PASSWORD>" not in response.get_data(as_text=True)


def test_b2c_examples_create_patch_get_list_delete(client: FlaskClient) -> None:
    created = client.post(
        f"{BETA}/b2cUserFlows",
        json={"id": "Customer", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 3},
    )
    assert created.status_code == 201
    assert created.headers["Location"].endswith("/beta/identity/b2cUserFlows/B2C_1_Customer")
    document = created.get_json()
    assert shared_contracts().first_error("b2cIdentityUserFlow", document) is None
    assert {k: v for k, v in document.items() if k != "@odata.context"} == {
        "id": "B2C_1_Customer",
        "userFlowType": "signUpOrSignIn",
        "userFlowTypeVersion": 3,
        "isLanguageCustomizationEnabled": False,
        "defaultLanguageTag": "en",
    }
    signup = client.post(
        f"{BETA}/b2cUserFlows",
        json={"id": "CustomerSignUp", "userFlowType": "signUp", "userFlowTypeVersion": 1},
    )
    assert signup.get_json()["defaultLanguageTag"] is None
    # The documented PATCH example (its trailing comma dropped: the docs' JSON is illustrative).
    patched = client.patch(
        f"{BETA}/b2cUserFlows/B2C_1_CustomerSignUp",
        json={"isLanguageCustomizationEnabled": True, "defaultLanguageTag": "en"},
    )
    assert patched.status_code == 204
    got = client.get(f"{BETA}/b2cUserFlows/b2c_1_customersignup").get_json()
    assert (got["isLanguageCustomizationEnabled"], got["defaultLanguageTag"]) == (True, "en")
    listed = client.get(f"{BETA}/b2cUserFlows").get_json()
    assert listed["@odata.context"] == "https://graph.microsoft.com/beta/$metadata#identity/b2cUserFlows"
    assert [flow["id"] for flow in listed["value"]] == ["B2C_1_Customer", "B2C_1_CustomerSignUp"]
    assert client.delete(f"{BETA}/b2cUserFlows/B2C_1_Customer").status_code == 204
    assert_graph_error(client.get(f"{BETA}/b2cUserFlows/B2C_1_Customer"), 404, "Request_ResourceNotFound")
    assert_graph_error(client.delete(f"{BETA}/b2cUserFlows/B2C_1_Customer"), 404, "Request_ResourceNotFound")


def test_list_expands_identity_providers_and_refuses_other_expansions(client: FlaskClient) -> None:
    client.post(
        f"{BETA}/b2xUserFlows",
        json={"id": "PartnerSignUp", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1},
    )
    listed = client.get(f"{BETA}/b2xUserFlows?$expand=identityProviders").get_json()
    assert listed["@odata.context"].endswith("#identity/b2xUserFlows(identityProviders)")
    assert listed["value"][0]["identityProviders"] == []
    assert_graph_error(client.get(f"{BETA}/b2xUserFlows?$expand=languages"), 400, "BadRequest")
    assert_graph_error(client.get(f"{BETA}/b2xUserFlows?$top=1"), 400, "Request_UnsupportedQuery")


@pytest.mark.parametrize(
    "reference",
    [
        lambda cid: {"@odata.id": cid},
        lambda cid: {"@odata.id": f"https://graph.microsoft.com/beta/identity/apiConnectors/{cid}"},
        lambda cid: {"@odata.id": f"https://graph.microsoft.com/v1.0/identity/apiConnectors/{cid}"},
        lambda cid: {"@odata.id": f"https://graph.microsoft.com/v1/identity/apiConnectors/{cid}"},
        lambda cid: {"@odata.id": f"http://127.0.0.1:5000/beta/identity/apiConnectors/{cid.upper()}"},
        lambda cid: {"id": cid},
    ],
)
def test_every_reference_shape_attaches(client: FlaskClient, reference: Any) -> None:
    connector = new_connector(client)
    client.post(
        f"{BETA}/b2xUserFlows",
        json={"id": "Flow", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1},
    )
    ref = f"{BETA}/b2xUserFlows/B2X_1_Flow/apiConnectorConfiguration/postAttributeCollection/$ref"
    assert client.put(ref, json=reference(connector)).status_code == 204
    step = client.get(f"{BETA}/b2xUserFlows/B2X_1_Flow/apiConnectorConfiguration/postAttributeCollection")
    assert step.status_code == 200
    assert step.get_json()["id"] == connector
    assert step.get_json()["authenticationConfiguration"]["password"] == "******"
    # {} detaches; the expanded step then reads null.
    assert client.put(ref, json={}).status_code == 204
    expanded = client.get(f"{BETA}/b2xUserFlows/B2X_1_Flow/apiConnectorConfiguration?$expand=*").get_json()
    assert expanded["postAttributeCollection"] is None
    assert "preTokenIssuance" not in expanded


@pytest.mark.parametrize(
    "body",
    [
        {"@odata.id": "https://graph.microsoft.com/beta/users/abc"},
        {"@odata.id": ""},
        {"@odata.id": 5},
        {"somethingElse": "x"},
    ],
)
def test_malformed_references_are_400(client: FlaskClient, body: dict[str, Any]) -> None:
    client.post(
        f"{BETA}/b2xUserFlows",
        json={"id": "Flow", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1},
    )
    response = client.put(
        f"{BETA}/b2xUserFlows/B2X_1_Flow/apiConnectorConfiguration/postFederationSignup/$ref", json=body
    )
    assert_graph_error(response, 400, "BadRequest")


def test_unknown_connector_is_refused_on_put_and_on_create(client: FlaskClient) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    client.post(
        f"{BETA}/b2xUserFlows",
        json={"id": "Flow", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1},
    )
    put = client.put(
        f"{BETA}/b2xUserFlows/B2X_1_Flow/apiConnectorConfiguration/postFederationSignup/$ref",
        json={"@odata.id": missing},
    )
    assert missing in assert_graph_error(put, 400, "AADB2C")["message"]
    create = client.post(
        f"{BETA}/b2xUserFlows",
        json={
            "id": "Other",
            "userFlowType": "signUpOrSignIn",
            "userFlowTypeVersion": 1,
            "apiConnectorConfiguration": {"postFederationSignup": {"@odata.id": missing}},
        },
    )
    assert_graph_error(create, 400, "AADB2C")
    assert_graph_error(client.get(f"{BETA}/b2xUserFlows/B2X_1_Other"), 404, "Request_ResourceNotFound")


def test_deleting_a_used_connector_empties_the_step(client: FlaskClient) -> None:
    connector = new_connector(client)
    client.post(
        f"{BETA}/b2xUserFlows",
        json={
            "id": "Flow",
            "userFlowType": "signUpOrSignIn",
            "userFlowTypeVersion": 1,
            "apiConnectorConfiguration": {"postFederationSignup": {"@odata.id": connector}},
        },
    )
    assert client.delete(f"{BETA}/apiConnectors/{connector}").status_code == 204
    document = client.get(
        f"{BETA}/b2xUserFlows/B2X_1_Flow/apiConnectorConfiguration?$expand=postFederationSignup"
    ).get_json()
    assert document["postFederationSignup"] is None
    assert_graph_error(
        client.get(f"{BETA}/b2xUserFlows/B2X_1_Flow/apiConnectorConfiguration/postFederationSignup"),
        404,
        "Request_ResourceNotFound",
    )


def test_b2c_token_step_and_step_availability(client: FlaskClient) -> None:
    connector = new_connector(client)
    client.post(
        f"{BETA}/b2cUserFlows", json={"id": "SignIn", "userFlowType": "signIn", "userFlowTypeVersion": 3}
    )
    base = f"{BETA}/b2cUserFlows/B2C_1_SignIn/apiConnectorConfiguration"
    assert client.put(f"{base}/preTokenIssuance/$ref", json={"@odata.id": connector}).status_code == 204
    assert_graph_error(
        client.put(f"{base}/postAttributeCollection/$ref", json={"@odata.id": connector}), 400, "AADB2C"
    )
    document = client.get(f"{base}?$expand=preTokenIssuance").get_json()
    assert document["preTokenIssuance"]["id"] == connector
    assert "preTokenIssuance@odata.context" not in document  # the b2c example has no per-step context
    client.post(
        f"{BETA}/b2xUserFlows", json={"id": "X", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1}
    )
    b2x = f"{BETA}/b2xUserFlows/B2X_1_X/apiConnectorConfiguration/preTokenIssuance/$ref"
    assert_graph_error(client.put(b2x, json={"@odata.id": connector}), 400, "AADB2C")


def test_v1_serves_b2x_but_not_b2c_or_the_token_step(client: FlaskClient) -> None:
    created = client.post(
        "/v1.0/identity/b2xUserFlows",
        json={"id": "Partner", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1},
    )
    assert created.status_code == 201
    assert created.get_json()["@odata.context"].startswith("https://graph.microsoft.com/v1.0/$metadata#")
    assert client.delete("/v1.0/identity/b2xUserFlows/B2X_1_Partner").status_code == 204
    assert_graph_error(
        client.get("/v1.0/identity/b2cUserFlows"),
        400,
        "BadRequest",
        "Resource not found for the segment 'b2cUserFlows'.",
    )
    client.post(
        "/v1.0/identity/b2xUserFlows",
        json={"id": "P", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1},
    )
    step = client.put(
        "/v1.0/identity/b2xUserFlows/B2X_1_P/apiConnectorConfiguration/preTokenIssuance/$ref", json={}
    )
    assert_graph_error(step, 400, "BadRequest", "Resource not found for the segment 'preTokenIssuance'.")
    expand = client.get(
        "/v1.0/identity/b2xUserFlows/B2X_1_P/apiConnectorConfiguration?$expand=preTokenIssuance"
    )
    assert_graph_error(expand, 400, "BadRequest")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1}, 400, "AADB2C"),
        ({"id": "", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1}, 400, "AADB2C"),
        ({"id": "A", "userFlowType": "nonsense", "userFlowTypeVersion": 1}, 400, "BadRequest"),
        ({"id": "A", "userFlowType": "signUp", "userFlowTypeVersion": 1}, 400, "AADB2C"),
        ({"id": "A", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 2}, 400, "AADB2C"),
        ({"id": "A", "userFlowType": "signUpOrSignIn"}, 400, "BadRequest"),
        ({"id": "A", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": "1"}, 400, "BadRequest"),
        ({"id": "A b", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1}, 400, "AADB2C"),
        (
            {"id": "A", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1, "color": "red"},
            400,
            "BadRequest",
        ),
    ],
)
def test_b2x_create_refusals(client: FlaskClient, body: dict[str, Any], status: int, code: str) -> None:
    assert_graph_error(client.post(f"{BETA}/b2xUserFlows", json=body), status, code)
    assert client.get(f"{BETA}/b2xUserFlows").get_json()["value"] == []


def test_b2c_observed_version_refusal_and_duplicates(client: FlaskClient) -> None:
    refused = client.post(
        f"{BETA}/b2cUserFlows", json={"id": "R", "userFlowType": "resourceOwner", "userFlowTypeVersion": 1}
    )
    assert_graph_error(refused, 400, "AADB2C90063", "There is a problem with the service.")
    body = {"id": "Dup", "userFlowType": "signUp", "userFlowTypeVersion": 3}
    assert client.post(f"{BETA}/b2cUserFlows", json=body).status_code == 201
    assert_graph_error(client.post(f"{BETA}/b2cUserFlows", json=body), 409, "AADB2C")


def test_b2c_patch_refuses_immutable_properties_and_unknown_flows(client: FlaskClient) -> None:
    client.post(f"{BETA}/b2cUserFlows", json={"id": "C", "userFlowType": "signUp", "userFlowTypeVersion": 3})
    assert_graph_error(
        client.patch(f"{BETA}/b2cUserFlows/B2C_1_C", json={"userFlowType": "signIn"}), 400, "BadRequest"
    )
    assert_graph_error(
        client.patch(f"{BETA}/b2cUserFlows/B2C_1_C", json={"defaultLanguageTag": 5}), 400, "BadRequest"
    )
    assert_graph_error(
        client.patch(f"{BETA}/b2cUserFlows/B2C_1_Nope", json={}), 404, "Request_ResourceNotFound"
    )
    assert client.get(f"{BETA}/b2cUserFlows/B2C_1_C").get_json()["userFlowType"] == "signUp"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PATCH", "/b2xUserFlows/B2X_1_A", "GET, DELETE"),
        ("PUT", "/b2xUserFlows", "GET, POST"),
        ("POST", "/b2cUserFlows/B2C_1_A", "GET, PATCH, DELETE"),
        ("PATCH", "/b2xUserFlows/B2X_1_A/apiConnectorConfiguration", "GET"),
        ("GET", "/b2xUserFlows/B2X_1_A/apiConnectorConfiguration/postFederationSignup/$ref", "PUT"),
    ],
)
def test_unsupported_methods_are_405(client: FlaskClient, method: str, path: str, allowed: str) -> None:
    response = client.open(f"{BETA}{path}", method=method, json={})
    assert_graph_error(response, 405, "Request_BadRequest")
    assert response.headers["Allow"] == allowed


@pytest.mark.parametrize(
    ("path", "segment"),
    [
        ("/b2xUserFlows/B2X_1_A/languages", "languages"),
        ("/b2xUserFlows/B2X_1_A/apiConnectorConfiguration/postSomething/$ref", "postSomething"),
        ("/b2xUserFlows/B2X_1_A/apiConnectorConfiguration/postFederationSignup/extra", "extra"),
    ],
)
def test_unknown_segments_under_a_flow(client: FlaskClient, path: str, segment: str) -> None:
    message = f"Resource not found for the segment '{segment}'."
    assert_graph_error(client.get(f"{BETA}{path}"), 400, "BadRequest", message)


def test_paths_match_case_insensitively_and_bodies_must_be_json(client: FlaskClient) -> None:
    assert client.get("/BETA//identity/B2XUSERFLOWS").status_code == 200
    response = client.post(f"{BETA}/b2xUserFlows", data="{not json", content_type="application/json")
    assert_graph_error(response, 400, "BadRequest")
    response = client.post(f"{BETA}/b2xUserFlows", data="x", content_type="text/plain")
    assert_graph_error(response, 415, "UnsupportedMediaType")
