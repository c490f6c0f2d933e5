"""The OpenAPI 3.1 description of what the emulator serves, built from the JSON-Schema contracts.

Connector paths, operation ids and parameters are those of Microsoft's official description (every official
parameter is listed, even those the emulator refuses: their description says which values get a 400); the
user-flow operations come from ``mockgraph.admin.openapi_userflows``. Bodies and responses use the stricter schemas of
``contracts/``. Served at ``/_mockgraph/openapi.json``.
"""

from __future__ import annotations

import copy
from functools import partial
from typing import Any

from flask import Flask, Response, json

from mockgraph.admin import openapi_userflows
from mockgraph.admin.openapi_parts import array_of, json_body, operation, query_parameter, ref
from mockgraph.core.contracts import Contracts, shared_contracts
from mockgraph.core.operations import Operation

OPENAPI_PATH = "/_mockgraph/openapi.json"
COLLECTION = "/identity/apiConnectors"
ITEM = "/identity/apiConnectors/{identityApiConnector-id}"
UPLOAD = "/identity/apiConnectors/{identityApiConnector-id}/microsoft.graph.uploadClientCertificate"
COUNT = "/identity/apiConnectors/$count"
NO_CONNECTOR = (("404", "No connector with this id in the caller's tenant."),)
TAG = "identity.identityApiConnector"
PROPERTY_NAMES = ["id", "authenticationConfiguration", "displayName", "targetUrl"]


PARAMETERS: dict[str, dict[str, Any]] = {
    "top": query_parameter(
        "$top", "Show only the first n items", {"minimum": 0, "type": "integer"}, "0 and values above 999"
    ),
    "skip": query_parameter("$skip", "Skip the first n items", {"minimum": 0, "type": "integer"}),
    "search": query_parameter(
        "$search",
        "Search items by search phrases",
        {"type": "string"},
        "every value ($search is not supported)",
    ),
    "filter": query_parameter(
        "$filter",
        "Filter items by property values",
        {"type": "string"},
        "anything but eq, ne and startswith on id, displayName and targetUrl (with and, or, parentheses)",
    ),
    "count": query_parameter("$count", "Include count of items", {"type": "boolean"}),
    "orderby": query_parameter(
        "$orderby",
        "Order items by property values",
        array_of([f"{name}{suffix}" for name in PROPERTY_NAMES for suffix in ("", " desc")]),
        "ordering by authenticationConfiguration",
    ),
    "select": query_parameter("$select", "Select properties to be returned", array_of(PROPERTY_NAMES)),
    "expand": query_parameter("$expand", "Expand related entities", array_of(["*"])),
    "id": {
        "name": "identityApiConnector-id",
        "in": "path",
        "description": "The unique identifier of identityApiConnector",
        "required": True,
        "style": "simple",
        "schema": {"type": "string"},
        "x-ms-docs-key-type": "identityApiConnector",
    },
    "ifMatch": {
        "name": "If-Match",
        "in": "header",
        "description": "ETag (accepted and ignored by mockgraph)",
        "style": "simple",
        "schema": {"type": "string"},
    },
}


_connector_operation = partial(operation, tag=TAG)


def _paths() -> dict[str, Any]:
    entity = json_body("identityApiConnector", "The connector (only the $select-ed properties when given)")
    full = json_body("identityApiConnectorFull", "The connector")
    return {
        COLLECTION: {
            "get": _connector_operation(
                Operation.LIST_CONNECTORS,
                "List identityApiConnectors",
                ("200", json_body("identityApiConnectorCollectionResponse", "Retrieved collection")),
                parameters=("top", "skip", "search", "filter", "count", "orderby", "select", "expand"),
            ),
            "post": _connector_operation(
                Operation.CREATE_CONNECTOR,
                "Create identityApiConnector",
                ("201", full),
                body="identityApiConnectorCreate",
            ),
        },
        ITEM: {
            "parameters": [ref("parameters", "id")],
            "get": _connector_operation(
                Operation.GET_CONNECTOR,
                "Get identityApiConnector",
                ("200", entity),
                parameters=("select", "expand"),
                refusals=NO_CONNECTOR,
            ),
            "patch": _connector_operation(
                Operation.UPDATE_CONNECTOR,
                "Update identityApiConnector",
                ("204", {"description": "Success (no body)"}),
                body="identityApiConnectorUpdate",
                refusals=NO_CONNECTOR,
            ),
            "delete": _connector_operation(
                Operation.DELETE_CONNECTOR,
                "Delete identityApiConnector",
                ("204", {"description": "Success (no body)"}),
                parameters=("ifMatch",),
                refusals=NO_CONNECTOR,
            ),
        },
        UPLOAD: {
            "parameters": [ref("parameters", "id")],
            "post": _connector_operation(
                Operation.UPLOAD_CERTIFICATE,
                "Invoke action uploadClientCertificate",
                ("200", full),
                body="uploadClientCertificate",
                refusals=NO_CONNECTOR,
            ),
        },
        COUNT: {
            "get": _connector_operation(
                Operation.COUNT_CONNECTORS,
                "Get the number of the resource",
                (
                    "200",
                    {
                        "description": "The count of the resource",
                        "content": {"text/plain": {"schema": {"type": "integer", "minimum": 0}}},
                    },
                ),
                parameters=("search", "filter"),
            )
        },
        **openapi_userflows.paths(),
    }


def _rewrite_refs(node: Any) -> Any:
    """Contract ``$ref``s name sibling files; in the document they point into ``components``."""
    if isinstance(node, dict):
        rewritten = {
            key: _rewrite_refs(value) for key, value in node.items() if key not in ("$id", "$schema")
        }
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.endswith(".json"):
            rewritten["$ref"] = "#/components/schemas/" + reference.rsplit("/", 1)[-1].removesuffix(".json")
        return rewritten
    if isinstance(node, list):
        return [_rewrite_refs(value) for value in node]
    return node


def _schema_closure(contracts: Contracts, roots: list[str]) -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    pending = list(roots)
    while pending:
        name = pending.pop()
        if name in schemas:
            continue
        schemas[name] = _rewrite_refs(copy.deepcopy(contracts.schemas[name]))
        text = json.dumps(contracts.schemas[name])
        pending.extend(other for other in contracts.schemas if f'"{other}.json"' in text)
    return dict(sorted(schemas.items()))


def build_openapi(contracts: Contracts | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document (a fresh dict each call; JSON-ready)."""
    from mockgraph import __version__

    roots = [
        *("identityApiConnector", "identityApiConnectorCollectionResponse", "identityApiConnectorCreate"),
        *(
            "identityApiConnectorUpdate",
            "uploadClientCertificate",
            "odataError",
            *openapi_userflows.CONTRACTS,
        ),
    ]
    parameters = {
        **PARAMETERS,
        **openapi_userflows.parameters(),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mockgraph: Microsoft Graph identityApiConnector and user flows",
            "version": __version__,
            "description": (
                "What the mockgraph emulator serves under /beta and /v1.0. Paths, operation ids and parameters "
                "follow Microsoft's official description; schemas are mockgraph's contracts. The short action path "
                "/identity/apiConnectors/{id}/uploadClientCertificate is accepted as well. The user-flow paths "
                "(b2xUserFlows, and on beta b2cUserFlows) follow Graph's navigation and naming style."
            ),
        },
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "servers": [{"url": "/beta", "description": "beta"}, {"url": "/v1.0", "description": "v1.0"}],
        "paths": _paths(),
        "components": {
            "schemas": _schema_closure(contracts or shared_contracts(), roots),
            "responses": {
                "error": {
                    "description": "error",
                    "content": {"application/json": {"schema": ref("schemas", "odataError")}},
                }
            },
            "parameters": parameters,
            "securitySchemes": {
                "azureaadv2": {
                    "type": "oauth2",
                    "flows": {
                        "clientCredentials": {
                            "tokenUrl": "https://login.microsoftonline.com/common/oauth2/v2.0/token",
                            "scopes": {
                                "https://graph.microsoft.com/.default": "Graph permissions granted to the app"
                            },
                        }
                    },
                }
            },
        },
        "security": [{"azureaadv2": []}],
    }


def register_openapi_route(app: Flask) -> None:
    """Serve the document at ``/_mockgraph/openapi.json`` (no token needed: it describes, it holds no data)."""

    def serve_openapi() -> Response:
        return Response(json.dumps(build_openapi(), indent=2), content_type="application/json")

    app.add_url_rule(OPENAPI_PATH, "mockgraph_openapi", serve_openapi, methods=["GET"])
