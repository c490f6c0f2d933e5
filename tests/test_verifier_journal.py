"""The journal helper: a downstream test asserts its client sent only contract-valid requests."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from mockgraph import create_app, make_pkcs12
from mockgraph.identity import mint_token
from mockgraph.testing.request_checks import (
    ContractViolation,
    assert_requests_match_contracts,
    check_requests,
)
from mockgraph.web.hooks import journal_of
from tests.support import BASIC_BODY

AUTH = {"Authorization": f"Bearer {mint_token()}"}
COLLECTION = "/beta/identity/apiConnectors"


@pytest.fixture
def app() -> Flask:
    return create_app()


def test_a_well_behaved_client_passes(app: Flask) -> None:
    client = app.test_client()
    created = client.post(COLLECTION, json=BASIC_BODY, headers=AUTH).get_json()
    bundle = make_pkcs12(password="pw", key_type="ec")
    client.get(COLLECTION, query_string={"$top": "5", "$select": "id,displayName"}, headers=AUTH)
    client.get(f"/v1.0/identity/apiConnectors/{created['id']}", headers=AUTH)
    client.patch(f"{COLLECTION}/{created['id']}", json={"displayName": "renamed"}, headers=AUTH)
    upload = {"pkcs12Value": bundle.base64, "password": "pw"}
    client.post(f"{COLLECTION}/{created['id']}/uploadClientCertificate", json=upload, headers=AUTH)
    client.get(f"{COLLECTION}/$count", headers=AUTH)
    client.delete(f"{COLLECTION}/{created['id']}", headers=AUTH)
    entries = journal_of(app).export()
    assert len(entries) == 7
    assert all("<PASSWORD>" not in str(entry) for entry in entries)  # the journal is redacted...
    assert check_requests(entries) == []  # ...and redacted bodies still satisfy their contracts
    assert_requests_match_contracts(entries)


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "problem"),
    [
        (
            "POST",
            COLLECTION,
            {"json": {**BASIC_BODY, "colour": "blue"}},
            "The property 'colour' does not exist",
        ),
        (
            "POST",
            COLLECTION,
            {"json": {**BASIC_BODY, "displayName": 42}},
            "Cannot convert the value of property 'displayName'",
        ),
        (
            "POST",
            COLLECTION,
            {"json": {"displayName": "x", "targetUrl": "y"}},
            "'authenticationConfiguration' is required",
        ),
        ("PATCH", f"{COLLECTION}/abc", {"json": {"id": 5}}, "identityApiConnectorUpdate at $.id"),
        ("GET", COLLECTION, {"query_string": {"$search": "x"}}, "query refused (Request_UnsupportedQuery"),
        ("GET", COLLECTION, {"query_string": {"$top": "0"}}, "query refused"),
        ("GET", "/beta/identity/apiConnectorz", {}, "not an operation Graph serves (400 BadRequest"),
        ("PUT", f"{COLLECTION}/abc", {"json": {}}, "not an operation Graph serves (405"),
        (
            "POST",
            f"{COLLECTION}/abc/uploadClientCertificate",
            {"json": {"pkcs12Value": "x", "password": "", "thumbprint": "ABC"}},
            "The property 'thumbprint' does not exist",
        ),
    ],
)
def test_each_contract_breach_is_reported(
    app: Flask, method: str, path: str, kwargs: dict[str, Any], problem: str
) -> None:
    app.test_client().open(path, method=method, headers=AUTH, **kwargs)
    violations = check_requests(journal_of(app).export())
    assert len(violations) >= 1
    assert problem in violations[0].describe(), violations
    with pytest.raises(AssertionError, match="break the contracts"):
        assert_requests_match_contracts(journal_of(app).export())


def test_non_graph_requests_are_ignored_and_plain_dicts_work() -> None:
    entries = [
        {"method": "POST", "path": "/a7c0ffee-0000-4000-8000-000000000001/oauth2/v2.0/token", "json": None},
        {"method": "GET", "path": "/_mockgraph/openapi.json"},
        {"method": "GET", "path": "/beta/identity/apiConnectors", "query": "$filter=displayName eq 'a'"},
        {"method": "GET", "path": "/beta/identity/apiConnectors", "query": "$filter=displayName gt 'a'"},
        {"method": "DELETE", "path": "/beta/identity/apiConnectors/x", "json": {"unexpected": True}},
    ]
    violations = check_requests(entries)
    assert [(v.index, v.problem.split(" (")[0]) for v in violations] == [
        (3, "query refused"),
        (4, "a DELETE request carries a body"),
    ]
    with pytest.raises(ContractViolation) as raised:
        assert_requests_match_contracts(entries)
    assert raised.value.violations == violations
