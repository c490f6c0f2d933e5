"""Custom authentication extensions under real tokens (enforce mode): the reference's section 6 permissions and
roles, personal accounts, the default app, and bad tokens."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from mockgraph import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, create_app
from mockgraph.core.config import (
    APPLICATION_ADMINISTRATOR,
    AUTHENTICATION_EXTENSIBILITY_ADMINISTRATOR,
    EXTERNAL_ID_USER_FLOW_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
    GLOBAL_READER,
)
from mockgraph.identity import BadToken, mint_token

READ = "CustomAuthenticationExtension.Read.All"
WRITE = "CustomAuthenticationExtension.ReadWrite.All"
URL = "/v1.0/identity/customAuthenticationExtensions"
BODY = {
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
VALIDATION = {k: BODY[k] for k in ("endpointConfiguration", "authenticationConfiguration")}
USER_ADMINISTRATOR = "fe930be7-5e62-47db-91af-98c3a49a38b1"


def auth(**options: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(**options)}"}


@pytest.fixture
def client() -> FlaskClient:
    return create_app().test_client()  # enforce, the default


@pytest.fixture
def extension_id(client: FlaskClient) -> str:
    created = client.post(URL, json=BODY, headers=auth(roles=[WRITE]))
    assert created.status_code == 201, created.get_json()
    object_id: str = created.get_json()["id"]
    return object_id


def reads(object_id: str) -> list[tuple[str, str, Any]]:
    return [
        ("GET", URL, None),
        ("GET", f"{URL}/$count", None),
        ("GET", f"{URL}/{object_id}", None),
        ("POST", f"{URL}/{object_id}/validateAuthenticationConfiguration", None),
        ("POST", f"{URL}/microsoft.graph.validateAuthenticationConfiguration", VALIDATION),
    ]


def writes(object_id: str) -> list[tuple[str, str, Any]]:
    return [
        ("POST", URL, BODY),
        ("PATCH", f"{URL}/{object_id}", {"@odata.type": BODY["@odata.type"], "displayName": "renamed"}),
        ("DELETE", f"{URL}/{object_id}", None),
    ]


def succeeded(response: Any) -> bool:
    return bool(response.status_code in (200, 201, 204))


@pytest.mark.parametrize("permission", [READ, WRITE])
def test_reads_and_both_validations_accept_read_or_readwrite(
    client: FlaskClient, extension_id: str, permission: str
) -> None:
    for method, path, json in reads(extension_id):
        response = client.open(path, method=method, json=json, headers=auth(roles=[permission]))
        assert succeeded(response), (method, path, response.get_json())


def test_an_app_with_only_read_cannot_write(client: FlaskClient, extension_id: str) -> None:
    for method, path, json in writes(extension_id):
        response = client.open(path, method=method, json=json, headers=auth(roles=[READ]))
        assert response.status_code == 403, (method, path)
        error = response.get_json()["error"]
        assert error["code"] == "AADB2C"
        assert error["message"] == (
            "The application does not have any of the required application permissions "
            f"({WRITE}) to access the resource."
        )
    listed = client.get(URL, headers=auth(roles=[READ])).get_json()["value"]
    assert [(item["id"], item["displayName"]) for item in listed] == [(extension_id, "Claims")]


def test_an_app_with_other_permissions_is_refused_naming_both(client: FlaskClient, extension_id: str) -> None:
    response = client.get(
        URL, headers=auth(roles=["APIConnectors.ReadWrite.All", "EventListener.ReadWrite.All"])
    )
    assert response.status_code == 403
    assert f"({READ}, {WRITE})" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "role", [AUTHENTICATION_EXTENSIBILITY_ADMINISTRATOR, APPLICATION_ADMINISTRATOR, GLOBAL_ADMINISTRATOR]
)
def test_delegated_writers(client: FlaskClient, extension_id: str, role: str) -> None:
    headers = auth(kind="user", scp=[WRITE], wids=[role])
    for method, path, json in [*reads(extension_id), *writes(extension_id)]:
        response = client.open(path, method=method, json=json, headers=headers)
        assert succeeded(response), (role, method, path, response.get_json())


def test_global_reader_reads_and_validates_but_cannot_write(client: FlaskClient, extension_id: str) -> None:
    headers = auth(kind="user", scp=[READ], wids=[GLOBAL_READER])
    for method, path, json in reads(extension_id):
        assert succeeded(client.open(path, method=method, json=json, headers=headers)), (method, path)
    writer_scope = auth(kind="user", scp=[WRITE], wids=[GLOBAL_READER])
    for method, path, json in writes(extension_id):
        response = client.open(path, method=method, json=json, headers=writer_scope)
        assert response.status_code == 403, (method, path)
        assert response.get_json()["error"]["code"] == "Authorization_RequestDenied"


@pytest.mark.parametrize("role", [EXTERNAL_ID_USER_FLOW_ADMINISTRATOR, USER_ADMINISTRATOR])
def test_delegated_without_an_extension_role_is_refused(
    client: FlaskClient, extension_id: str, role: str
) -> None:
    # The default user is an External ID User Flow Administrator: that role manages flows, not extensions.
    headers = auth(kind="user", scp=[WRITE], wids=[role])
    for method, path, json in [*reads(extension_id), *writes(extension_id)]:
        response = client.open(path, method=method, json=json, headers=headers)
        assert response.status_code == 403, (method, path)
        assert response.headers["x-mockgraph-reason"].startswith("wids claim holds none")


def test_delegated_needs_the_scope_too(client: FlaskClient, extension_id: str) -> None:
    response = client.get(URL, headers=auth(kind="user", scp=["User.Read"], wids=[GLOBAL_ADMINISTRATOR]))
    assert response.status_code == 403
    assert response.headers["x-mockgraph-reason"].startswith("scp claim holds none")


def test_personal_accounts_are_refused(client: FlaskClient, extension_id: str) -> None:
    token = mint_token(bad=BadToken.PERSONAL_ACCOUNT, scp=[WRITE], wids=[GLOBAL_ADMINISTRATOR])
    for method, path, json in reads(extension_id)[:1] + writes(extension_id)[:1]:
        response = client.open(path, method=method, json=json, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 403, (method, path)
        assert "personal Microsoft account" in response.headers["x-mockgraph-reason"]


@pytest.mark.parametrize("bad", [BadToken.EXPIRED, BadToken.TAMPERED_SIGNATURE, BadToken.ANOTHER_TENANT])
def test_bad_tokens_are_401(client: FlaskClient, extension_id: str, bad: BadToken) -> None:
    response = client.get(URL, headers=auth(bad=bad, roles=[WRITE]))
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "InvalidAuthenticationToken"
    assert client.get(URL).status_code == 401


def test_the_default_app_manages_extensions_with_a_token_from_the_token_endpoint(client: FlaskClient) -> None:
    token = client.post(
        f"/{DEFAULT_TENANT_ID}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": DEFAULT_CLIENT_ID,
            "client_secret": DEFAULT_CLIENT_SECRET,
            "scope": "https://graph.microsoft.com/.default",
        },
    ).get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post(URL, json=BODY, headers=headers)
    assert created.status_code == 201
    assert client.get(URL, headers=headers).status_code == 200
    assert client.delete(f"{URL}/{created.get_json()['id']}", headers=headers).status_code == 204
    # A token minted with the defaults works too (its roles are the default grants).
    assert client.post(URL, json=BODY, headers=auth()).status_code == 201
