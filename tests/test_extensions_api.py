"""Custom authentication extensions over HTTP: query options, PATCH semantics, the subtype rule, the per-tenant
limit, tenant isolation, and the stored record other resources read."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient

from mockgraph import create_app
from mockgraph.core.config import DEFAULT_TENANT_ID
from mockgraph.identity import mint_token
from mockgraph.resources.extensions.model import COLLECTION, SUBTYPES
from mockgraph.web.state import EmulatorState

URL = "/v1.0/identity/customAuthenticationExtensions"
TOKEN = "#microsoft.graph.onTokenIssuanceStartCustomExtension"
OTP = "#microsoft.graph.onOtpSendCustomExtension"
AUTHENTICATION = {
    "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
    "resourceId": "api://api.contoso.example/0b8d5a2e-6c1f-4e3a-9d7b-2f4c6e8a0b1d",
}
OTHER_TENANT = "4b1d7c3e-8f7a-4c55-9d0e-2f6b8a9c0d11"


def body(kind: str = TOKEN, **overrides: Any) -> dict[str, Any]:
    return {"@odata.type": kind, "authenticationConfiguration": AUTHENTICATION, **overrides}


def create(client: FlaskClient, kind: str = TOKEN, **overrides: Any) -> dict[str, Any]:
    response = client.post(URL, json=body(kind, **overrides))
    assert response.status_code == 201, response.get_json()
    created: dict[str, Any] = response.get_json()
    return created


def error(response: Any) -> dict[str, Any]:
    envelope: dict[str, Any] = response.get_json()["error"]
    assert set(envelope) == {"code", "message", "innerError"}
    return envelope


@pytest.fixture
def three(client: FlaskClient) -> list[dict[str, Any]]:
    return [
        create(client, TOKEN, displayName="Claims", description="hr"),
        create(client, OTP, displayName="Codes"),
        create(client, "#microsoft.graph.onAttributeCollectionStartCustomExtension", displayName="Collect"),
    ]


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["displayName"] for item in response.get_json()["value"]]


@pytest.mark.parametrize("subtype", SUBTYPES)
def test_every_subtype_round_trips_with_its_type(client: FlaskClient, subtype: str) -> None:
    created = create(client, subtype, displayName="x")
    assert created["@odata.type"] == subtype
    assert ("claimsForTokenConfiguration" in created) is (subtype == TOKEN)
    fetched = client.get(f"{URL}/{created['id']}").get_json()
    assert fetched == created
    listed = client.get(URL).get_json()["value"]
    assert listed == [{k: v for k, v in created.items() if k != "@odata.context"}]


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("microsoft.graph.onOtpSendCustomExtension", OTP),
        ("#Microsoft.Graph.OnOtpSendCustomExtension", OTP),
        ("#MICROSOFT.GRAPH.ONTOKENISSUANCESTARTCUSTOMEXTENSION", TOKEN),
        ("  #microsoft.graph.onTokenIssuanceStartCustomExtension ", TOKEN),
    ],
)
def test_type_names_match_case_insensitively_and_come_back_canonical(
    client: FlaskClient, spelling: str, canonical: str
) -> None:
    nested = {**AUTHENTICATION, "@odata.type": "MICROSOFT.GRAPH.AZUREADTOKENAUTHENTICATION"}
    response = client.post(URL, json={"@odata.type": spelling, "authenticationConfiguration": nested})
    assert response.status_code == 201, response.get_json()
    document = response.get_json()
    assert document["@odata.type"] == canonical
    assert (
        document["authenticationConfiguration"]["@odata.type"]
        == "#microsoft.graph.azureAdTokenAuthentication"
    )


def test_the_stored_record_is_the_extension_as_rendered(client: FlaskClient, state: EmulatorState) -> None:
    created = create(client, TOKEN, displayName="Claims")
    stored = state.store.get(DEFAULT_TENANT_ID, COLLECTION, created["id"])
    assert stored == {k: v for k, v in created.items() if k != "@odata.context"}


# --- list options -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("isOf('microsoft.graph.onTokenIssuanceStartCustomExtension')", ["Claims"]),
        ("isof('#microsoft.graph.onOtpSendCustomExtension')", ["Codes"]),
        ("isOf(microsoft.graph.onOtpSendCustomExtension)", ["Codes"]),
        ("isOf('microsoft.graph.customAuthenticationExtension')", ["Claims", "Codes", "Collect"]),
        ("not isOf('microsoft.graph.onOtpSendCustomExtension')", ["Claims", "Collect"]),
        ("displayName eq 'codes'", ["Codes"]),
        ("startswith(displayName, 'C') and description eq null", ["Codes", "Collect"]),
        ("description ne null or isOf('microsoft.graph.onOtpSendCustomExtension')", ["Claims", "Codes"]),
        (
            "(displayName eq 'Claims' or displayName eq 'Collect') and not startswith(displayName,'Cl')",
            ["Collect"],
        ),
    ],
)
def test_filter(
    client: FlaskClient, three: list[dict[str, Any]], expression: str, expected: list[str]
) -> None:
    assert names(client.get(URL, query_string={"$filter": expression})) == expected


def test_filter_by_id(client: FlaskClient, three: list[dict[str, Any]]) -> None:
    wanted = three[1]["id"].upper()
    assert names(client.get(URL, query_string={"$filter": f"id eq '{wanted}'"})) == ["Codes"]


@pytest.mark.parametrize(
    ("expression", "code"),
    [
        ("isOf('microsoft.graph.user')", "BadRequest"),
        ("isOf('microsoft.graph.onTokenIssuanceStart')", "BadRequest"),
        ("isOf()", "BadRequest"),
        ("displayName gt 'a'", "Request_UnsupportedQuery"),
        ("endswith(displayName, 'a')", "Request_UnsupportedQuery"),
        ("clientConfiguration eq null", "Request_UnsupportedQuery"),
        ("colour eq 'red'", "BadRequest"),
        ("displayName eq", "BadRequest"),
        ("displayName eq 'a' and", "BadRequest"),
        ("", "BadRequest"),
    ],
)
def test_bad_filters_are_graphs_400(client: FlaskClient, expression: str, code: str) -> None:
    response = client.get(URL, query_string={"$filter": expression})
    assert response.status_code == 400
    assert error(response)["code"] == code


def test_select_keeps_the_type_and_the_selected_properties(
    client: FlaskClient, three: list[dict[str, Any]]
) -> None:
    response = client.get(URL, query_string={"$select": "displayName,claimsForTokenConfiguration"})
    document = response.get_json()
    assert document["@odata.context"].endswith(
        "#identity/customAuthenticationExtensions(displayName,claimsForTokenConfiguration)"
    )
    assert document["value"] == [
        {"@odata.type": TOKEN, "displayName": "Claims", "claimsForTokenConfiguration": []},
        {"@odata.type": OTP, "displayName": "Codes"},
        {
            "@odata.type": "#microsoft.graph.onAttributeCollectionStartCustomExtension",
            "displayName": "Collect",
        },
    ]
    one = client.get(f"{URL}/{three[0]['id']}", query_string={"$select": "id,description"}).get_json()
    assert one == {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identity/customAuthenticationExtensions(id,description)/$entity",
        "@odata.type": TOKEN,
        "id": three[0]["id"],
        "description": "hr",
    }
    assert client.get(URL, query_string={"$select": "colour"}).status_code == 400


def test_top_pages_with_next_links_to_the_end(client: FlaskClient) -> None:
    for index in range(5):
        create(client, OTP, displayName=f"n{index}")
    seen: list[str] = []
    url: str | None = f"{URL}?$top=2&$count=true&$filter=isOf('microsoft.graph.onOtpSendCustomExtension')"
    pages = 0
    while url is not None and pages < 10:
        parts = urlsplit(url)
        document = client.get(f"{parts.path}?{parts.query}").get_json()
        assert document["@odata.count"] == 5
        seen += [item["displayName"] for item in document["value"]]
        url = document.get("@odata.nextLink")
        pages += 1
    assert seen == [f"n{index}" for index in range(5)]
    assert pages == 3


def test_orderby_skip_and_count(client: FlaskClient, three: list[dict[str, Any]]) -> None:
    assert names(client.get(URL, query_string={"$orderby": "displayName desc"})) == [
        "Collect",
        "Codes",
        "Claims",
    ]
    assert names(client.get(URL, query_string={"$orderby": "displayName", "$skip": "1"})) == [
        "Codes",
        "Collect",
    ]
    assert client.get(URL, query_string={"$orderby": "clientConfiguration"}).status_code == 400
    count = client.get(f"{URL}/$count", query_string={"$filter": "startswith(displayName,'C')"})
    assert (count.status_code, count.mimetype, count.get_data(as_text=True)) == (200, "text/plain", "3")
    assert client.get(f"{URL}/$count", query_string={"$top": "1"}).status_code == 400
    assert client.get(URL, query_string={"$search": "x"}).status_code == 400
    assert client.get(URL, query_string={"$expand": "*"}).status_code == 200
    assert client.get(URL, query_string={"$expand": "handler"}).status_code == 400


# --- update and delete ---------------------------------------------------------------------------------------


def test_patch_replaces_sent_properties_whole_and_keeps_the_rest(client: FlaskClient) -> None:
    created = create(
        client,
        TOKEN,
        displayName="Claims",
        clientConfiguration={"timeoutInMilliseconds": 1500, "maximumRetries": 1},
        endpointConfiguration={
            "@odata.type": "#microsoft.graph.httpRequestEndpoint",
            "targetUrl": "https://a.example",
        },
    )
    patch = {
        "@odata.type": "microsoft.graph.onTokenIssuanceStartCustomExtension",
        "clientConfiguration": {"timeoutInMilliseconds": 500},
        "endpointConfiguration": None,
        "description": "now described",
    }
    assert client.patch(f"{URL}/{created['id']}", json=patch).status_code == 204
    after = client.get(f"{URL}/{created['id']}").get_json()
    assert after["displayName"] == "Claims"
    assert after["description"] == "now described"
    assert after["clientConfiguration"] == {"timeoutInMilliseconds": 500, "maximumRetries": None}
    assert after["endpointConfiguration"] is None
    assert after["authenticationConfiguration"] == AUTHENTICATION
    assert after["id"] == created["id"]


def test_patch_cannot_change_the_subtype(client: FlaskClient) -> None:
    created = create(client, TOKEN, displayName="Claims")
    response = client.patch(f"{URL}/{created['id']}", json={"@odata.type": OTP, "displayName": "Codes"})
    assert response.status_code == 400
    envelope = error(response)
    assert envelope["code"] == "BadRequest"
    assert "cannot be changed" in envelope["message"]
    assert "microsoft.graph.onTokenIssuanceStartCustomExtension" in envelope["message"]
    assert response.headers["x-mockgraph-reason"].startswith("PATCH would change the subtype")
    assert client.get(f"{URL}/{created['id']}").get_json() == created


def test_patch_without_the_type_is_refused_and_changes_nothing(client: FlaskClient) -> None:
    created = create(client, TOKEN, displayName="Claims")
    response = client.patch(f"{URL}/{created['id']}", json={"displayName": "x"})
    assert response.status_code == 400
    assert "@odata.type" in error(response)["message"]
    assert client.get(f"{URL}/{created['id']}").get_json() == created


@pytest.mark.parametrize(
    ("method", "suffix", "json"),
    [
        ("GET", "", None),
        ("PATCH", "", {"@odata.type": TOKEN}),
        ("DELETE", "", None),
        ("POST", "/validateAuthenticationConfiguration", None),
    ],
)
def test_unknown_ids_are_404(client: FlaskClient, method: str, suffix: str, json: Any) -> None:
    unknown = "8d7c6b5a-4f3e-4d2c-9b1a-0f9e8d7c6b5a"
    response = client.open(f"{URL}/{unknown}{suffix}", method=method, json=json)
    assert response.status_code == 404
    assert error(response)["code"] == "Request_ResourceNotFound"
    assert unknown in error(response)["message"]


def test_delete_then_the_collection_is_empty(client: FlaskClient) -> None:
    created = create(client)
    assert client.delete(f"{URL}/{created['id'].upper()}").status_code == 204
    assert client.get(URL).get_json()["value"] == []
    assert client.delete(f"{URL}/{created['id']}").status_code == 404


def test_methods_the_paths_do_not_serve_are_405(client: FlaskClient) -> None:
    created = create(client)
    put = client.put(f"{URL}/{created['id']}", json=body())
    assert (put.status_code, put.headers["Allow"]) == (405, "GET, PATCH, DELETE")
    get = client.get(f"{URL}/validateAuthenticationConfiguration")
    assert (get.status_code, get.headers["Allow"]) == (405, "POST")
    assert client.delete(URL).status_code == 405


# --- limit and tenants -----------------------------------------------------------------------------------------


def test_the_101st_extension_is_refused_and_not_stored(state: EmulatorState, client: FlaskClient) -> None:
    for index in range(100):
        create(client, OTP, displayName=f"e{index}")
    response = client.post(URL, json=body(OTP, displayName="one too many"))
    assert response.status_code == 400
    envelope = error(response)
    assert envelope["code"] == "QuotaExceeded"
    assert envelope["message"] == (
        "The maximum number of custom authentication extensions (100) for this tenant has been reached."
    )
    assert state.store.count(DEFAULT_TENANT_ID, COLLECTION) == 100
    # Deleting one makes room again; another tenant has its own 100.
    first = client.get(URL, query_string={"$top": "1"}).get_json()["value"][0]
    assert client.delete(f"{URL}/{first['id']}").status_code == 204
    assert client.post(URL, json=body(OTP)).status_code == 201
    other = {"Authorization": f"Bearer {mint_token(tenant_id=OTHER_TENANT)}"}
    assert client.post(URL, json=body(OTP), headers=other).status_code == 201


def test_the_limit_is_a_setting() -> None:
    client = create_app({"auth_mode": "off", "extension_limit": 1}).test_client()
    assert client.post(URL, json=body()).status_code == 201
    refused = client.post(URL, json=body())
    assert refused.status_code == 400
    assert "(1)" in refused.get_json()["error"]["message"]


def test_tenants_are_isolated() -> None:
    app = create_app({"auth_mode": "permissive"})
    client = app.test_client()
    mine = {"Authorization": f"Bearer {mint_token()}"}
    theirs = {"Authorization": f"Bearer {mint_token(tenant_id=OTHER_TENANT)}"}
    created = client.post(URL, json=body(), headers=mine).get_json()
    assert client.get(URL, headers=theirs).get_json()["value"] == []
    assert client.get(f"{URL}/$count", headers=theirs).get_data(as_text=True) == "0"
    for method, suffix, json in (
        ("GET", "", None),
        ("PATCH", "", {"@odata.type": TOKEN, "displayName": "hijacked"}),
        ("POST", "/validateAuthenticationConfiguration", None),
        ("DELETE", "", None),
    ):
        response = client.open(f"{URL}/{created['id']}{suffix}", method=method, json=json, headers=theirs)
        assert response.status_code == 404, (method, suffix)
    assert client.get(f"{URL}/{created['id']}", headers=mine).get_json() == created


def test_extensions_survive_a_restart_with_a_state_file_and_keep_the_limit(tmp_path: Any) -> None:
    config = {"auth_mode": "off", "extension_limit": 2, "state_path": tmp_path / "state.db"}
    first = create_app(config).test_client()
    created = [create(first, OTP, displayName=f"e{index}") for index in range(2)]
    again = create_app(config).test_client()
    assert again.get(URL).get_json()["value"] == [
        {k: v for k, v in item.items() if k != "@odata.context"} for item in created
    ]
    refused = again.post(URL, json=body(OTP))
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (400, "QuotaExceeded")
