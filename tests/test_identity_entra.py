"""The Entra endpoints over HTTP: discovery, key sets, user realm and the token endpoint's grants and errors."""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockgraph.core.config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_GRANTS,
    DEFAULT_TENANT_DOMAIN,
    DEFAULT_TENANT_ID,
    DEFAULT_USER_NAME,
    DEFAULT_USER_OBJECT_ID,
    DEFAULT_USER_PASSWORD,
    EXTERNAL_ID_USER_FLOW_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
    READ_ALL,
    READ_WRITE_ALL,
    AppRegistration,
    MockGraphConfig,
    Tenant,
    UserAccount,
)
from mockgraph.core.principal import AuthMode
from mockgraph.identity import Gatekeeper
from mockgraph.identity.directory import service_principal_id
from mockgraph.resources import CATALOG
from mockgraph.web.entra import register_entra_routes

GRAPH_DEFAULT = "https://graph.microsoft.com/.default"
TENANT_B = "b0b0b0b0-0000-4000-8000-000000000002"
READER = AppRegistration(
    client_id="reader-app-0000-0000-000000000001",
    client_secret="reader-secret",
    tenant_id=TENANT_B,
    display_name="reader",
    application_permissions=(READ_ALL,),
    delegated_scopes=(READ_ALL,),
)
ADMIN = UserAccount(
    username="admin@b.example",
    password="admin-password",
    object_id="b0b0b0b0-0000-4000-8000-0000000000b2",
    tenant_id=TENANT_B,
    directory_roles=(GLOBAL_ADMINISTRATOR,),
)


def make_client(mode: AuthMode = AuthMode.ENFORCE) -> tuple[FlaskClient, Gatekeeper]:
    config = MockGraphConfig(auth_mode=mode)
    config = config.with_overrides(
        tenants=(*config.tenants, Tenant(TENANT_B, "b.example")),
        apps=(*config.apps, READER),
        users=(*config.users, ADMIN),
    )
    app = Flask(__name__)
    gatekeeper = Gatekeeper(config, catalog=CATALOG)
    register_entra_routes(app, gatekeeper)
    return app.test_client(), gatekeeper


@pytest.fixture
def client() -> FlaskClient:
    return make_client()[0]


def claims_of(token: str) -> dict[str, Any]:
    result: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return result


def client_credentials(client: FlaskClient, tenant: str = DEFAULT_TENANT_ID, **form: str) -> Any:
    data = {
        "grant_type": "client_credentials",
        "client_id": DEFAULT_CLIENT_ID,
        "client_secret": DEFAULT_CLIENT_SECRET,
        "scope": GRAPH_DEFAULT,
        **form,
    }
    return client.post(f"/{tenant}/oauth2/v2.0/token", data={k: v for k, v in data.items() if v})


def password_grant(client: FlaskClient, tenant: str = DEFAULT_TENANT_ID, **form: str) -> Any:
    data = {
        "grant_type": "password",
        "client_id": DEFAULT_CLIENT_ID,
        "username": DEFAULT_USER_NAME,
        "password": DEFAULT_USER_PASSWORD,
        "scope": f"{GRAPH_DEFAULT} openid profile offline_access",
        **form,
    }
    return client.post(f"/{tenant}/oauth2/v2.0/token", data={k: v for k, v in data.items() if v})


# Discovery and keys -------------------------------------------------------------------------------


@pytest.mark.parametrize("segment", [DEFAULT_TENANT_ID, DEFAULT_TENANT_DOMAIN, DEFAULT_TENANT_DOMAIN.upper()])
def test_v2_discovery_points_at_the_emulator_itself(client: FlaskClient, segment: str) -> None:
    response = client.get(
        f"/{segment}/v2.0/.well-known/openid-configuration", base_url="http://127.0.0.1:4567"
    )
    assert response.status_code == 200
    doc = response.json
    assert doc is not None
    root = f"http://127.0.0.1:4567/{DEFAULT_TENANT_ID}"
    assert doc["token_endpoint"] == f"{root}/oauth2/v2.0/token"
    assert doc["authorization_endpoint"] == f"{root}/oauth2/v2.0/authorize"
    assert doc["jwks_uri"] == f"{root}/discovery/v2.0/keys"
    assert doc["issuer"] == f"https://login.microsoftonline.com/{DEFAULT_TENANT_ID}/v2.0"
    assert doc["tenant_region_scope"] == "NA"
    assert "code" in doc["response_types_supported"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]


@pytest.mark.parametrize("segment", ["common", "organizations"])
def test_tenantless_discovery_uses_entras_placeholder(client: FlaskClient, segment: str) -> None:
    doc = client.get(f"/{segment}/v2.0/.well-known/openid-configuration").json
    assert doc is not None
    assert doc["issuer"] == "https://login.microsoftonline.com/{tenantid}/v2.0"
    assert doc["token_endpoint"] == f"http://localhost/{segment}/oauth2/v2.0/token"
    assert doc["tenant_region_scope"] is None


def test_v1_discovery_names_the_graph_token_issuer(client: FlaskClient) -> None:
    doc = client.get(f"/{DEFAULT_TENANT_ID}/.well-known/openid-configuration").json
    assert doc is not None
    assert doc["issuer"] == f"https://sts.windows.net/{DEFAULT_TENANT_ID}/"
    assert doc["jwks_uri"] == "http://localhost/common/discovery/keys"


@pytest.mark.parametrize(
    "path",
    [
        "/nope.example/v2.0/.well-known/openid-configuration",
        "/0badc0de-0000-4000-8000-00000000dead/.well-known/openid-configuration",
        "/nope.example/discovery/v2.0/keys",
    ],
)
def test_unknown_tenant_discovery_is_entras_invalid_tenant(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers={"client-request-id": "abc-123"})
    assert response.status_code == 400
    body = response.json
    assert body is not None
    assert body["error"] == "invalid_tenant"
    assert body["error_codes"] == [90002]
    assert body["error_description"].startswith("AADSTS90002: Tenant '")
    assert body["correlation_id"] == "abc-123"
    assert response.headers["x-mockgraph-reason"]


@pytest.mark.parametrize("path", [f"/{DEFAULT_TENANT_ID}/discovery/v2.0/keys", "/common/discovery/keys"])
def test_key_sets_hold_the_signing_key(path: str) -> None:
    client, gatekeeper = make_client()
    keys = (client.get(path).json or {})["keys"]
    assert [k["kid"] for k in keys] == [gatekeeper.key.kid]
    assert keys[0]["kty"] == "RSA"
    assert keys[0]["use"] == "sig"
    assert "d" not in keys[0]  # never the private part


def test_user_realm_says_managed_for_registered_domains(client: FlaskClient) -> None:
    assert (client.get(f"/common/userrealm/{DEFAULT_USER_NAME}?api-version=1.0").json or {})[
        "account_type"
    ] == "Managed"
    assert (client.get("/common/userrealm/x@unknown.example").json or {})["account_type"] == "Unknown"


def test_issued_token_validates_with_pyjwt_from_discovery_and_jwks_alone(client: FlaskClient) -> None:
    token = (client_credentials(client).json or {})["access_token"]
    discovery = client.get(f"/{DEFAULT_TENANT_ID}/.well-known/openid-configuration").json or {}
    jwks = client.get(urlsplit(discovery["jwks_uri"]).path).json or {}
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(jwt.PyJWK(k) for k in jwks["keys"] if k["kid"] == kid)
    claims = jwt.decode(
        token,
        key.key,
        algorithms=discovery["id_token_signing_alg_values_supported"],
        audience="https://graph.microsoft.com",
        issuer=discovery["issuer"],
    )
    assert claims["tid"] == DEFAULT_TENANT_ID


# Client credentials --------------------------------------------------------------------------------


def test_client_credentials_issue_the_apps_granted_permissions(client: FlaskClient) -> None:
    response = client_credentials(client)
    assert response.status_code == 200
    body = response.json
    assert body is not None
    assert set(body) == {"token_type", "expires_in", "ext_expires_in", "access_token"}
    assert (body["token_type"], body["expires_in"], body["ext_expires_in"]) == ("Bearer", 3599, 3599)
    claims = claims_of(body["access_token"])
    assert claims["roles"] == list(DEFAULT_GRANTS)
    assert claims["roles"][:2] == [READ_WRITE_ALL, "IdentityUserFlow.ReadWrite.All"]
    assert (claims["idtyp"], claims["appid"], claims["tid"]) == ("app", DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID)
    assert "no-store" in response.headers["Cache-Control"]


def test_client_credentials_with_basic_auth_and_the_app_id_scope(client: FlaskClient) -> None:
    basic = base64.b64encode(f"{READER.client_id}:{READER.client_secret}".encode()).decode()
    response = client.post(
        "/b.example/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "scope": "00000003-0000-0000-c000-000000000000/.default"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200
    claims = claims_of((response.json or {})["access_token"])
    assert (claims["tid"], claims["roles"]) == (TENANT_B, [READ_ALL])
    assert claims["oid"] == service_principal_id(READER)


def test_tenantless_client_credentials_use_the_apps_home_tenant(client: FlaskClient) -> None:
    response = client_credentials(
        client, "organizations", client_id=READER.client_id, client_secret="reader-secret"
    )
    assert claims_of((response.json or {})["access_token"])["tid"] == TENANT_B


def test_token_from_the_endpoint_is_accepted_by_the_gatekeeper() -> None:
    client, gatekeeper = make_client()
    token = (client_credentials(client).json or {})["access_token"]
    assert gatekeeper.authenticate(f"Bearer {token}").application_permissions == set(DEFAULT_GRANTS)


ERRORS: list[tuple[str, dict[str, str], int, str, int]] = [
    (DEFAULT_TENANT_ID, {"grant_type": ""}, 400, "invalid_request", 900144),
    (DEFAULT_TENANT_ID, {"grant_type": "authorization_code"}, 400, "unsupported_grant_type", 70003),
    (DEFAULT_TENANT_ID, {"client_id": ""}, 400, "invalid_request", 900144),
    (DEFAULT_TENANT_ID, {"scope": ""}, 400, "invalid_request", 900144),
    ("nope.example", {}, 400, "invalid_request", 90002),
    ("0badc0de-0000-4000-8000-00000000dead", {}, 400, "invalid_request", 90002),
    (DEFAULT_TENANT_ID, {"client_id": "no-such-app"}, 400, "unauthorized_client", 700016),
    (TENANT_B, {}, 400, "unauthorized_client", 700016),  # the default app lives in the default tenant
    (DEFAULT_TENANT_ID, {"client_secret": ""}, 401, "invalid_client", 7000218),
    (DEFAULT_TENANT_ID, {"client_secret": "Sup3rSecretTypo"}, 401, "invalid_client", 7000215),
    (DEFAULT_TENANT_ID, {"scope": "https://graph.microsoft.com/User.Read"}, 400, "invalid_scope", 1002012),
    (DEFAULT_TENANT_ID, {"scope": f"{GRAPH_DEFAULT} openid"}, 400, "invalid_scope", 1002012),
    (DEFAULT_TENANT_ID, {"scope": "https://vault.azure.net/.default"}, 400, "invalid_resource", 500011),
]


@pytest.mark.parametrize(("tenant", "form", "status", "error", "code"), ERRORS)
def test_client_credentials_errors_have_entras_shape(
    client: FlaskClient, tenant: str, form: dict[str, str], status: int, error: str, code: int
) -> None:
    response = client_credentials(client, tenant, **form)
    assert response.status_code == status
    body = response.json
    assert body is not None
    assert set(body) == {
        "error",
        "error_description",
        "error_codes",
        "timestamp",
        "trace_id",
        "correlation_id",
        "error_uri",
    }
    assert (body["error"], body["error_codes"]) == (error, [code])
    assert re.fullmatch(
        rf"AADSTS{code}: .+\r\nTrace ID: {body['trace_id']}\r\nCorrelation ID: {body['correlation_id']}\r\n"
        rf"Timestamp: \d{{4}}-\d\d-\d\d \d\d:\d\d:\d\dZ",
        body["error_description"],
        flags=re.DOTALL,
    )
    assert body["timestamp"] in body["error_description"]
    assert response.headers["x-mockgraph-reason"]
    assert DEFAULT_CLIENT_SECRET not in response.get_data(as_text=True)
    assert "Sup3rSecretTypo" not in response.get_data(as_text=True) + str(response.headers)


# Password grant -----------------------------------------------------------------------------------


def test_password_grant_issues_a_delegated_token(client: FlaskClient) -> None:
    response = password_grant(client, client_info="1")
    assert response.status_code == 200
    body = response.json
    assert body is not None
    assert body["scope"] == " ".join(
        [*(f"https://graph.microsoft.com/{g}" for g in DEFAULT_GRANTS), "openid profile"]
    )
    claims = claims_of(body["access_token"])
    assert claims["idtyp"] == "user"
    assert claims["scp"] == " ".join(DEFAULT_GRANTS)
    assert claims["wids"] == [EXTERNAL_ID_USER_FLOW_ADMINISTRATOR]
    assert (claims["oid"], claims["upn"]) == (DEFAULT_USER_OBJECT_ID, DEFAULT_USER_NAME)
    id_claims = claims_of(body["id_token"])
    assert (id_claims["aud"], id_claims["preferred_username"]) == (DEFAULT_CLIENT_ID, DEFAULT_USER_NAME)
    info = json.loads(base64.urlsafe_b64decode(body["client_info"] + "=="))
    assert info == {"uid": DEFAULT_USER_OBJECT_ID, "utid": DEFAULT_TENANT_ID}


def test_password_grant_with_a_specific_granted_scope(client: FlaskClient) -> None:
    response = password_grant(
        client,
        "b.example",
        client_id=READER.client_id,
        username=ADMIN.username,
        password=ADMIN.password,
        scope=f"https://graph.microsoft.com/{READ_ALL}",
    )
    claims = claims_of((response.json or {})["access_token"])
    assert (claims["scp"], claims["wids"], claims["tid"]) == (READ_ALL, [GLOBAL_ADMINISTRATOR], TENANT_B)
    assert "id_token" not in (response.json or {})


def test_password_grant_on_organizations_finds_the_users_tenant(client: FlaskClient) -> None:
    response = password_grant(
        client, "organizations", client_id=READER.client_id, username=ADMIN.username, password=ADMIN.password
    )
    assert claims_of((response.json or {})["access_token"])["tid"] == TENANT_B


PASSWORD_ERRORS: list[tuple[dict[str, str], int, str, int]] = [
    ({"password": "Sup3rSecretTypo"}, 400, "invalid_grant", 50126),
    ({"username": "ghost@mockgraph.onmicrosoft.com"}, 400, "invalid_grant", 50034),
    ({"username": ADMIN.username, "password": ADMIN.password}, 400, "invalid_grant", 50034),  # other tenant
    ({"username": ""}, 400, "invalid_request", 900144),
    ({"password": ""}, 400, "invalid_request", 900144),
    ({"scope": ""}, 400, "invalid_request", 900144),
    ({"client_secret": "Sup3rSecretTypo"}, 401, "invalid_client", 7000215),
    ({"scope": "https://graph.microsoft.com/Directory.ReadWrite.All"}, 400, "invalid_grant", 65001),
    ({"scope": "https://vault.azure.net/user_impersonation"}, 400, "invalid_scope", 70011),
]


@pytest.mark.parametrize(("form", "status", "error", "code"), PASSWORD_ERRORS)
def test_password_grant_errors(
    client: FlaskClient, form: dict[str, str], status: int, error: str, code: int
) -> None:
    response = password_grant(client, **form)
    body = response.json
    assert body is not None
    assert (response.status_code, body["error"], body["error_codes"]) == (status, error, [code])
    text = response.get_data(as_text=True)
    assert DEFAULT_USER_PASSWORD not in text
    assert "Sup3rSecretTypo" not in response.get_data(as_text=True) + str(response.headers)


# Non-enforcing modes --------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", [AuthMode.PERMISSIVE, AuthMode.OFF])
def test_non_enforcing_modes_issue_full_tokens_to_anyone(mode: AuthMode) -> None:
    client, _ = make_client(mode)
    app_token = client_credentials(client, client_id="whoever", client_secret="anything").json or {}
    assert claims_of(app_token["access_token"])["roles"] == list(CATALOG.application_permissions())
    user_token = password_grant(
        client, username="someone@else.example", password="x", client_id="whoever"
    ).json
    claims = claims_of((user_token or {})["access_token"])
    assert set(claims["scp"].split()) == set(CATALOG.delegated_scopes())
    assert {READ_ALL, READ_WRITE_ALL} <= set(claims["scp"].split())
    assert set(claims["wids"]) == set(CATALOG.directory_roles())
    assert {EXTERNAL_ID_USER_FLOW_ADMINISTRATOR, GLOBAL_ADMINISTRATOR} <= set(claims["wids"])
    guid = "33333333-3333-4333-8333-333333333333"
    other = client_credentials(client, guid, client_id="whoever", client_secret="anything").json or {}
    assert claims_of(other["access_token"])["tid"] == guid


def test_reason_header_survives_non_latin_usernames(client: FlaskClient) -> None:
    response = password_grant(client, username="jürgen.ñandú@例え.example")
    assert response.status_code == 400
    assert response.headers["x-mockgraph-reason"].isascii()
