"""Invalid extension bodies are Graph's 400 (413 when oversized), name what is wrong, and store nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockgraph import create_app
from mockgraph import strategies as mgst
from mockgraph.core.config import DEFAULT_TENANT_ID
from mockgraph.resources.extensions.model import COLLECTION
from mockgraph.strategies import InvalidExtensionBodyKind
from mockgraph.web.state import state_of

URL = "/beta/identity/customAuthenticationExtensions"
SMALL_BODY_LIMIT = 4096
VALID = {
    "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtension",
    "displayName": "Claims",
    "authenticationConfiguration": {
        "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
        "resourceId": "api://api.contoso.example/0b8d5a2e-6c1f-4e3a-9d7b-2f4c6e8a0b1d",
    },
    "endpointConfiguration": {
        "@odata.type": "#microsoft.graph.httpRequestEndpoint",
        "targetUrl": "https://api.contoso.example",
    },
}
ANY_EXAMPLES = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def shared() -> Flask:
    """One app for the property tests (nothing may be stored, so nothing needs resetting)."""
    return create_app({"auth_mode": "off", "max_body_bytes": SMALL_BODY_LIMIT})


def stored(app: Flask) -> int:
    return state_of(app).store.count(DEFAULT_TENANT_ID, COLLECTION)


def refused(response: Any, kind: InvalidExtensionBodyKind) -> None:
    expected = 413 if kind is InvalidExtensionBodyKind.OVERSIZED else 400
    assert response.status_code == expected, response.get_json()
    envelope = response.get_json()["error"]
    assert set(envelope) == {"code", "message", "innerError"}
    assert envelope["code"] == ("RequestEntityTooLarge" if expected == 413 else "BadRequest")
    assert response.headers["x-mockgraph-reason"]


@pytest.mark.parametrize("kind", list(InvalidExtensionBodyKind))
@ANY_EXAMPLES
@given(data=st.data())
def test_each_invalid_create_body_is_refused_and_stores_nothing(
    shared: Flask, kind: InvalidExtensionBodyKind, data: st.DataObject
) -> None:
    body = data.draw(mgst.invalid_extension_create_bodies(kind=kind, max_body_bytes=SMALL_BODY_LIMIT))
    refused(shared.test_client().post(URL, json=body), kind)
    assert stored(shared) == 0


@pytest.fixture(scope="module")
def with_one() -> tuple[Flask, str, dict[str, Any]]:
    app = create_app({"auth_mode": "off", "max_body_bytes": SMALL_BODY_LIMIT})
    created = app.test_client().post(
        URL, json={**VALID, "@odata.type": "#microsoft.graph.onOtpSendCustomExtension"}
    )
    assert created.status_code == 201
    document: dict[str, Any] = created.get_json()
    return app, document["id"], document


@pytest.mark.parametrize("kind", list(InvalidExtensionBodyKind))
@ANY_EXAMPLES
@given(data=st.data())
def test_each_invalid_update_body_is_refused_and_changes_nothing(
    with_one: tuple[Flask, str, dict[str, Any]], kind: InvalidExtensionBodyKind, data: st.DataObject
) -> None:
    app, object_id, before = with_one
    strategy = mgst.invalid_extension_update_bodies(
        kind=kind, subtypes=["onOtpSendCustomExtension"], max_body_bytes=SMALL_BODY_LIMIT
    )
    client = app.test_client()
    refused(client.patch(f"{URL}/{object_id}", json=data.draw(strategy)), kind)
    assert client.get(f"{URL}/{object_id}").get_json() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"@odata.type": None}, "The property '@odata.type' is required"),
        ({"@odata.type": "#microsoft.graph.customAuthenticationExtension"}, "abstract type"),
        ({"@odata.type": "microsoft.graph.customCalloutExtension"}, "abstract type"),
        (
            {"@odata.type": "#microsoft.graph.onTokenIssuanceStartListener"},
            "could not be resolved by the model",
        ),
        ({"@odata.type": 7}, "must be a string"),
        ({"authenticationConfiguration": None}, "'authenticationConfiguration'"),
        (
            {
                "authenticationConfiguration": {
                    "@odata.type": "#microsoft.graph.customExtensionAuthenticationConfiguration"
                }
            },
            "authenticationConfiguration.@odata.type",
        ),
        (
            {"displayName": 42},
            "Cannot convert the value of property 'displayName' to the expected type 'Edm.String'",
        ),
        (
            {"colour": "blue"},
            "The property 'colour' does not exist on type 'microsoft.graph.onTokenIssuanceStartCustomExtension'",
        ),
        (
            {"clientConfiguration": {"timeoutInMilliseconds": 5000}},
            "clientConfiguration.timeoutInMilliseconds",
        ),
        ({"claimsForTokenConfiguration": [{}]}, "The property 'claimIdInApiResponse' is required"),
    ],
)
def test_refusals_name_what_is_wrong(client: FlaskClient, change: dict[str, Any], message: str) -> None:
    body = {**VALID, **change}
    body = {k: v for k, v in body.items() if not (k == "@odata.type" and v is None)}
    response = client.post(URL, json=body)
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]
    assert client.get(URL).get_json()["value"] == []


def test_claims_are_only_for_the_token_issuance_subtype(client: FlaskClient) -> None:
    body = {
        **VALID,
        "@odata.type": "#microsoft.graph.onOtpSendCustomExtension",
        "claimsForTokenConfiguration": [],
    }
    response = client.post(URL, json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"].startswith(
        "The property 'claimsForTokenConfiguration' does not exist on type 'microsoft.graph.onOtpSendCustomExtension'"
    )


@pytest.mark.parametrize(
    "raw",
    [b"[]", b'"x"', b"{", b'{"@odata.type": "#microsoft.graph.onOtpSendCustomExtension",}'],
    ids=["array", "string", "truncated", "trailing comma"],
)
def test_bodies_that_are_not_json_objects_are_400(client: FlaskClient, raw: bytes) -> None:
    response = client.post(URL, data=raw, content_type="application/json")
    assert response.status_code == 400
    assert client.get(URL).get_json()["value"] == []


def test_a_body_without_json_content_type_is_415(client: FlaskClient) -> None:
    response = client.post(URL, data=b"{}", content_type="text/plain")
    assert response.status_code == 415


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"endpointConfiguration": VALID["endpointConfiguration"]},
        {
            **{k: VALID[k] for k in ("endpointConfiguration", "authenticationConfiguration")},
            "displayName": "x",
        },
        {
            "endpointConfiguration": {"targetUrl": "https://a"},
            "authenticationConfiguration": VALID["authenticationConfiguration"],
        },
        {
            "endpointConfiguration": VALID["endpointConfiguration"],
            "authenticationConfiguration": {"resourceId": "x"},
        },
    ],
    ids=[
        "empty",
        "no authentication",
        "extra parameter",
        "endpoint without type",
        "authentication without type",
    ],
)
def test_the_collection_action_refuses_bad_parameters(client: FlaskClient, body: dict[str, Any]) -> None:
    response = client.post(f"{URL}/validateAuthenticationConfiguration", json=body)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "BadRequest"


def test_an_unknown_action_parameter_is_named(client: FlaskClient) -> None:
    body = {k: VALID[k] for k in ("endpointConfiguration", "authenticationConfiguration")}
    response = client.post(f"{URL}/validateAuthenticationConfiguration", json={**body, "displayName": "x"})
    assert response.get_json()["error"]["message"] == (
        "The parameter 'displayName' in the request payload is not a valid parameter for the operation "
        "'validateAuthenticationConfiguration'."
    )
