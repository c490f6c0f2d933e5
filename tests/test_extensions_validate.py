"""validateAuthenticationConfiguration judged against the emulator's directory: each error and the warning from a
directory state, the hints that say what to add where, service principals from the TOML file, seeds and snapshots,
and the strict-writes switch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockgraph import create_app
from mockgraph.core.config import (
    AUTHENTICATION_EVENTS_APP_ID,
    DEFAULT_TENANT_ID,
    RECEIVE_PAYLOAD,
    AppRegistration,
    MockGraphConfig,
    ServicePrincipal,
    Tenant,
)
from mockgraph.identity import Directory, mint_token
from mockgraph.server.settings import ConfigError, load_settings
from mockgraph.web.state import state_of

URL = "/beta/identity/customAuthenticationExtensions"
ACTION = f"{URL}/validateAuthenticationConfiguration"
APP_ID = "b7a3c1d2-5e4f-4a6b-8c9d-0e1f2a3b4c5d"
HOST = "claims.contoso.example"
RESOURCE_ID = f"api://{HOST}/{APP_ID}"
OTHER_TENANT = "4b1d7c3e-8f7a-4c55-9d0e-2f6b8a9c0d11"
ERRORS = ("IncorrectResourceIdFormat", "DomainNameDoesNotMatch", "ServicePrincipalNotFound")
WARNING = "PermissionNotGrantedToServicePrincipal"


def api_app(**changes: Any) -> AppRegistration:
    values: dict[str, Any] = {
        "client_id": APP_ID,
        "client_secret": "unused",
        "identifier_uris": (RESOURCE_ID,),
        "access_token_accepted_version": 2,
        "application_permissions": (RECEIVE_PAYLOAD,),
        **changes,
    }
    return AppRegistration(**values)


def emulator(*apps: AppRegistration, **config: Any) -> FlaskClient:
    defaults = MockGraphConfig()
    settings = MockGraphConfig(
        auth_mode="off",  # type: ignore[arg-type]
        tenants=(*defaults.tenants, Tenant(OTHER_TENANT)),
        apps=(*defaults.apps, *apps),
        **config,
    )
    return create_app(settings).test_client()


def configuration(
    resource_id: str | None = RESOURCE_ID, target: str = f"https://{HOST}/api/start"
) -> dict[str, Any]:
    # Without a resourceId: the proof-of-possession configuration, which has none.
    authentication: dict[str, Any] = {"@odata.type": "#microsoft.graph.azureAdPopTokenAuthentication"}
    if resource_id is not None:
        authentication = {
            "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
            "resourceId": resource_id,
        }
    return {
        "endpointConfiguration": {"@odata.type": "#microsoft.graph.httpRequestEndpoint", "targetUrl": target},
        "authenticationConfiguration": authentication,
    }


def validate(
    client: FlaskClient, body: dict[str, Any], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    response = client.post(ACTION, json=body, headers=headers or {})
    assert response.status_code == 200, response.get_json()
    answer: dict[str, Any] = response.get_json()
    return answer


def codes(answer: dict[str, Any]) -> tuple[list[str], list[str]]:
    return [e["code"] for e in answer["errors"]], [w["code"] for w in answer["warnings"]]


def test_a_sound_configuration_has_empty_lists() -> None:
    answer = validate(emulator(api_app()), configuration())
    assert answer == {
        "@odata.context": "https://graph.microsoft.com/beta/$metadata#microsoft.graph.authenticationConfigurationValidation",
        "errors": [],
        "warnings": [],
    }


def test_hosts_and_uris_compare_case_insensitively() -> None:
    body = configuration(f"API://{HOST.upper()}/{APP_ID.upper()}/", f"https://{HOST.title()}:8443/x?code=abc")
    assert codes(validate(emulator(api_app()), body)) == ([], [])


def test_a_resource_id_not_among_the_apps_identifier_uris() -> None:
    client = emulator(api_app(identifier_uris=(f"api://{APP_ID}",)))
    answer = validate(client, configuration())
    assert codes(answer) == (["IncorrectResourceIdFormat"], [])
    message = answer["errors"][0]["message"]
    assert message.startswith(
        "ResourceId should be in the format of 'api://{fully qualified domain name}/{appid}'"
    )
    assert f"app {APP_ID} in tenant {DEFAULT_TENANT_ID} has identifierUris 'api://{APP_ID}'" in message
    assert f"add '{RESOURCE_ID}' to its identifier_uris" in message
    assert "[[apps]] in the TOML configuration, or apps[] in a seed" in message


@pytest.mark.parametrize(
    ("resource_id", "expected"),
    [
        (APP_ID, ["IncorrectResourceIdFormat", "DomainNameDoesNotMatch"]),
        (f"api://{APP_ID}", ["IncorrectResourceIdFormat", "DomainNameDoesNotMatch"]),
        (
            f"https://{HOST}/{APP_ID}",
            ["IncorrectResourceIdFormat", "DomainNameDoesNotMatch", "ServicePrincipalNotFound"],
        ),
        (
            f"api://{HOST}/not-a-guid",
            ["IncorrectResourceIdFormat", "DomainNameDoesNotMatch", "ServicePrincipalNotFound"],
        ),
        (None, ["IncorrectResourceIdFormat", "DomainNameDoesNotMatch", "ServicePrincipalNotFound"]),
    ],
)
def test_malformed_resource_ids(resource_id: str | None, expected: list[str]) -> None:
    answer = validate(emulator(api_app()), configuration(resource_id))
    errors, warnings = codes(answer)
    assert errors == expected
    # A bare appId still names the app, whose service principal is found and granted.
    assert warnings == ([] if "ServicePrincipalNotFound" not in expected else [WARNING])


def test_a_host_other_than_the_target_urls() -> None:
    answer = validate(emulator(api_app()), configuration(target="https://elsewhere.example/api"))
    assert codes(answer) == (["DomainNameDoesNotMatch"], [])
    assert (
        f"the resourceId's host is '{HOST}', the targetUrl's is 'elsewhere.example'"
        in answer["errors"][0]["message"]
    )


def test_an_app_without_a_service_principal() -> None:
    answer = validate(emulator(api_app(has_service_principal=False)), configuration())
    assert codes(answer) == (["ServicePrincipalNotFound"], [WARNING])
    assert "with has_service_principal = false" in answer["errors"][0]["message"]


def test_an_app_no_one_registered() -> None:
    answer = validate(emulator(), configuration())
    assert codes(answer) == (["IncorrectResourceIdFormat", "ServicePrincipalNotFound"], [WARNING])
    message = answer["errors"][1]["message"]
    assert f"tenant {DEFAULT_TENANT_ID} has no service principal for appId {APP_ID}" in message
    assert "[[service_principals]] in the TOML configuration, or servicePrincipals[] in a seed" in message
    assert "there is no service principal to grant it to" in answer["warnings"][0]["message"]


def test_the_permission_not_granted_is_a_warning_only() -> None:
    answer = validate(emulator(api_app(application_permissions=("User.Read.All",))), configuration())
    assert codes(answer) == ([], [WARNING])
    message = answer["warnings"][0]["message"]
    assert message.startswith(
        "The permission CustomAuthenticationExtensions.Receive.Payload is not granted to the service principal of "
        "the resource app (mockgraph: "
    )
    assert (
        f"is not granted {RECEIVE_PAYLOAD}; add it to the application_permissions of app {APP_ID}" in message
    )


@pytest.mark.parametrize(
    "grant",
    [
        RECEIVE_PAYLOAD,
        "customauthenticationextension.receive.payload",
        "CustomAuthenticationExtensions.Receive.Payload",
        "214e810f-fda8-4fd7-a475-29461495eb00",
    ],
)
def test_the_grant_by_value_plural_spelling_or_app_role_id(grant: str) -> None:
    assert codes(validate(emulator(api_app(application_permissions=(grant,))), configuration())) == ([], [])


def test_an_app_registered_in_another_tenant_is_not_found_here() -> None:
    client = emulator(api_app(tenant_id=OTHER_TENANT))
    mine = validate(client, configuration())
    assert codes(mine) == (["IncorrectResourceIdFormat", "ServicePrincipalNotFound"], [WARNING])
    theirs = validate(
        client, configuration(), {"Authorization": f"Bearer {mint_token(tenant_id=OTHER_TENANT)}"}
    )
    assert codes(theirs) == ([], [])


def test_a_service_principal_of_an_app_registered_elsewhere() -> None:
    principal = ServicePrincipal(
        app_id=APP_ID, application_permissions=(RECEIVE_PAYLOAD,), service_principal_names=(RESOURCE_ID,)
    )
    client = emulator(service_principals=(principal,))
    assert codes(validate(client, configuration())) == ([], [])
    ungranted = emulator(
        service_principals=(ServicePrincipal(app_id=APP_ID, service_principal_names=(RESOURCE_ID,)),)
    )
    answer = validate(ungranted, configuration())
    assert codes(answer) == ([], [WARNING])
    assert "the application_permissions of the service principal" in answer["warnings"][0]["message"]


def test_the_authentication_events_principal_exists_in_every_tenant() -> None:
    directory = Directory(MockGraphConfig(tenants=(Tenant(DEFAULT_TENANT_ID), Tenant(OTHER_TENANT))))
    for tenant in (DEFAULT_TENANT_ID, OTHER_TENANT):
        principal = directory.service_principal(tenant, AUTHENTICATION_EVENTS_APP_ID)
        assert principal is not None
        assert principal.tenant_id == tenant
        assert principal.display_name == "Azure AD Authentication Extensions"
    assert (
        directory.service_principal("0badc0de-0000-4000-8000-00000000dead", AUTHENTICATION_EVENTS_APP_ID)
        is None
    )


def test_without_hints_the_messages_are_graphs_alone() -> None:
    answer = validate(emulator(validation_hints=False), configuration())
    assert [e["message"] for e in answer["errors"]] == [
        "ResourceId should be in the format of 'api://{fully qualified domain name}/{appid}'",
        "The appId of the resourceId should correspond to a real service principal in the tenant",
    ]


def test_the_bound_action_judges_the_stored_configuration_after_a_patch() -> None:
    client = emulator(api_app())
    body = {"@odata.type": "#microsoft.graph.onOtpSendCustomExtension", **configuration()}
    created = client.post(URL, json=body).get_json()
    bound = f"{URL}/{created['id']}/validateAuthenticationConfiguration"
    assert codes(client.post(bound).get_json()) == ([], [])
    patch = {"@odata.type": body["@odata.type"], "endpointConfiguration": None}
    assert client.patch(f"{URL}/{created['id']}", json=patch).status_code == 204
    answer = client.post(bound).get_json()
    assert codes(answer) == (["DomainNameDoesNotMatch"], [])
    assert "the targetUrl (none) has no host" in answer["errors"][0]["message"]
    pop = {
        "@odata.type": body["@odata.type"],
        "authenticationConfiguration": {"@odata.type": "#microsoft.graph.azureAdPopTokenAuthentication"},
    }
    assert client.patch(f"{URL}/{created['id']}", json=pop).status_code == 204
    assert codes(client.post(bound).get_json()) == (list(ERRORS), [WARNING])


# --- the directory from the TOML file, seeds and snapshots ---------------------------------------------------------

TOML = f"""
[[apps]]
client_id = "{APP_ID}"
client_secret = "unused"
identifier_uris = ["{RESOURCE_ID}"]
access_token_accepted_version = 2
application_permissions = ["{RECEIVE_PAYLOAD}"]

[[service_principals]]
app_id = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"
display_name = "A multi-tenant API"
application_permissions = ["{RECEIVE_PAYLOAD}"]
service_principal_names = ["api://multi.contoso.example/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"]
"""


def test_the_toml_configuration_registers_the_api_app_and_principals(tmp_path: Path) -> None:
    path = tmp_path / "mockgraph.toml"
    path.write_text(
        # Top-level settings before the first [[table]]: TOML puts later keys in the table.
        "extension_limit = 3\nvalidation_hints = false\nstrict_extension_writes = true\n" + TOML
    )
    config = load_settings({}, environ={}, config_file=path).to_config()
    assert (config.extension_limit, config.validation_hints, config.strict_extension_writes) == (
        3,
        False,
        True,
    )
    assert config.apps[-1].identifier_uris == (RESOURCE_ID,)
    assert config.apps[-1].access_token_accepted_version == 2
    client = create_app(config.with_overrides(auth_mode="off")).test_client()
    assert codes(validate(client, configuration())) == ([], [])
    multi = configuration(
        "api://multi.contoso.example/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b", "https://multi.contoso.example/x"
    )
    assert codes(validate(client, multi)) == ([], [])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            '[[apps]]\nclient_id = "x"\nclient_secret = "y"\naccess_token_accepted_version = 3\n',
            "must be 1, 2 or absent",
        ),
        (
            '[[apps]]\nclient_id = "x"\nclient_secret = "y"\nhas_service_principal = "yes"\n',
            "must be true or false",
        ),
        (
            '[[service_principals]]\napp_id = "x"\ntenant_id = "0badc0de-0000-4000-8000-00000000dead"\n',
            "unknown tenant",
        ),
        ('[[service_principals]]\napp_id = "x"\ncolour = "red"\n', "unknown key 'colour'"),
    ],
)
def test_bad_directory_entries_in_toml_are_one_line_errors(tmp_path: Path, extra: str, message: str) -> None:
    path = tmp_path / "mockgraph.toml"
    path.write_text(extra)
    with pytest.raises(ConfigError, match=message):
        load_settings({}, environ={}, config_file=path)


SEED: dict[str, Any] = {
    "apps": [
        {
            "clientId": APP_ID,
            "clientSecret": "unused",
            "identifierUris": [RESOURCE_ID],
            "accessTokenAcceptedVersion": 2,
            "applicationPermissions": [RECEIVE_PAYLOAD],
        }
    ],
    "servicePrincipals": [{"appId": "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b", "displayName": "Multi"}],
    "customAuthenticationExtensions": [
        {
            "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtension",
            "displayName": "Seeded",
            **configuration(),
        }
    ],
}


def seeded_app() -> Flask:
    app = create_app({"auth_mode": "off"})
    response = app.test_client().post("/_mockgraph/seed", json=SEED)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["added"] == {
        "tenants": 0,
        "apps": 1,
        "users": 0,
        "objects": 1,
        "servicePrincipals": 1,
    }
    return app


def test_a_seed_adds_the_api_app_principals_and_extensions() -> None:
    client = seeded_app().test_client()
    listed = client.get(URL).get_json()["value"]
    assert [(e["@odata.type"], e["displayName"]) for e in listed] == [
        ("#microsoft.graph.onTokenIssuanceStartCustomExtension", "Seeded")
    ]
    bound = client.post(f"{URL}/{listed[0]['id']}/validateAuthenticationConfiguration").get_json()
    assert codes(bound) == ([], [])


def test_a_snapshot_carries_them_and_seeds_back() -> None:
    snapshot = seeded_app().test_client().get("/_mockgraph/snapshot?secrets=true").get_json()
    apps = [app for app in snapshot["apps"] if app["clientId"] == APP_ID]
    assert apps[0]["identifierUris"] == [RESOURCE_ID]
    assert apps[0]["accessTokenAcceptedVersion"] == 2
    assert apps[0]["hasServicePrincipal"] is True
    assert [p["appId"] for p in snapshot["servicePrincipals"]] == ["5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"]
    extensions = snapshot["data"][DEFAULT_TENANT_ID]["customAuthenticationExtensions"]
    assert [e["displayName"] for e in extensions] == ["Seeded"]
    restored = create_app({"auth_mode": "off"})
    assert restored.test_client().post("/_mockgraph/seed", json=snapshot).status_code == 200
    client = restored.test_client()
    assert client.get(URL).get_json()["value"] == extensions
    assert codes(validate(client, configuration())) == ([], [])
    assert state_of(restored).gatekeeper.directory.service_principal(DEFAULT_TENANT_ID, APP_ID) is not None


@pytest.mark.parametrize(
    ("seed", "message"),
    [
        (
            {
                "customAuthenticationExtensions": [
                    {"@odata.type": "#microsoft.graph.customAuthenticationExtension"}
                ]
            },
            "abstract",
        ),
        ({"customAuthenticationExtensions": {"x": "not a list"}}, "must be a list of create bodies"),
        (
            {"apps": [{"clientId": "x", "clientSecret": "y", "accessTokenAcceptedVersion": "2"}]},
            "must be 1, 2 or absent",
        ),
        (
            {"servicePrincipals": [{"appId": "x", "tenantId": "0badc0de-0000-4000-8000-00000000dead"}]},
            "unknown tenant",
        ),
    ],
)
def test_bad_seeds_add_nothing(seed: dict[str, Any], message: str) -> None:
    app = create_app({"auth_mode": "off"})
    client = app.test_client()
    response = client.post(
        "/_mockgraph/seed",
        json={
            **seed,
            "customAuthenticationExtensions": seed.get(
                "customAuthenticationExtensions", [SEED["customAuthenticationExtensions"][0]]
            ),
        },
    )
    assert response.status_code == 400
    assert message in response.get_json()["error"]["message"]
    assert client.get(URL).get_json()["value"] == []


def test_a_seed_over_the_limit_adds_nothing() -> None:
    app = create_app({"auth_mode": "off", "extension_limit": 2})
    client = app.test_client()
    bodies = SEED["customAuthenticationExtensions"] * 3
    response = client.post("/_mockgraph/seed", json={"customAuthenticationExtensions": bodies})
    assert response.status_code == 400
    assert "adds 3 custom authentication extensions" in response.get_json()["error"]["message"]
    assert client.get(URL).get_json()["value"] == []


# --- strict writes ---------------------------------------------------------------------------------------------


def test_strict_writes_refuse_what_would_not_validate() -> None:
    client = emulator(api_app(), strict_extension_writes=True)
    good = {"@odata.type": "#microsoft.graph.onOtpSendCustomExtension", **configuration()}
    created = client.post(URL, json=good)
    assert created.status_code == 201
    for bad in (
        {**good, **configuration(target="https://elsewhere.example")},
        {**good, **configuration(target=f"http://{HOST}/api")},
        {**good, **configuration(f"api://{HOST}/0b8d5a2e-6c1f-4e3a-9d7b-2f4c6e8a0b1d")},
    ):
        response = client.post(URL, json=bad)
        assert response.status_code == 400, bad
        assert response.get_json()["error"]["message"].startswith(
            "The custom authentication extension's configuration is not valid: "
        )
    http = client.post(URL, json={**good, **configuration(target=f"http://{HOST}/api")})
    assert "must be a valid URL that starts with https" in http.get_json()["error"]["message"]
    object_id = created.get_json()["id"]
    patch = {"@odata.type": good["@odata.type"], "endpointConfiguration": None}
    assert client.patch(f"{URL}/{object_id}", json=patch).status_code == 400
    assert client.get(f"{URL}/{object_id}").get_json() == created.get_json()
    assert len(client.get(URL).get_json()["value"]) == 1
    # A missing grant is a warning, not an error: strict writes accept it.
    lax = emulator(api_app(application_permissions=()), strict_extension_writes=True)
    assert lax.post(URL, json=good).status_code == 201


def test_writes_are_lax_by_default() -> None:
    client = emulator()
    body = {
        "@odata.type": "#microsoft.graph.onOtpSendCustomExtension",
        **configuration("nonsense", "ftp://x"),
    }
    assert client.post(URL, json=body).status_code == 201
