"""The OpenAPI 3.1 description of what the emulator serves, built from the JSON-Schema contracts.

Paths, operation ids and parameters are those of Microsoft's official description (every official
parameter is listed, even those the emulator refuses: their description says which values get a 400);
bodies and responses use the stricter schemas of ``contracts/``. Served at ``/_mockgraph/openapi.json``.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import Flask, Response, json

from mockgraph.contracts import Contracts, shared_contracts
from mockgraph.operations import Operation

OPENAPI_PATH = "/_mockgraph/openapi.json"
COLLECTION = "/identity/apiConnectors"
ITEM = "/identity/apiConnectors/{identityApiConnector-id}"
UPLOAD = "/identity/apiConnectors/{identityApiConnector-id}/microsoft.graph.uploadClientCertificate"
COUNT = "/identity/apiConnectors/$count"
ERROR_RESPONSES = {
    "400": "Bad request: a path, query option or body Graph does not accept.",
    "401": "Missing or invalid access token.",
    "403": "The token lacks the permission or directory role the operation needs.",
}
PROPERTY_NAMES = ["id", "authenticationConfiguration", "displayName", "targetUrl"]


def _array_of(values: list[str]) -> dict[str, Any]:
    return {"uniqueItems": True, "type": "array", "items": {"enum": values, "type": "string"}}


def _query(name: str, description: str, schema: dict[str, Any], refused: str | None = None) -> dict[str, Any]:
    parameter: dict[str, Any] = {
        "name": name,
        "in": "query",
        "description": description,
        "style": "form",
        "explode": False,
        "schema": schema,
    }
    if refused:
        parameter["description"] = f"{description}. mockgraph answers 400 for {refused}."
        parameter["x-mockgraph-refuses"] = refused
    return parameter


PARAMETERS: dict[str, dict[str, Any]] = {
    "top": _query(
        "$top", "Show only the first n items", {"minimum": 0, "type": "integer"}, "0 and values above 999"
    ),
    "skip": _query("$skip", "Skip the first n items", {"minimum": 0, "type": "integer"}),
    "search": _query(
        "$search",
        "Search items by search phrases",
        {"type": "string"},
        "every value ($search is not supported)",
    ),
    "filter": _query(
        "$filter",
        "Filter items by property values",
        {"type": "string"},
        "anything but eq, ne and startswith on id, displayName and targetUrl (with and, or, parentheses)",
    ),
    "count": _query("$count", "Include count of items", {"type": "boolean"}),
    "orderby": _query(
        "$orderby",
        "Order items by property values",
        _array_of([f"{name}{suffix}" for name in PROPERTY_NAMES for suffix in ("", " desc")]),
        "ordering by authenticationConfiguration",
    ),
    "select": _query("$select", "Select properties to be returned", _array_of(PROPERTY_NAMES)),
    "expand": _query("$expand", "Expand related entities", _array_of(["*"])),
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


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _json(schema_name: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("schemas", schema_name)}},
    }


def _operation(
    operation: Operation,
    summary: str,
    success: tuple[str, dict[str, Any]],
    *,
    parameters: tuple[str, ...] = (),
    body: str | None = None,
    not_found: bool = False,
) -> dict[str, Any]:
    refusals = dict(ERROR_RESPONSES)
    if not_found:
        refusals["404"] = "No connector with this id in the caller's tenant."
    if body is not None:
        refusals["413"] = "The body is over the size limit."
        refusals["415"] = "The body is not sent as application/json."
    responses: dict[str, Any] = {success[0]: success[1]}
    for status, text in sorted(refusals.items()):
        responses[status] = {
            "description": text,
            "content": {"application/json": {"schema": _ref("schemas", "odataError")}},
        }
    responses["default"] = _ref("responses", "error")
    document: dict[str, Any] = {
        "tags": ["identity.identityApiConnector"],
        "summary": summary,
        "operationId": operation.value,
        "parameters": [_ref("parameters", name) for name in parameters],
        "responses": responses,
    }
    if body is not None:
        document["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref("schemas", body)}},
        }
    return document


def _paths() -> dict[str, Any]:
    entity = _json("identityApiConnector", "The connector (only the $select-ed properties when given)")
    full = _json("identityApiConnectorFull", "The connector")
    return {
        COLLECTION: {
            "get": _operation(
                Operation.LIST_CONNECTORS,
                "List identityApiConnectors",
                ("200", _json("identityApiConnectorCollectionResponse", "Retrieved collection")),
                parameters=("top", "skip", "search", "filter", "count", "orderby", "select", "expand"),
            ),
            "post": _operation(
                Operation.CREATE_CONNECTOR,
                "Create identityApiConnector",
                ("201", full),
                body="identityApiConnectorCreate",
            ),
        },
        ITEM: {
            "parameters": [_ref("parameters", "id")],
            "get": _operation(
                Operation.GET_CONNECTOR,
                "Get identityApiConnector",
                ("200", entity),
                parameters=("select", "expand"),
                not_found=True,
            ),
            "patch": _operation(
                Operation.UPDATE_CONNECTOR,
                "Update identityApiConnector",
                ("204", {"description": "Success (no body)"}),
                body="identityApiConnectorUpdate",
                not_found=True,
            ),
            "delete": _operation(
                Operation.DELETE_CONNECTOR,
                "Delete identityApiConnector",
                ("204", {"description": "Success (no body)"}),
                parameters=("ifMatch",),
                not_found=True,
            ),
        },
        UPLOAD: {
            "parameters": [_ref("parameters", "id")],
            "post": _operation(
                Operation.UPLOAD_CERTIFICATE,
                "Invoke action uploadClientCertificate",
                ("200", full),
                body="uploadClientCertificate",
                not_found=True,
            ),
        },
        COUNT: {
            "get": _operation(
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
        "identityApiConnector",
        "identityApiConnectorFull",
        "identityApiConnectorCollectionResponse",
        "identityApiConnectorCreate",
        "identityApiConnectorUpdate",
        "uploadClientCertificate",
        "odataError",
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "mockgraph: Microsoft Graph identityApiConnector",
            "version": __version__,
            "description": (
                "What the mockgraph emulator serves under /beta and /v1.0. Paths, operation ids and parameters "
                "follow Microsoft's official description; schemas are mockgraph's contracts. The short action path "
                "/identity/apiConnectors/{id}/uploadClientCertificate is accepted as well."
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
                    "content": {"application/json": {"schema": _ref("schemas", "odataError")}},
                }
            },
            "parameters": PARAMETERS,
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
