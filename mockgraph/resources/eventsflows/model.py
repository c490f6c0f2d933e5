"""The user-flow domain of External ID (externalUsersSelfServiceSignUpEventsFlow): records, changes, rendering.

A stored flow is shaped as Graph renders it on beta, with the navigation properties it omits from its answers
kept as data: ``conditions.applications.includeApplications`` (read through its own path) and
``onAuthenticationMethodLoadStart.identityProviders`` (Graph's create answer reduces that handler to its
``@odata.type``). The attribute page is normalised as the documented create answer shows it (``inputType`` in
its enum spelling, ``defaultValue``/``options`` and the view's ``title``/``description`` filled in). Pure: no Flask.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from mockgraph.core.errors import GraphError, InvalidRequestBody
from mockgraph.core.odata_types import canonical_type
from mockgraph.resources.listeners.model import application_ids, stored_conditions
from mockgraph.resources.listeners.references import (
    EventsRequestError,
    ExtensionLookup,
    canonical_types,
    rendered_handler,
    with_checked_extension,
)
from mockgraph.storage.store import Record

COLLECTION = "authenticationEventsFlows"
ENTITY_TYPE = "microsoft.graph.authenticationEventsFlow"
FLOW_TYPE = "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow"
# "If multiple competing listeners for an event have the same priority, one is chosen ... Default is 500."
DEFAULT_PRIORITY = 500
INPUT_TYPES = ("text", "radioSingleSelect", "checkboxMultiSelect", "boolean", "unknownFutureValue")
# The attribute-collection steps a custom extension attaches to, and the handler type each takes.
EXTENSION_STEPS: Mapping[str, str] = {
    "onAttributeCollectionStart": "#microsoft.graph.onAttributeCollectionStartCustomExtensionHandler",
    "onAttributeCollectionSubmit": "#microsoft.graph.onAttributeCollectionSubmitCustomExtensionHandler",
}
HANDLERS = (
    "onAttributeCollection",
    "onAttributeCollectionStart",
    "onAttributeCollectionSubmit",
    "onAuthenticationMethodLoadStart",
    "onInteractiveAuthFlowStart",
    "onUserCreateStart",
)


class FlowConflict(GraphError):
    """Raise if a flow would share its display name, or an application would be linked to a second flow."""

    status = 409
    default_code = "AADB2C"


# --- checks beyond the contract (the request checker runs them too) ------------------------------------


def _input_type(value: str) -> str:
    found = next((name for name in INPUT_TYPES if name.lower() == value.lower()), None)
    if found is None:
        raise InvalidRequestBody(
            f"The value '{value}' of property 'inputType' is not valid; use one of {', '.join(INPUT_TYPES)}.",
            reason="unknown authenticationAttributeCollectionInputType",
        )
    return found


def _inputs(collection: Any) -> Iterable[dict[str, Any]]:
    page = (collection or {}).get("attributeCollectionPage") or {}
    for view in page.get("views") or []:
        yield from view.get("inputs") or []


def check_body(body: dict[str, Any]) -> dict[str, Any]:
    """What a flow body must satisfy beyond its contract (the contract has been checked)."""
    if "displayName" in body and not str(body["displayName"]).strip():
        raise InvalidRequestBody(
            "The property 'displayName' must not be empty.", reason="blank displayName on a user flow"
        )
    application_ids(((body.get("conditions") or {}).get("applications") or {}).get("includeApplications"))
    for item in _inputs(body.get("onAttributeCollection")):
        _input_type(str(item["inputType"]))
    return body


# --- records --------------------------------------------------------------------------------------------


def _attribute_collection(given: Any) -> dict[str, Any] | None:
    if given is None:
        return None
    collection: dict[str, Any] = canonical_types(given)
    collection.setdefault("attributes", [])
    page = collection.get("attributeCollectionPage")
    if isinstance(page, dict):
        views = []
        for view in page.get("views") or []:
            inputs = [
                {
                    "defaultValue": None,
                    "options": [],
                    **item,
                    "inputType": _input_type(str(item["inputType"])),
                }
                for item in view.get("inputs") or []
            ]
            views.append({"title": None, "description": None, **view, "inputs": inputs})
        collection["attributeCollectionPage"] = {"customStringsFileId": None, **page, "views": views}
    else:
        collection.setdefault("attributeCollectionPage", None)
    return collection


def _interactive_start(given: Any) -> Any:
    if given is None:
        return None
    handler: dict[str, Any] = canonical_types(given)
    handler.setdefault("isSignUpAllowed", False)  # "Default value is false meaning only sign in is enabled"
    return handler


def _step(given: Any, lookup: ExtensionLookup) -> Any:
    return None if given is None else with_checked_extension(canonical_types(given), lookup)


def _linked_elsewhere(app_ids: Iterable[str], others: Iterable[Record]) -> None:
    """Refuse an application another flow already names: "An application can only be linked to one user flow." """
    wanted = {app_id.lower(): app_id for app_id in app_ids}
    for other in others:
        for item in other["conditions"]["applications"]["includeApplications"]:
            if item["appId"].lower() in wanted:
                raise FlowConflict(
                    f"The application '{item['appId']}' is already linked to the user flow '{other['id']}'; "
                    "an application can only be linked to one user flow.",
                    reason="appId already linked to another flow",
                )


def _unique_name(name: str, others: Iterable[Record]) -> None:
    if any(str(other["displayName"]).lower() == name.lower() for other in others):
        raise FlowConflict(
            f"A user flow with the display name '{name}' already exists.", reason="duplicate flow displayName"
        )


def _included(record: Record) -> list[str]:
    return [item["appId"] for item in record["conditions"]["applications"]["includeApplications"]]


def new_record(body: dict[str, Any], lookup: ExtensionLookup, others: list[Record]) -> Record:
    """A stored flow from a validated create body; ``others`` are the tenant's other flows."""
    _unique_name(body["displayName"], others)
    record: Record = {
        "id": str(uuid.uuid4()),
        "@odata.type": FLOW_TYPE,
        "displayName": body["displayName"],
        "description": body.get("description"),
        "priority": body.get("priority", DEFAULT_PRIORITY),
        "conditions": stored_conditions(body.get("conditions")),
        "onInteractiveAuthFlowStart": _interactive_start(body["onInteractiveAuthFlowStart"]),
        "onAuthenticationMethodLoadStart": canonical_types(body["onAuthenticationMethodLoadStart"]),
        "onAttributeCollection": _attribute_collection(body.get("onAttributeCollection")),
        "onAttributeCollectionStart": _step(body.get("onAttributeCollectionStart"), lookup),
        "onAttributeCollectionSubmit": _step(body.get("onAttributeCollectionSubmit"), lookup),
        "onUserCreateStart": canonical_types(body.get("onUserCreateStart")),
    }
    _linked_elsewhere(_included(record), others)
    return record


def patched(record: Record, body: dict[str, Any], lookup: ExtensionLookup, others: list[Record]) -> Record:
    """The flow after a validated PATCH; ``others`` are the tenant's other flows.

    ``onAttributeCollection`` "can only [be updated] if it was configured during user flow creation", and its
    members replace whole (a page must list every input to keep); the other handlers are replaced.
    """
    changed = dict(record)
    if "displayName" in body:
        _unique_name(body["displayName"], others)
        changed["displayName"] = body["displayName"]
    for name in ("description", "priority"):
        if name in body:
            changed[name] = body[name]
    if "conditions" in body:
        changed["conditions"] = stored_conditions(body["conditions"], record["conditions"])
        _linked_elsewhere(_included(changed), others)
    if "onAttributeCollection" in body:
        given = body["onAttributeCollection"]
        if given is not None and record["onAttributeCollection"] is None:
            raise EventsRequestError(
                "onAttributeCollection can only be updated on a user flow that was created with it.",
                reason="PATCH sets onAttributeCollection on a flow created without one",
            )
        changed["onAttributeCollection"] = (
            None if given is None else _attribute_collection({**record["onAttributeCollection"], **given})
        )
    if "onInteractiveAuthFlowStart" in body:
        changed["onInteractiveAuthFlowStart"] = _interactive_start(body["onInteractiveAuthFlowStart"])
    if "onAuthenticationMethodLoadStart" in body:
        changed["onAuthenticationMethodLoadStart"] = canonical_types(body["onAuthenticationMethodLoadStart"])
    for step in EXTENSION_STEPS:
        if step in body:
            changed[step] = _step(body[step], lookup)
    if "onUserCreateStart" in body:
        changed["onUserCreateStart"] = canonical_types(body["onUserCreateStart"])
    return changed


def with_application(record: Record, app_id: str, others: list[Record]) -> Record:
    if any(existing.lower() == app_id.lower() for existing in _included(record)):
        raise FlowConflict(
            f"The application '{app_id}' is already linked to this user flow.",
            reason="appId already in includeApplications",
        )
    _linked_elsewhere([app_id], others)
    applications = record["conditions"]["applications"]
    listed = [*applications["includeApplications"], {"appId": app_id}]
    return {**record, "conditions": {"applications": {**applications, "includeApplications": listed}}}


def with_step_extension(record: Record, step: str, extension_id: str) -> Record:
    """The flow with ``step`` calling ``extension_id`` (already checked); a handler's configuration is kept."""
    current = record.get(step) or {}
    handler = {
        "@odata.type": EXTENSION_STEPS[step],
        "configuration": current.get("configuration"),
        "customExtension": {"id": extension_id},
    }
    return {**record, step: handler}


# --- rendering ------------------------------------------------------------------------------------------


def _rendered_collection(collection: Mapping[str, Any] | None, version: str) -> dict[str, Any] | None:
    if collection is None:
        return None
    document = dict(collection)
    page = document.get("attributeCollectionPage")
    if version == "beta":
        document["accessPackages"] = []  # the documented (beta-made) answer shows it, always empty
    elif isinstance(page, dict):
        document["attributeCollectionPage"] = {k: v for k, v in page.items() if k != "customStringsFileId"}
    return document


def render(record: Record, version: str) -> dict[str, Any]:
    """A flow as Graph answers it on ``version`` (in the documented create answer's order)."""
    document: dict[str, Any] = {
        "@odata.type": record["@odata.type"],
        "id": record["id"],
        "displayName": record["displayName"],
        "description": record["description"],
    }
    if version == "beta":
        document["priority"] = record["priority"]
    document["onAttributeCollectionStart"] = rendered_handler(record["onAttributeCollectionStart"])
    document["onAttributeCollectionSubmit"] = rendered_handler(record["onAttributeCollectionSubmit"])
    document["onUserCreateStart"] = record["onUserCreateStart"]
    applications = record["conditions"]["applications"]
    shown = {"includeAllApplications": applications["includeAllApplications"]} if version == "beta" else {}
    document["conditions"] = {"applications": shown}
    document["onInteractiveAuthFlowStart"] = record["onInteractiveAuthFlowStart"]
    method_load = record["onAuthenticationMethodLoadStart"]
    document["onAuthenticationMethodLoadStart"] = (
        None if method_load is None else {"@odata.type": canonical_type(str(method_load["@odata.type"]))}
    )
    document["onAttributeCollection"] = _rendered_collection(record["onAttributeCollection"], version)
    return document
