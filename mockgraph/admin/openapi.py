"""The OpenAPI 3.1 description of what the emulator serves, derived from the operation tables.

Every row of every table is one operation here: its path (parameters named as the table says), method,
operation id, summary, query parameters, body and responses; path items whose operations exist only on
some versions name only those servers. Connector paths, ids and parameters are those of Microsoft's
official description (every official parameter is listed, even those the emulator refuses: their
description says which values get a 400); bodies and responses use the stricter schemas of ``contracts/``.
Served at ``/_mockgraph/openapi.json``.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import Response, json

from mockgraph.core.contracts import Contracts, shared_contracts
from mockgraph.core.openapi_parts import NO_BODY, json_body, operation, ref
from mockgraph.core.operations import VERSIONS, Catalog, Operation, ResourceTable
from mockgraph.resources import CATALOG
from mockgraph.web.state import current_state

OPENAPI_PATH = "/_mockgraph/openapi.json"


def openapi_path(table: ResourceTable, op: Operation) -> str:
    """The operation's path as the document names it: ``/identity/apiConnectors/{identityApiConnector-id}``."""
    parts = []
    for segment in op.segments:
        if segment.parameter is not None:
            component = table.path_parameters.get(segment.parameter, segment.parameter)
            parts.append("{" + str(table.openapi_parameters[component]["name"]) + "}")
        else:
            parts.append(segment.text)
    return "/" + "/".join(parts)


def _success(op: Operation) -> tuple[str, dict[str, Any]]:
    if op.response is None:
        return str(op.status), NO_BODY
    if isinstance(op.response, str):
        return str(op.status), json_body(op.response, op.response_description)
    return str(op.status), {"description": op.response_description, "content": dict(op.response)}


def _path_items(table: ResourceTable) -> dict[str, Any]:
    items: dict[str, Any] = {}
    for op in table.operations:
        item = items.setdefault(openapi_path(table, op), {})
        parameters = [
            ref("parameters", table.path_parameters.get(s.parameter, s.parameter))
            for s in op.segments
            if s.parameter is not None
        ]
        if parameters:
            item["parameters"] = parameters
        if tuple(op.versions) != VERSIONS:
            item["servers"] = [
                {"url": f"/{version}", "description": f"{version} only"} for version in op.versions
            ]
        item[op.method.lower()] = operation(
            op.id,
            op.summary,
            _success(op),
            tag=table.tag,
            parameters=op.parameters,
            body=op.body.contract if op.body is not None else None,
            refusals=op.refusals,
        )
    return items


def _paths(catalog: Catalog) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for table in catalog.tables:
        for path, item in _path_items(table).items():
            if path in paths:
                raise ValueError(f"two tables describe {path}")
            paths[path] = item
    return paths


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


def build_openapi(contracts: Contracts | None = None, catalog: Catalog | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document (a fresh dict each call; JSON-ready)."""
    from mockgraph import __version__

    catalog = catalog or CATALOG
    roots = sorted({"odataError", *(name for table in catalog.tables for name in table.contracts)})
    parameters: dict[str, Any] = {}
    for table in catalog.tables:
        for name, component in table.openapi_parameters.items():
            if parameters.setdefault(name, dict(component)) != component:
                raise ValueError(f"two tables define the parameter component {name} differently")
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
        "paths": _paths(catalog),
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


def serve_openapi() -> Response:
    """``GET /_mockgraph/openapi.json`` (admin blueprint; public: it describes, it holds no data)."""
    document = build_openapi(catalog=current_state().catalog)
    return Response(json.dumps(document, indent=2), content_type="application/json")
