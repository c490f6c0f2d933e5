"""The OpenAPI parameter components the API-connector operations name (Microsoft's official ones, every one).

Options the emulator refuses are listed too, as in the official description; their description says which
values get a 400, and their schema admits only the values the emulator serves (none for ``$search``), so
that every request the document calls valid is one the emulator accepts (schemathesis checks this).
"""

from __future__ import annotations

from typing import Any

from mockgraph.core.odata_parsing import MAX_INT32, MAX_TOP
from mockgraph.core.openapi_parts import NO_VALUE, array_of, query_parameter
from mockgraph.core.query_options import MAX_OPTION_LENGTH
from mockgraph.resources.connectors.query import STRING_PROPERTIES

PROPERTY_NAMES = ["id", "authenticationConfiguration", "displayName", "targetUrl"]
ORDERABLE = [name for name in PROPERTY_NAMES if name in STRING_PROPERTIES]
# The served $filter subset as a pattern: comparisons and startswith joined by and/or (parentheses, case
# variants and extra spaces are served too, but a regular expression cannot balance parentheses).
_PROPERTY = "(?:id|displayName|targetUrl)"
_LITERAL = "'(?:[^']|'')*'"
_CLAUSE = f"(?:{_PROPERTY} (?:eq|ne) (?:{_LITERAL}|null)|startswith\\({_PROPERTY},{_LITERAL}\\))"
FILTER_PATTERN = f"^{_CLAUSE}(?: (?:and|or) {_CLAUSE})*$"

PARAMETERS: dict[str, dict[str, Any]] = {
    "top": query_parameter(
        "$top",
        "Show only the first n items",
        {"minimum": 1, "maximum": MAX_TOP, "type": "integer"},
        f"0 and values above {MAX_TOP}",
    ),
    "skip": query_parameter(
        "$skip", "Skip the first n items", {"minimum": 0, "maximum": MAX_INT32, "type": "integer"}
    ),
    "search": query_parameter(
        "$search",
        "Search items by search phrases (Graph's type: string)",
        NO_VALUE,
        "every value ($search is not supported)",
    ),
    "filter": query_parameter(
        "$filter",
        "Filter items by property values",
        {"type": "string", "maxLength": MAX_OPTION_LENGTH, "pattern": FILTER_PATTERN},
        "anything but eq, ne and startswith on id, displayName and targetUrl (with and, or, parentheses "
        f"nested at most 32 deep), and any value over {MAX_OPTION_LENGTH} characters",
    ),
    "count": query_parameter("$count", "Include count of items", {"type": "boolean"}),
    "orderby": query_parameter(
        "$orderby",
        "Order items by property values",
        array_of([f"{name}{suffix}" for name in ORDERABLE for suffix in ("", " desc")]),
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
