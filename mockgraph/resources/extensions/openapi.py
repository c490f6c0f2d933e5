"""The OpenAPI parameter components the custom-authentication-extension operations name.

Options the emulator refuses are listed too, as Graph's description lists them; their description says which
values get a 400.
"""

from __future__ import annotations

from typing import Any

from mockgraph.core.openapi_parts import array_of, query_parameter
from mockgraph.resources.extensions.model import ALL_PROPERTIES
from mockgraph.resources.extensions.query import STRING_PROPERTIES

PREFIX = "customAuthenticationExtensions."
ID_PARAMETER = "customAuthenticationExtension-id"

PARAMETERS: dict[str, dict[str, Any]] = {
    f"{PREFIX}top": query_parameter(
        "$top", "Show only the first n items", {"minimum": 0, "type": "integer"}, "0 and values above 999"
    ),
    f"{PREFIX}skip": query_parameter("$skip", "Skip the first n items", {"minimum": 0, "type": "integer"}),
    f"{PREFIX}search": query_parameter(
        "$search",
        "Search items by search phrases",
        {"type": "string"},
        "every value ($search is not supported)",
    ),
    f"{PREFIX}filter": query_parameter(
        "$filter",
        "Filter items by property values, e.g. isOf('microsoft.graph.onTokenIssuanceStartCustomExtension')",
        {"type": "string"},
        "anything but isOf(<subtype>), and eq, ne and startswith on id, displayName and description "
        "(with and, or, not, parentheses)",
    ),
    f"{PREFIX}count": query_parameter("$count", "Include count of items", {"type": "boolean"}),
    f"{PREFIX}orderby": query_parameter(
        "$orderby",
        "Order items by property values",
        array_of([f"{name}{suffix}" for name in STRING_PROPERTIES for suffix in ("", " desc")]),
        "ordering by a complex property",
    ),
    f"{PREFIX}select": query_parameter(
        "$select",
        "Select properties to be returned (@odata.type is always returned)",
        array_of(list(ALL_PROPERTIES)),
    ),
    f"{PREFIX}expand": query_parameter(
        "$expand", "Expand related entities", array_of(["*"]), "anything but * (no navigation properties)"
    ),
    ID_PARAMETER: {
        "name": ID_PARAMETER,
        "in": "path",
        "description": "The unique identifier of customAuthenticationExtension",
        "required": True,
        "style": "simple",
        "schema": {"type": "string"},
        "x-ms-docs-key-type": "customAuthenticationExtension",
    },
    "ifMatch": {
        "name": "If-Match",
        "in": "header",
        "description": "ETag (accepted and ignored by mockgraph)",
        "style": "simple",
        "schema": {"type": "string"},
    },
}
