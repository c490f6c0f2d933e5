"""Every documented request and response example of custom-authentication-extensions.md section 2, replayed over HTTP.

Answers must equal the docs' JSON except the generated ``id``, and where the emulator follows the reference's
rendering rule rather than one example (each noted where it is compared): ``behaviorOnError: null`` on the examples
that omit it (the create example 1 and get examples show it), ``@odata.context`` and ``id`` on the OTP-send example
(the docs repeat the request body), and nested type names spelled canonically with ``#``.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockgraph import create_app

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
VERSIONS = ["v1.0", "beta"]
TOKEN_ISSUANCE_START = "#microsoft.graph.onTokenIssuanceStartCustomExtension"


def collection(version: str) -> str:
    return f"/{version}/identity/customAuthenticationExtensions"


def context(version: str, fragment: str = "identity/customAuthenticationExtensions/$entity") -> str:
    return f"https://graph.microsoft.com/{version}/$metadata#{fragment}"


def without_id(document: dict[str, Any]) -> dict[str, Any]:
    assert GUID.match(document["id"]), document["id"]
    return {key: value for key, value in document.items() if key != "id"}


# Section 2.2, example 1 (v1.0 verbatim; beta identical but for the URL).
CREATE_EXAMPLE_1: dict[str, Any] = {
    "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtension",
    "displayName": "onTokenIssuanceStartCustomExtension",
    "description": "Fetch additional claims from custom user store",
    "endpointConfiguration": {
        "@odata.type": "#microsoft.graph.httpRequestEndpoint",
        "targetUrl": "https://authenticationeventsAPI.contoso.com",
    },
    "authenticationConfiguration": {
        "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
        "resourceId": "api://authenticationeventsAPI.contoso.com/a13d0fc1-04ab-4ede-b215-63de0174cbb4",
    },
    "clientConfiguration": {"timeoutInMilliseconds": 2000, "maximumRetries": 1},
    "claimsForTokenConfiguration": [
        {"claimIdInApiResponse": "DateOfBirth"},
        {"claimIdInApiResponse": "CustomRoles"},
    ],
}
# Its response, key for key; the docs list clientConfiguration twice (null, then the sent value): a JSON reader
# keeps the last, which is what the emulator answers.
CREATE_RESPONSE_1: dict[str, Any] = {
    "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtension",
    "displayName": "onTokenIssuanceStartCustomExtension",
    "description": "Fetch additional claims from custom user store",
    "clientConfiguration": {"timeoutInMilliseconds": 2000, "maximumRetries": 1},
    "behaviorOnError": None,
    "authenticationConfiguration": CREATE_EXAMPLE_1["authenticationConfiguration"],
    "endpointConfiguration": CREATE_EXAMPLE_1["endpointConfiguration"],
    "claimsForTokenConfiguration": CREATE_EXAMPLE_1["claimsForTokenConfiguration"],
}
ATTRIBUTE_BODY: dict[str, Any] = {
    "description": "example description",
    "endpointConfiguration": {
        "@odata.type": "#microsoft.graph.httpRequestEndpoint",
        "targetUrl": "https://contoso.com",
    },
    "authenticationConfiguration": {
        "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
        "resourceId": "api://contoso.com/fb96de85-2abe-4b02-b45f-64ba122c509e",
    },
    "clientConfiguration": {"timeoutInMilliseconds": 2000, "maximumRetries": 1},
}
CREATE_EXAMPLE_4: dict[str, Any] = {
    "@odata.type": "#microsoft.graph.onOtpSendCustomExtension",
    "authenticationConfiguration": {
        "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
        "resourceId": "api://onotpsendcustomextension.b2c.expert/fb96de85-2abe-4b02-b45f-64ba122c509e",
    },
    "clientConfiguration": {"timeoutInMilliseconds": 2000, "maximumRetries": 1},
    "description": "Use an external Email provider to send OTP Codes.",
    "displayName": "onEmailOtpSendCustomExtension",
    "endpointConfiguration": {
        "@odata.type": "#microsoft.graph.httpRequestEndpoint",
        "targetUrl": "https://onotpsendcustomextension.b2c.expert/api/OnOTPCodeSendToTeamsDemo",
    },
    "behaviorOnError": {"@odata.type": "microsoft.graph.customExtensionBehaviorOnError"},
}
# Section 2.6, example 1: the request body and the documented answer (its trailing comma dropped).
VALIDATE_BODY: dict[str, Any] = {
    "endpointConfiguration": {
        "@odata.type": "#microsoft.graph.httpRequestEndpoint",
        "targetUrl": "https://australia.contoso.com/users",
    },
    "authenticationConfiguration": {
        "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
        "resourceId": "api://extensibilityapi.azurwebsites.net/f9c5dc6b-d72b-4226-8ccd-801f7a290428",
    },
}
VALIDATE_ANSWER: dict[str, Any] = {
    "errors": [
        {
            "code": "IncorrectResourceIdFormat",
            "message": "ResourceId should be in the format of 'api://{fully qualified domain name}/{appid}'",
        },
        {
            "code": "DomainNameDoesNotMatch",
            "message": "The fully qualified domain name in resourceId should match that of the targetUrl",
        },
        {
            "code": "ServicePrincipalNotFound",
            "message": "The appId of the resourceId should correspond to a real service principal in the tenant",
        },
    ],
    "warnings": [
        {
            "code": "PermissionNotGrantedToServicePrincipal",
            "message": "The permission CustomAuthenticationExtensions.Receive.Payload is not granted to the service "
            "principal of the resource app",
        },
    ],
}


@pytest.fixture
def graph_text_client() -> FlaskClient:
    """An emulator answering Graph's validation messages alone (no mockgraph hints), as the docs show them."""
    return create_app({"auth_mode": "off", "validation_hints": False}).test_client()


def create(client: FlaskClient, version: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(collection(version), json=body)
    assert response.status_code == 201, response.get_json()
    created: dict[str, Any] = response.get_json()
    return created


# --- 2.1 list --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_list_example_with_the_isof_filter(client: FlaskClient, version: str) -> None:
    documented = copy.deepcopy(CREATE_EXAMPLE_1)
    documented.pop("clientConfiguration")
    documented["authenticationConfiguration"]["resourceId"] = (
        "api://authenticationeventsAPI.contoso.net/a13d0fc1-04ab-4ede-b215-63de0174cbb4"
    )
    documented["endpointConfiguration"]["targetUrl"] = "https://authenticationeventsAPI.contoso.net"
    created = create(client, version, documented)
    # An extension of another subtype, which the filter leaves out.
    create(
        client,
        version,
        {**ATTRIBUTE_BODY, "@odata.type": "#microsoft.graph.onAttributeCollectionStartCustomExtension"},
    )
    response = client.get(
        collection(version),
        query_string={"$filter": "isOf('microsoft.graph.onTokenIssuanceStartCustomExtension')"},
    )
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    document = response.get_json()
    assert document["@odata.context"] == context(version, "identity/customAuthenticationExtensions")
    assert [item["id"] for item in document["value"]] == [created["id"]]
    # The docs' list item; behaviorOnError: null is added by the emulator (the create and get examples show it).
    assert without_id(document["value"][0]) == {
        "@odata.type": TOKEN_ISSUANCE_START,
        "displayName": "onTokenIssuanceStartCustomExtension",
        "description": "Fetch additional claims from custom user store",
        "clientConfiguration": None,
        "behaviorOnError": None,
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
            "resourceId": "api://authenticationeventsAPI.contoso.net/a13d0fc1-04ab-4ede-b215-63de0174cbb4",
        },
        "endpointConfiguration": {
            "@odata.type": "#microsoft.graph.httpRequestEndpoint",
            "targetUrl": "https://authenticationeventsAPI.contoso.net",
        },
        "claimsForTokenConfiguration": [
            {"claimIdInApiResponse": "DateOfBirth"},
            {"claimIdInApiResponse": "CustomRoles"},
        ],
    }


# --- 2.2 create ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_create_example_1_token_issuance_start(client: FlaskClient, version: str) -> None:
    response = client.post(collection(version), json=CREATE_EXAMPLE_1)
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    document = response.get_json()
    assert response.headers["Location"].endswith(
        f"/{version}/identity/customAuthenticationExtensions/{document['id']}"
    )
    assert without_id(document) == {"@odata.context": context(version), **CREATE_RESPONSE_1}
    assert list(document)[:3] == ["@odata.context", "@odata.type", "id"]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("subtype", "name"),
    [
        ("#microsoft.graph.onAttributeCollectionStartCustomExtension", "attributeCollectionStartName"),
        ("#microsoft.graph.onAttributeCollectionSubmitCustomExtension", "attributeCollectionSubmitName"),
    ],
)
def test_create_examples_2_and_3_attribute_collection(
    client: FlaskClient, version: str, subtype: str, name: str
) -> None:
    body = {"@odata.type": subtype, "displayName": name, **ATTRIBUTE_BODY}
    document = create(client, version, body)
    # "the request's properties echoed"; behaviorOnError: null added (the docs omit the member here).
    assert without_id(document) == {"@odata.context": context(version), **body, "behaviorOnError": None}


@pytest.mark.parametrize("version", VERSIONS)
def test_create_example_4_otp_send_with_the_abstract_behavior_on_error(
    client: FlaskClient, version: str
) -> None:
    document = create(client, version, CREATE_EXAMPLE_4)
    # The docs repeat the request; the emulator adds @odata.context and id and writes the nested type with '#'.
    expected = {
        "@odata.context": context(version),
        **CREATE_EXAMPLE_4,
        "behaviorOnError": {"@odata.type": "#microsoft.graph.customExtensionBehaviorOnError"},
    }
    assert without_id(document) == expected


def test_email_otp_how_to_body_with_a_capital_o_is_the_onotpsend_subtype(client: FlaskClient) -> None:
    body = {**CREATE_EXAMPLE_4, "@odata.type": "#microsoft.graph.OnOtpSendCustomExtension"}
    body.pop("clientConfiguration")
    document = create(client, "beta", body)
    assert document["@odata.type"] == "#microsoft.graph.onOtpSendCustomExtension"
    assert document["clientConfiguration"] is None


def test_jit_migration_how_to_creates_a_password_submit_extension(client: FlaskClient) -> None:
    # Its trailing comma after clientConfiguration is a doc typo (not JSON); the body without it.
    body = {
        **ATTRIBUTE_BODY,
        "@odata.type": "#microsoft.graph.onPasswordSubmitCustomExtension",
        "displayName": "onPasswordSubmitCustomExtension",
    }
    document = create(client, "beta", body)
    assert document["@odata.type"] == "#microsoft.graph.onPasswordSubmitCustomExtension"
    assert document["clientConfiguration"] == {"timeoutInMilliseconds": 2000, "maximumRetries": 1}


def test_woodgrove_module_sends_explicit_nulls(client: FlaskClient) -> None:
    body = {
        **ATTRIBUTE_BODY,
        "@odata.type": "#microsoft.graph.onAttributeCollectionSubmitCustomExtension",
        "displayName": "Woodgrove attribute validation",
        "behaviorOnError": None,
        "clientConfiguration": {"timeoutInMilliseconds": None, "maximumRetries": None},
    }
    document = create(client, "beta", body)
    assert document["behaviorOnError"] is None
    assert document["clientConfiguration"] == {"timeoutInMilliseconds": None, "maximumRetries": None}


def test_account_recovery_how_to_type_is_in_no_schema_and_refused(client: FlaskClient) -> None:
    body = {**ATTRIBUTE_BODY, "@odata.type": "#microsoft.graph.onAccountRecoveryCustomExtension"}
    response = client.post(collection("v1.0"), json=body)
    assert response.status_code == 400
    assert "could not be resolved" in response.get_json()["error"]["message"]
    assert client.get(collection("v1.0")).get_json()["value"] == []


# --- 2.3 get, 2.4 update, 2.5 delete -------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_get_example(client: FlaskClient, version: str) -> None:
    # The get example shows clientConfiguration null: the extension was made without one.
    body = {k: v for k, v in CREATE_EXAMPLE_1.items() if k != "clientConfiguration"}
    created = create(client, version, body)
    response = client.get(f"{collection(version)}/{created['id']}")
    assert response.status_code == 200
    document = response.get_json()
    assert document["id"] == created["id"]
    assert without_id(document) == {
        "@odata.context": context(version),
        **CREATE_RESPONSE_1,
        "clientConfiguration": None,
    }
    assert list(document) == [
        "@odata.context",
        "@odata.type",
        "id",
        "displayName",
        "description",
        "clientConfiguration",
        "behaviorOnError",
        "authenticationConfiguration",
        "endpointConfiguration",
        "claimsForTokenConfiguration",
    ]


@pytest.mark.parametrize("version", VERSIONS)
def test_update_example(client: FlaskClient, version: str) -> None:
    created = create(
        client, version, {**CREATE_EXAMPLE_1, "displayName": "before", "claimsForTokenConfiguration": []}
    )
    patch = {k: v for k, v in CREATE_EXAMPLE_1.items() if k != "clientConfiguration"}
    response = client.patch(f"{collection(version)}/{created['id']}", json=patch)
    assert response.status_code == 204
    assert response.get_data() == b""
    after = client.get(f"{collection(version)}/{created['id']}").get_json()
    # Sent properties replaced, the omitted clientConfiguration kept.
    assert without_id(after) == {"@odata.context": context(version), **CREATE_RESPONSE_1}


@pytest.mark.parametrize("version", VERSIONS)
def test_delete_example(client: FlaskClient, version: str) -> None:
    created = create(client, version, CREATE_EXAMPLE_1)
    response = client.delete(f"{collection(version)}/{created['id']}")
    assert response.status_code == 204
    assert response.get_data() == b""
    assert client.get(f"{collection(version)}/{created['id']}").status_code == 404


# --- 2.6 validateAuthenticationConfiguration -------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "action", ["validateAuthenticationConfiguration", "microsoft.graph.validateAuthenticationConfiguration"]
)
def test_validate_example_1_a_configuration_before_creating(
    graph_text_client: FlaskClient, version: str, action: str
) -> None:
    # The docs' URL lacks /identity/ and their context says /1.0/: both typos; the documented answer otherwise.
    response = graph_text_client.post(f"{collection(version)}/{action}", json=VALIDATE_BODY)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {
        "@odata.context": context(version, "microsoft.graph.authenticationConfigurationValidation"),
        **VALIDATE_ANSWER,
    }


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "action", ["validateAuthenticationConfiguration", "microsoft.graph.validateAuthenticationConfiguration"]
)
def test_validate_example_2_an_extension_by_id_without_a_body(
    graph_text_client: FlaskClient, version: str, action: str
) -> None:
    created = create(graph_text_client, version, {"@odata.type": TOKEN_ISSUANCE_START, **VALIDATE_BODY})
    # "Don't supply a request body": only Authorization is sent (no Content-Type).
    response = graph_text_client.post(f"{collection(version)}/{created['id']}/{action}")
    assert response.status_code == 200
    assert response.get_json() == {
        "@odata.context": context(version, "microsoft.graph.authenticationConfigurationValidation"),
        **VALIDATE_ANSWER,
    }


def test_validate_messages_start_with_the_documented_text_when_hints_are_on(client: FlaskClient) -> None:
    answer = client.post(
        f"{collection('v1.0')}/validateAuthenticationConfiguration", json=VALIDATE_BODY
    ).get_json()
    for kind in ("errors", "warnings"):
        assert [e["code"] for e in answer[kind]] == [e["code"] for e in VALIDATE_ANSWER[kind]]
        for found, documented in zip(answer[kind], VALIDATE_ANSWER[kind], strict=True):
            assert found["message"].startswith(documented["message"] + " (mockgraph: ")
