"""The OpenAPI parameter components the API-connector operations name (Microsoft's official ones, every one).

Options the emulator refuses are listed too, as in the official description; their description says which
values get a 400.
"""

from __future__ import annotations

from typing import Any

from mockgraph.core.openapi_parts import array_of, query_parameter

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
