"""The OpenAPI parameter components the listener operations name (the user-flow table reuses the shared ones)."""

from __future__ import annotations

from typing import Any

from mockgraph.core.openapi_parts import array_of, query_parameter

APP_ID = "authenticationConditionApplication-appId"
LISTENER_ID = "authenticationEventListener-id"


def key_parameter(name: str, entity: str, description: str) -> dict[str, Any]:
    """A path key, named as Graph names them (``authenticationEventListener-id``)."""
    return {
        "name": name,
        "in": "path",
        "description": description,
        "required": True,
        "style": "simple",
        "schema": {"type": "string"},
        "x-ms-docs-key-type": entity,
    }


def query_components(prefix: str, properties: list[str], filtered: str) -> dict[str, dict[str, Any]]:
    """``$filter``, ``$select`` and ``$count`` as ``<prefix>.filter`` etc."""
    return {
        f"{prefix}.filter": query_parameter(
            "$filter",
            f"Filter items: eq/ne on {filtered}, isof('microsoft.graph.<type>'), any() over the documented "
            "collections, with and, or, not and parentheses",
            {"type": "string"},
            "anything outside that grammar",
        ),
        f"{prefix}.select": query_parameter(
            "$select",
            "Select properties to be returned",
            array_of(properties),
            "a name that is not a property",
        ),
        f"{prefix}.count": query_parameter("$count", "Include count of items", {"type": "boolean"}),
    }


SHARED: dict[str, dict[str, Any]] = {
    APP_ID: key_parameter(
        APP_ID, "authenticationConditionApplication", "The appId of an application in includeApplications"
    ),
}
PARAMETERS: dict[str, dict[str, Any]] = {
    **SHARED,
    LISTENER_ID: key_parameter(
        LISTENER_ID, "authenticationEventListener", "The unique identifier of authenticationEventListener"
    ),
    **query_components(
        "eventListeners",
        ["id", "displayName", "authenticationEventsFlowId", "conditions", "handler", "priority"],
        "id, displayName and authenticationEventsFlowId",
    ),
    "eventListeners.expand": query_parameter(
        "$expand",
        "Expand the handler's custom extension (handler/customExtension, casts allowed, or *)",
        array_of(["handler/customExtension", "conditions/applications/includeApplications", "*"]),
        "any other navigation property",
    ),
}
