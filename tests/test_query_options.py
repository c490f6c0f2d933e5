"""OData query options on the connector collection and item, through HTTP (and paging itself, as a unit)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from mockgraph.core.odata_parsing import CollectionQuery
from mockgraph.resources.connectors import query as odata
from tests.support import assert_graph_error

NAMES = ["Bravo", "alpha", "Charlie", "delta", "Echo"]


@pytest.fixture
def five(create_connector: Callable[..., dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        create_connector(displayName=name, targetUrl=f"https://{name.lower()}.example/api") for name in NAMES
    ]


def names(document: dict[str, Any]) -> list[str]:
    return [item["displayName"] for item in document["value"]]


def follow(client: FlaskClient, link: str) -> dict[str, Any]:
    parts = urlsplit(link)
    assert parts.scheme == "http"
    assert parts.netloc == "localhost"
    response = client.get(parts.path, query_string=parts.query)
    assert response.status_code == 200
    document: dict[str, Any] = response.get_json()
    return document


def test_select_on_list_and_get(client: FlaskClient, five: list[dict[str, Any]]) -> None:
    listing = client.get("/beta/identity/apiConnectors?$select=displayName,targetUrl").get_json()
    assert listing["@odata.context"].endswith("#identity/apiConnectors(displayName,targetUrl)")
    assert all(set(item) == {"displayName", "targetUrl"} for item in listing["value"])
    item = client.get(f"/v1.0/identity/apiConnectors/{five[0]['id']}?$select=id").get_json()
    assert item == {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#identity/apiConnectors(id)/$entity",
        "id": five[0]["id"],
    }


def test_select_of_unknown_property_is_400(client: FlaskClient, five: list[dict[str, Any]]) -> None:
    assert_graph_error(
        client.get("/beta/identity/apiConnectors?$select=displayName,secret"),
        400,
        "BadRequest",
        "Could not find a property named 'secret' on type 'microsoft.graph.identityApiConnector'.",
    )
    assert_graph_error(
        client.get(f"/beta/identity/apiConnectors/{five[0]['id']}?$select=nope"), 400, "BadRequest"
    )


def test_top_pages_with_next_link_on_the_callers_host(
    client: FlaskClient, five: list[dict[str, Any]]
) -> None:
    first = client.get("/beta/identity/apiConnectors?$top=2&$select=displayName").get_json()
    assert names(first) == ["Bravo", "alpha"]
    link = first["@odata.nextLink"]
    assert link.startswith("http://localhost/beta/identity/apiConnectors?")
    assert "$select=displayName" in link
    second = follow(client, link)
    assert names(second) == ["Charlie", "delta"]
    third = follow(client, second["@odata.nextLink"])
    assert names(third) == ["Echo"]
    assert "@odata.nextLink" not in third


def test_next_link_keeps_version(client: FlaskClient, five: list[dict[str, Any]]) -> None:
    link = client.get("/v1.0/identity/apiConnectors?$top=4").get_json()["@odata.nextLink"]
    assert urlsplit(link).path == "/v1.0/identity/apiConnectors"
    assert "$skiptoken" in parse_qs(urlsplit(link).query)


def test_skip_count_and_orderby(client: FlaskClient, five: list[dict[str, Any]]) -> None:
    document = client.get(
        "/beta/identity/apiConnectors?$orderby=displayName desc&$skip=1&$count=true"
    ).get_json()
    assert document["@odata.count"] == 5
    assert names(document) == ["delta", "Charlie", "Bravo", "alpha"]
    ascending = client.get("/beta/identity/apiConnectors?$orderby=displayName").get_json()
    assert names(ascending) == ["alpha", "Bravo", "Charlie", "delta", "Echo"]


def test_count_is_total_before_paging(client: FlaskClient, five: list[dict[str, Any]]) -> None:
    document = client.get("/beta/identity/apiConnectors?$top=1&$count=true").get_json()
    assert document["@odata.count"] == 5
    assert len(document["value"]) == 1


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("displayName eq 'alpha'", ["alpha"]),
        ("displayName eq 'ALPHA'", ["alpha"]),
        ("displayName ne 'alpha'", ["Bravo", "Charlie", "delta", "Echo"]),
        ("startswith(displayName,'c')", ["Charlie"]),
        ("startswith(targetUrl, 'https://d') or displayName eq 'Echo'", ["delta", "Echo"]),
        ("startswith(displayName,'e') and targetUrl eq 'https://echo.example/api'", ["Echo"]),
        ("(displayName eq 'alpha' or displayName eq 'Bravo') and not_a_word eq 'x'", None),
        ("(displayName eq 'alpha' or displayName eq 'Bravo') and targetUrl ne 'x'", ["Bravo", "alpha"]),
        ("displayName eq 'it''s'", []),
    ],
)
def test_filter_subset(
    client: FlaskClient, five: list[dict[str, Any]], expression: str, expected: list[str] | None
) -> None:
    response = client.get("/beta/identity/apiConnectors", query_string={"$filter": expression})
    if expected is None:
        assert_graph_error(response, 400, "BadRequest")
    else:
        assert response.status_code == 200, response.get_json()
        assert names(response.get_json()) == expected


def test_filter_on_id_and_count_endpoint(client: FlaskClient, five: list[dict[str, Any]]) -> None:
    wanted = five[2]["id"]
    document = client.get(
        "/beta/identity/apiConnectors", query_string={"$filter": f"id eq '{wanted}'"}
    ).get_json()
    assert [item["id"] for item in document["value"]] == [wanted]
    counted = client.get(
        "/beta/identity/apiConnectors/$count", query_string={"$filter": "startswith(displayName,'d')"}
    )
    assert counted.status_code == 200
    assert counted.mimetype == "text/plain"
    assert counted.data == b"1"


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"$top": "-1"}, 400, "BadRequest"),
        ({"$top": "abc"}, 400, "BadRequest"),
        ({"$top": "0"}, 400, "Request_UnsupportedQuery"),
        ({"$top": "1000"}, 400, "Request_UnsupportedQuery"),
        ({"$skip": "x"}, 400, "BadRequest"),
        ({"$count": "yes"}, 400, "BadRequest"),
        ({"$orderby": "displayName sideways"}, 400, "BadRequest"),
        ({"$orderby": "authenticationConfiguration"}, 400, "Request_UnsupportedQuery"),
        ({"$orderby": "nope"}, 400, "BadRequest"),
        ({"$filter": "displayName gt 'a'"}, 400, "Request_UnsupportedQuery"),
        ({"$filter": "endswith(displayName,'a')"}, 400, "Request_UnsupportedQuery"),
        ({"$filter": "displayName eq"}, 400, "BadRequest"),
        ({"$filter": "displayName eq alpha"}, 400, "BadRequest"),
        ({"$filter": "displayName eq 'a' and"}, 400, "BadRequest"),
        ({"$filter": "(displayName eq 'a'"}, 400, "BadRequest"),
        ({"$filter": "displayName ! 'a'"}, 400, "BadRequest"),
        ({"$filter": ""}, 400, "BadRequest"),
        ({"$filter": "secret eq 'a'"}, 400, "BadRequest"),
        ({"$search": '"alpha"'}, 400, "Request_UnsupportedQuery"),
        ({"$expand": "authenticationConfiguration"}, 400, "BadRequest"),
        ({"$frobnicate": "1"}, 400, "BadRequest"),
        ({"$skiptoken": "garbage!"}, 400, "BadRequest"),
    ],
)
def test_malformed_or_unsupported_options_are_400(
    client: FlaskClient, five: list[dict[str, Any]], query: dict[str, str], status: int, code: str
) -> None:
    assert_graph_error(client.get("/beta/identity/apiConnectors", query_string=query), status, code)


def test_duplicate_option_is_400(client: FlaskClient) -> None:
    assert_graph_error(client.get("/beta/identity/apiConnectors?$top=1&$top=2"), 400, "BadRequest")


def test_expand_star_is_a_no_op(client: FlaskClient, five: list[dict[str, Any]]) -> None:
    assert len(client.get("/beta/identity/apiConnectors?$expand=*").get_json()["value"]) == 5


def test_dollar_prefix_optional_on_beta_only(client: FlaskClient, five: list[dict[str, Any]]) -> None:
    beta = client.get("/beta/identity/apiConnectors?top=1").get_json()
    assert len(beta["value"]) == 1
    v1 = client.get("/v1.0/identity/apiConnectors?top=1").get_json()
    assert len(v1["value"]) == 5  # a custom parameter on v1.0, which Graph ignores


def test_get_only_accepts_select_and_expand(client: FlaskClient, five: list[dict[str, Any]]) -> None:
    assert_graph_error(
        client.get(f"/beta/identity/apiConnectors/{five[0]['id']}?$top=1"), 400, "Request_UnsupportedQuery"
    )


def test_paging_returns_new_lists_and_leaves_the_records_it_was_given_alone() -> None:
    records: list[dict[str, Any]] = [{"id": "b"}, {"id": "a"}, {"id": "c"}]
    plain = odata.parse_list({}, "beta")
    assert plain == CollectionQuery()  # one shared, frozen query
    assert odata.parse_list({}, "beta") is plain
    page, total, next_offset = odata.apply(records, plain)
    assert (page, total, next_offset) == (records, 3, None)
    assert page is not records
    page, total, next_offset = odata.apply(records, odata.parse_list({"orderby": "id", "top": "2"}, "beta"))
    assert (page, total, next_offset) == ([{"id": "a"}, {"id": "b"}], 3, 2)
    page, _, _ = odata.apply(records, odata.parse_list({"skip": "1"}, "beta"))
    assert page == [{"id": "a"}, {"id": "c"}]
    assert records == [{"id": "b"}, {"id": "a"}, {"id": "c"}]
