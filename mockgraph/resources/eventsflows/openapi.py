"""The OpenAPI parameter components the user-flow (authenticationEventsFlow) operations name."""

from __future__ import annotations

from typing import Any

from mockgraph.resources.listeners.openapi import SHARED, key_parameter, query_components

FLOW_ID = "authenticationEventsFlow-id"
PARAMETERS: dict[str, dict[str, Any]] = {
    **SHARED,
    FLOW_ID: key_parameter(
        FLOW_ID, "authenticationEventsFlow", "The unique identifier of authenticationEventsFlow"
    ),
    **query_components(
        "eventsFlows",
        [
            "id",
            "displayName",
            "description",
            "conditions",
            "priority",
            "onAttributeCollection",
            "onAttributeCollectionStart",
            "onAttributeCollectionSubmit",
            "onAuthenticationMethodLoadStart",
            "onInteractiveAuthFlowStart",
            "onUserCreateStart",
        ],
        "id, displayName and description",
    ),
}
