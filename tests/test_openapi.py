"""The served OpenAPI document: what it is, where it is, and that its refusal notes are true."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from flask.testing import FlaskClient

from mockgraph import create_app
from mockgraph.admin.openapi import OPENAPI_PATH, build_openapi
from mockgraph.cli.main import main
from mockgraph.identity import mint_token

AUTH = {"Authorization": f"Bearer {mint_token()}"}


@pytest.fixture
def client() -> FlaskClient:
    return create_app().test_client()


def test_the_document_is_served_without_a_token(client: FlaskClient) -> None:
    response = client.get(OPENAPI_PATH)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == build_openapi()


def test_mockgraph_openapi_prints_the_served_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi"]) == 0
    assert json.loads(capsys.readouterr().out) == build_openapi()


def test_mockgraph_openapi_can_write_a_file(tmp_path: Any) -> None:
    target = tmp_path / "openapi.json"
    assert main(["openapi", "--output", str(target)]) == 0
    assert json.loads(target.read_text()) == build_openapi()


def test_the_document_is_valid_openapi_3_1() -> None:
    document = build_openapi()
    assert document["openapi"].startswith("3.1")
    schemathesis.openapi.from_dict(document).validate()


def test_every_reference_resolves() -> None:
    document = build_openapi()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            reference = node.get("$ref")
            if reference is not None:
                target: Any = document
                for part in reference.removeprefix("#/").split("/"):
                    assert part in target, reference
                    target = target[part]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document)


def test_the_schemas_are_the_contracts_with_local_references() -> None:
    schemas = build_openapi()["components"]["schemas"]
    assert schemas["basicAuthentication"]["properties"]["password"] == {"const": "******"}
    text = json.dumps(schemas)
    assert '.json"' not in text  # no reference names a contract file
    assert "$id" not in text


# (parameter, value, path suffix) the document says the emulator refuses, and values it accepts.
REFUSED = [
    ("$top", "0", ""),
    ("$top", "1000", ""),
    ("$search", "anything", ""),
    ("$search", "anything", "/$count"),
    ("$filter", "displayName gt 'a'", ""),
    ("$orderby", "authenticationConfiguration", ""),
]
ACCEPTED = [
    ("$top", "5", ""),
    ("$skip", "1", ""),
    ("$count", "true", ""),
    ("$filter", "startswith(displayName,'a')", ""),
    ("$orderby", "displayName desc", ""),
    ("$select", "id,displayName", ""),
    ("$expand", "*", ""),
    ("$filter", "displayName eq 'a'", "/$count"),
]


@pytest.mark.parametrize(("name", "value", "suffix"), REFUSED)
def test_refused_parameters_are_documented_and_refused(
    client: FlaskClient, name: str, value: str, suffix: str
) -> None:
    parameter = next(p for p in build_openapi()["components"]["parameters"].values() if p["name"] == name)
    assert "x-mockgraph-refuses" in parameter
    response = client.get(f"/beta/identity/apiConnectors{suffix}", query_string={name: value}, headers=AUTH)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] in ("BadRequest", "Request_UnsupportedQuery")


@pytest.mark.parametrize(("name", "value", "suffix"), ACCEPTED)
def test_accepted_parameters_are_accepted(client: FlaskClient, name: str, value: str, suffix: str) -> None:
    response = client.get(f"/beta/identity/apiConnectors{suffix}", query_string={name: value}, headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)


def test_every_operation_documents_its_refusals() -> None:
    for item in build_openapi()["paths"].values():
        for method, operation in item.items():
            if method in ("parameters", "servers"):
                continue
            assert {"400", "401", "403", "default"} <= set(operation["responses"])
            if "requestBody" in operation:
                assert {"413", "415"} <= set(operation["responses"])
