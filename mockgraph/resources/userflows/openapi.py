"""The OpenAPI parameter components the user-flow operations name.

Graph's list options that user-flow collections refuse are documented with the values that get a 400
(only ``$expand=identityProviders`` is served); as every value of them is refused, their schema admits none.
"""

from __future__ import annotations

from typing import Any

from mockgraph.core.openapi_parts import NO_VALUE, array_of, query_parameter
from mockgraph.resources.userflows.model import B2C, FlowKind

REFUSED_ON_LIST = ("top", "skip", "search", "filter", "count", "orderby", "select")
# Graph's description of each option (and its type there): the schema itself is NO_VALUE.
_REFUSED_OPTIONS: dict[str, str] = {
    "top": "Show only the first n items (Graph's type: integer)",
    "skip": "Skip the first n items (Graph's type: integer)",
    "search": "Search items by search phrases (Graph's type: string)",
    "filter": "Filter items by property values (Graph's type: string)",
    "count": "Include count of items (Graph's type: boolean)",
    "orderby": "Order items by property values (Graph's type: array of id, id desc)",
    "select": "Select properties to be returned (Graph's type: array of id, userFlowType, userFlowTypeVersion)",
}


def entity(kind: FlowKind) -> str:
    """The entity type's short name: ``b2xIdentityUserFlow``."""
    return kind.type_name.rsplit(".", 1)[-1]


def flow_id_parameter(kind: FlowKind) -> str:
    """The flow-id path parameter, named as Graph names key parameters: ``b2xIdentityUserFlow-id``."""
    return f"{entity(kind)}-id"


def parameters(kind: FlowKind) -> dict[str, dict[str, Any]]:
    """The parameter components one collection's operations name (shared names are identical)."""
    found: dict[str, dict[str, Any]] = {
        f"userFlows.{name}": query_parameter(
            f"${name}", description, NO_VALUE, f"every value (user flows support no ${name})"
        )
        for name, description in _REFUSED_OPTIONS.items()
    }
    found["userFlows.expand"] = query_parameter(
        "$expand",
        "Expand related entities (identityProviders is always empty: identity providers are not emulated)",
        array_of(["identityProviders"]),
        "any other navigation property",
    )
    found["apiConnectorConfiguration.select"] = query_parameter(
        "$select",
        "Select properties to be returned (accepted and ignored by mockgraph)",
        array_of(list(B2C.steps)),
    )
    found[f"{entity(kind)}.apiConnectorConfiguration.expand"] = query_parameter(
        "$expand",
        "The steps whose connectors to return (* for every step of the flow)",
        array_of(["*", *kind.steps]),
        "a name that is not a step (and preTokenIssuance on v1.0)",
    )
    found[flow_id_parameter(kind)] = {
        "name": flow_id_parameter(kind),
        "in": "path",
        "description": f"The unique identifier of {entity(kind)} (the name with its {kind.prefix} prefix)",
        "required": True,
        "style": "simple",
        "schema": {"type": "string"},
        "x-ms-docs-key-type": entity(kind),
    }
    found["ifMatch"] = {
        "name": "If-Match",
        "in": "header",
        "description": "ETag (accepted and ignored by mockgraph)",
        "style": "simple",
        "schema": {"type": "string"},
    }
    return found
