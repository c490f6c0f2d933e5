"""The served OpenAPI document and the contracts agree with Microsoft's official description where it speaks.

The official subset describes ``/identity/apiConnectors`` only, so "agree" means: the connector paths of the
served document are exactly the official ones; its other (user-flow, listener and External ID user-flow) paths are
outside the subset.

The official subsets are copied unedited into ``tests/data/official`` (see the README there).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mockgraph.admin.openapi import build_openapi
from mockgraph.core.contracts import shared_contracts

OFFICIAL_DIR = Path(__file__).parent / "data" / "official"
VERSIONS = ["beta", "v1.0"]
METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}
CONNECTORS = "/identity/apiConnectors"


def official(version: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(
        (OFFICIAL_DIR / f"graph-{version}-apiconnectors.openapi.yaml").read_text()
    )
    return document


def resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def parameters(document: dict[str, Any], path: str, method: str) -> set[tuple[str, str, bool]]:
    item = document["paths"][path]
    found = [*item.get("parameters", []), *item[method].get("parameters", [])]
    resolved = (resolve(document, parameter) for parameter in found)
    return {(p["name"], p["in"], bool(p.get("required", False))) for p in resolved}


def operations(document: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {
        (path, method): operation["operationId"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def connector_operations(document: dict[str, Any]) -> dict[tuple[str, str], str]:
    return {key: value for key, value in operations(document).items() if key[0].startswith(CONNECTORS)}


@pytest.mark.parametrize("version", VERSIONS)
def test_paths_and_operations_are_the_official_ones(version: str) -> None:
    # The subset holds connector paths only; the served document's connector paths are exactly those.
    assert operations(official(version)) == connector_operations(official(version))
    assert connector_operations(build_openapi()) == operations(official(version))


OTHER_RESOURCES = (
    "/identity/b2xUserFlows",
    "/identity/b2cUserFlows",
    "/identity/authenticationEventListeners",
    "/identity/authenticationEventsFlows",
    "/identity/customAuthenticationExtensions",
)


def test_every_other_path_is_a_user_flow_extension_or_listener_path() -> None:
    # The official subset covers /identity/apiConnectors only; the others are checked against the app in
    # test_openapi_served (and the user flows' in test_openapi).
    others = set(operations(build_openapi())) - set(connector_operations(build_openapi()))
    assert others
    assert all(path.startswith(OTHER_RESOURCES) for path, _ in others)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_official_parameter_is_listed_and_no_other(version: str) -> None:
    ours, theirs = build_openapi(), official(version)
    for path, method in operations(theirs):
        assert parameters(ours, path, method) == parameters(theirs, path, method), (path, method)


@pytest.mark.parametrize("version", VERSIONS)
def test_request_bodies_are_required_where_the_official_ones_are(version: str) -> None:
    ours, theirs = build_openapi(), official(version)
    for path, method in operations(theirs):
        official_body = theirs["paths"][path][method].get("requestBody")
        our_body = ours["paths"][path][method].get("requestBody")
        assert (official_body is None) == (our_body is None), (path, method)
        if official_body is not None:
            assert our_body["required"] == official_body["required"]
            assert set(our_body["content"]) == set(official_body["content"])


def official_properties(version: str, schema_name: str) -> dict[str, Any]:
    """The properties an official schema declares, ``allOf`` parts merged."""
    document = official(version)
    schema = resolve(document, {"$ref": f"#/components/schemas/{schema_name}"})
    properties: dict[str, Any] = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        properties.update(resolve(document, part).get("properties", {}))
    return properties


def contract_type(name: str, prop: str) -> str:
    node = shared_contracts().schemas[name]["properties"][prop]
    if "$ref" in node:
        target = node["$ref"].removesuffix(".json")
        target_schema = shared_contracts().schemas[target]
        return str(target_schema.get("type", "object"))  # a oneOf of objects is still an object
    if "type" in node:
        return str(node["type"])
    values = node.get("enum", [node.get("const")])
    return "string" if all(isinstance(v, str) for v in values) else "mixed"


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("contract", "schema_name", "extra"),
    [
        ("identityApiConnector", "microsoft.graph.identityApiConnector", {"@odata.context"}),
        ("identityApiConnectorCreate", "microsoft.graph.identityApiConnector", {"@odata.type"}),
        ("identityApiConnectorUpdate", "microsoft.graph.identityApiConnector", {"@odata.type"}),
        (
            "identityApiConnectorCollectionResponse",
            "microsoft.graph.identityApiConnectorCollectionResponse",
            {"@odata.context", "@odata.count"},
        ),
    ],
)
def test_contract_properties_are_the_official_ones_with_the_official_types(
    version: str, contract: str, schema_name: str, extra: set[str]
) -> None:
    theirs = official_properties(version, schema_name)
    ours = shared_contracts().schemas[contract]["properties"]
    assert set(ours) - extra == set(theirs)
    for prop, schema in theirs.items():
        expected = schema.get("type", "object")
        assert contract_type(contract, prop) == expected, prop


@pytest.mark.parametrize("version", VERSIONS)
def test_the_upload_body_has_the_official_parameters(version: str) -> None:
    document = official(version)
    path = "/identity/apiConnectors/{identityApiConnector-id}/microsoft.graph.uploadClientCertificate"
    body = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    ours = shared_contracts().schemas["uploadClientCertificate"]["properties"]
    assert set(ours) == set(body["properties"])
    assert all(ours[name]["type"] == schema["type"] for name, schema in body["properties"].items())


@pytest.mark.parametrize("version", VERSIONS)
def test_the_error_contract_has_the_official_shape(version: str) -> None:
    main_error = resolve(
        official(version), {"$ref": "#/components/schemas/microsoft.graph.ODataErrors.MainError"}
    )
    ours = shared_contracts().schemas["odataError"]["properties"]["error"]
    assert set(ours["properties"]) == set(main_error["properties"])
    assert set(main_error["required"]) <= set(ours["required"])
    for name in ("code", "message"):
        assert ours["properties"][name]["type"] == main_error["properties"][name]["type"]
