"""Every documented request/response example of the reference, replayed through HTTP.

Responses must equal the docs' JSON except ``id``, ``thumbprint``, ``notBefore``/``notAfter`` and
``isActive``; for those, the thumbprint is the SHA-1 of the generated certificate's DER, the dates are
its validity in whole seconds, and ``isActive`` follows the documented rule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from flask.testing import FlaskClient

from mockgraph import make_pkcs12
from mockgraph.core.certificates import GeneratedPkcs12

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def without_id(document: dict[str, Any]) -> dict[str, Any]:
    assert GUID.match(document["id"]), document["id"]
    return {key: value for key, value in document.items() if key != "id"}


def expected_entry(generated: GeneratedPkcs12, *, active: bool) -> dict[str, Any]:
    der = generated.certificate.public_bytes(serialization.Encoding.DER)
    return {
        "thumbprint": hashlib.sha1(der).hexdigest().upper(),
        "notAfter": int(generated.certificate.not_valid_after_utc.timestamp()),
        "notBefore": int(generated.certificate.not_valid_before_utc.timestamp()),
        "isActive": active,
    }


@pytest.mark.parametrize("version", ["beta", "v1.0"])
def test_create_example_1_basic_authentication(client: FlaskClient, version: str) -> None:
    request_body = {
        "displayName": "Test API",
        "targetUrl": "https://someapi.com/api",
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.basicAuthentication",
            "username": "<USERNAME>",
            "password": "<PASSWORD>",
        },
    }
    response = client.post(f"/{version}/identity/apiConnectors", json=request_body)
    assert response.status_code == 201
    assert response.mimetype == "application/json"
    assert without_id(response.get_json()) == {
        "@odata.context": f"https://graph.microsoft.com/{version}/$metadata#identity/apiConnectors/$entity",
        "displayName": "Test API",
        "targetUrl": "https://someapi.com/api",
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.basicAuthentication",
            "username": "<USERNAME>",
            "password": "******",
        },
    }


def test_create_example_2_client_certificate(client: FlaskClient) -> None:
    generated = make_pkcs12(password="<password>")
    response = client.post(
        "/beta/identity/apiConnectors",
        json={
            "displayName": "Test API",
            "targetUrl": "https://someotherapi.com/api",
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.pkcs12Certificate",
                "pkcs12Value": generated.base64,
                "password": "<password>",
            },
        },
    )
    assert response.status_code == 201
    assert without_id(response.get_json()) == {
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#identity/apiConnectors/$entity",
        "displayName": "Test API",
        "targetUrl": "https://someotherapi.com/api",
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.clientCertificateAuthentication",
            "certificateList": [expected_entry(generated, active=True)],
        },
    }


def test_get_example(client: FlaskClient) -> None:
    created = client.post(
        "/beta/identity/apiConnectors",
        json={
            "displayName": "Test API",
            "targetUrl": "https://someapi.com/api",
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.basicAuthentication",
                "username": "<USERNAME>",
                "password": "<PASSWORD>",
            },
        },
    ).get_json()
    response = client.get(f"/beta/identity/apiConnectors/{created['id']}")
    assert response.status_code == 200
    document = response.get_json()
    assert document["id"] == created["id"]
    assert without_id(document) == {
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#identity/apiConnectors/$entity",
        "displayName": "Test API",
        "targetUrl": "https://someapi.com/api",
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.basicAuthentication",
            "username": "<USERNAME>",
            "password": "******",
        },
    }


def test_list_example_rebuilt_with_create_and_upload(client: FlaskClient) -> None:
    client.post(
        "/beta/identity/apiConnectors",
        json={
            "displayName": "Test API",
            "targetUrl": "https://someapi.com/api/endpoint",
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.basicAuthentication",
                "username": "<USERNAME>",
                "password": "<PASSWORD>",
            },
        },
    )
    now = dt.datetime.now(dt.UTC)
    first = make_pkcs12(password="a", not_before=now - dt.timedelta(days=30))
    # Uploaded later but not valid yet: the first stays active (the docs' example has this shape).
    second = make_pkcs12(
        password="b", not_before=now + dt.timedelta(days=30), not_after=now + dt.timedelta(days=900)
    )
    created = client.post(
        "/beta/identity/apiConnectors",
        json={
            "displayName": "My API connector",
            "targetUrl": "https://someotherapi.com/api/endpoint",
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.pkcs12Certificate",
                "pkcs12Value": first.base64,
                "password": "a",
            },
        },
    ).get_json()
    uploaded = client.post(
        f"/beta/identity/apiConnectors/{created['id']}/uploadClientCertificate",
        json={"pkcs12Value": second.base64, "password": "b"},
    )
    assert uploaded.status_code == 200
    listing = client.get("/beta/identity/apiConnectors/")
    assert listing.status_code == 200
    document = listing.get_json()
    assert document["@odata.context"] == "https://graph.microsoft.com/beta/$metadata#identity/apiConnectors"
    assert [without_id(item) for item in document["value"]] == [
        {
            "displayName": "Test API",
            "targetUrl": "https://someapi.com/api/endpoint",
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.basicAuthentication",
                "username": "<USERNAME>",
                "password": "******",
            },
        },
        {
            "displayName": "My API connector",
            "targetUrl": "https://someotherapi.com/api/endpoint",
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.clientCertificateAuthentication",
                "certificateList": [expected_entry(first, active=True), expected_entry(second, active=False)],
            },
        },
    ]


def test_v1_list_example(client: FlaskClient) -> None:
    client.post(
        "/v1.0/identity/apiConnectors",
        json={
            "displayName": "Test API",
            "targetUrl": "https://someapi.com/api/endpoint",
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.basicAuthentication",
                "username": "<USERNAME>",
                "password": "<PASSWORD>",
            },
        },
    )
    document = client.get("/v1.0/identity/apiConnectors").get_json()
    assert document["@odata.context"] == "https://graph.microsoft.com/v1.0/$metadata#identity/apiConnectors"
    assert [without_id(item) for item in document["value"]] == [
        {
            "displayName": "Test API",
            "targetUrl": "https://someapi.com/api/endpoint",
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.basicAuthentication",
                "username": "<USERNAME>",
                "password": "******",
            },
        }
    ]


def test_update_example_1_basic_without_hash(client: FlaskClient) -> None:
    created = client.post(
        "/beta/identity/apiConnectors",
        json={
            "displayName": "Test API",
            "targetUrl": "https://someapi.com/api",
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.basicAuthentication",
                "username": "<USERNAME>",
                "password": "<PASSWORD>",
            },
        },
    ).get_json()
    response = client.patch(
        f"/beta/identity/apiConnectors/{created['id']}",
        json={
            "displayName": "New Test API",
            "targetUrl": "https://otherapi.com/api/endpoint",
            "authenticationConfiguration": {
                "@odata.type": "microsoft.graph.basicAuthentication",
                "username": "<NEW_USERNAME>",
                "password": "<NEW_PASSWORD>",
            },
        },
    )
    assert response.status_code == 204
    assert response.data == b""
    document = client.get(f"/beta/identity/apiConnectors/{created['id']}").get_json()
    assert document["displayName"] == "New Test API"
    assert document["targetUrl"] == "https://otherapi.com/api/endpoint"
    assert document["authenticationConfiguration"] == {
        "@odata.type": "#microsoft.graph.basicAuthentication",
        "username": "<NEW_USERNAME>",
        "password": "******",
    }


def test_update_example_2_switch_to_certificate(client: FlaskClient) -> None:
    created = client.post(
        "/beta/identity/apiConnectors",
        json={
            "displayName": "Test API",
            "targetUrl": "https://someapi.com/api",
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.basicAuthentication",
                "username": "<USERNAME>",
                "password": "<PASSWORD>",
            },
        },
    ).get_json()
    generated = make_pkcs12(password="secret")
    response = client.patch(
        f"/beta/identity/apiConnectors/{created['id']}",
        json={
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.pkcs12Certificate",
                "pkcs12Value": generated.base64,
                "password": "secret",
            }
        },
    )
    assert response.status_code == 204
    document = client.get(f"/beta/identity/apiConnectors/{created['id']}").get_json()
    assert document["displayName"] == "Test API"  # omitted properties keep their values
    assert document["authenticationConfiguration"] == {
        "@odata.type": "#microsoft.graph.clientCertificateAuthentication",
        "certificateList": [expected_entry(generated, active=True)],
    }


def test_delete_example(client: FlaskClient) -> None:
    created = client.post(
        "/beta/identity/apiConnectors",
        json={
            "displayName": "Test API",
            "targetUrl": "https://someapi.com/api",
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.basicAuthentication",
                "username": "<USERNAME>",
                "password": "<PASSWORD>",
            },
        },
    ).get_json()
    response = client.delete(f"/beta/identity/apiConnectors/{created['id']}")
    assert response.status_code == 204
    assert response.data == b""
    assert client.get(f"/beta/identity/apiConnectors/{created['id']}").status_code == 404


def test_upload_example_lowercase_path_returns_whole_connector(client: FlaskClient) -> None:
    now = dt.datetime.now(dt.UTC)
    first = make_pkcs12(password="<password>", not_before=now - dt.timedelta(days=400))
    second = make_pkcs12(password="<password>", not_before=now - dt.timedelta(days=1))
    created = client.post(
        "/beta/identity/apiConnectors",
        json={
            "displayName": "My API connector",
            "targetUrl": "https://api.contoso.com/endpoint",
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.pkcs12Certificate",
                "pkcs12Value": first.base64,
                "password": "<password>",
            },
        },
    ).get_json()
    response = client.post(
        f"/beta/identity/apiconnectors/{created['id']}/uploadClientCertificate",
        json={"pkcs12Value": second.base64, "password": "<password>"},
    )
    assert response.status_code == 200
    document = response.get_json()
    assert document["id"] == created["id"]
    assert uuid.UUID(document["id"]).version == 4
    assert without_id(document) == {
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#identity/apiConnectors/$entity",
        "displayName": "My API connector",
        "targetUrl": "https://api.contoso.com/endpoint",
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.clientCertificateAuthentication",
            # Both valid now: the most recently uploaded one is the active one.
            "certificateList": [expected_entry(first, active=False), expected_entry(second, active=True)],
        },
    }
