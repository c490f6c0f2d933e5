"""The listener domain (authenticationEventListener and its subtypes): records, changes, rendering.

A stored listener is shaped as Graph renders it on beta: ``id``, ``@odata.type``, ``displayName``, ``priority``,
``authenticationEventsFlowId``, ``conditions.applications`` (``includeAllApplications`` and the contained
``includeApplications``) and ``handler``, whose ``customExtension`` is kept as a reference ``{"id": ...}``.
Rendering drops what a version does not define. Pure: no Flask.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from mockgraph.core.errors import GraphError, InvalidRequest, InvalidRequestBody, QuotaExceeded
from mockgraph.core.odata_types import bare, canonical_type
from mockgraph.resources.listeners.references import (
    EventsRequestError,
    ExtensionLookup,
    canonical_types,
    expanded_extension,
    rendered_handler,
    with_checked_extension,
)
from mockgraph.storage.store import Record

COLLECTION = "authenticationEventListeners"
ENTITY_TYPE = "microsoft.graph.authenticationEventListener"
# Beta: "Between 0 (lower priority) and 1000 (higher priority). Required." A listener made on v1.0 (which has no
# priority) gets the flows' documented default, 500 (not documented for listeners: docs/fidelity.md).
DEFAULT_PRIORITY = 500


def _graph(name: str) -> str:
    return f"#microsoft.graph.{name}"


# Every listener subtype and the handler type it takes (reference sections 5.1-5.3).
LISTENER_HANDLERS: Mapping[str, str] = MappingProxyType(
    {
        _graph("onAttributeCollectionListener"): _graph(
            "onAttributeCollectionExternalUsersSelfServiceSignUp"
        ),
        _graph("onAttributeCollectionStartListener"): _graph(
            "onAttributeCollectionStartCustomExtensionHandler"
        ),
        _graph("onAttributeCollectionSubmitListener"): _graph(
            "onAttributeCollectionSubmitCustomExtensionHandler"
        ),
        _graph("onAuthenticationMethodLoadStartListener"): _graph(
            "onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp"
        ),
        _graph("onEmailOtpSendListener"): _graph("onOtpSendCustomExtensionHandler"),
        _graph("onFraudProtectionLoadStartListener"): _graph(
            "onFraudProtectionLoadStartExternalUsersAuthHandler"
        ),
        _graph("onInteractiveAuthFlowStartListener"): _graph(
            "onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp"
        ),
        _graph("onPasswordSubmitListener"): _graph("onPasswordMigrationCustomExtensionHandler"),
        _graph("onPhoneMethodLoadStartListener"): _graph("onPhoneMethodLoadStartExternalUsersAuthHandler"),
        _graph("onTokenIssuanceStartListener"): _graph("onTokenIssuanceStartCustomExtensionHandler"),
        _graph("onUserCreateStartListener"): _graph("onUserCreateStartExternalUsersSelfServiceSignUp"),
        _graph("onVerifiedIdClaimValidationListener"): _graph(
            "onVerifiedIdClaimValidationCustomExtensionHandler"
        ),
    }
)
BETA_ONLY = frozenset({_graph("onPhoneMethodLoadStartListener")})
V1_TYPES = tuple(name for name in LISTENER_HANDLERS if name not in BETA_ONLY)
BETA_TYPES = tuple(LISTENER_HANDLERS)


class ListenerQuotaExceeded(QuotaExceeded):
    """Raise if creating a listener would pass the tenant's listener limit ("a maximum of 250 event listeners")."""

    def __init__(self, limit: int) -> None:
        InvalidRequest.__init__(
            self,
            f"The maximum number of event listeners ({limit}) for this tenant has been reached.",
            reason=f"tenant already holds {limit} listeners",
        )


class ApplicationConflict(GraphError):
    """Raise if an application is linked where it already is (the key of includeApplications is its appId)."""

    status = 409
    default_code = "AADB2C"


# --- checks beyond the contract (the request checker runs them too) ------------------------------------


def application_ids(applications: Any) -> list[str]:
    """The appIds of an ``includeApplications`` list; Graph's 400 if one is listed twice (it is the key)."""
    seen: dict[str, str] = {}
    for item in applications or []:
        app_id = str(item["appId"])
        if app_id.lower() in seen:
            raise InvalidRequestBody(
                f"The application '{app_id}' is listed twice in includeApplications.",
                reason="duplicate appId in includeApplications",
            )
        seen[app_id.lower()] = app_id
    return list(seen.values())


def check_body(body: dict[str, Any]) -> dict[str, Any]:
    """What a listener body must satisfy beyond its contract (the contract has been checked)."""
    applications = ((body.get("conditions") or {}).get("applications") or {}).get("includeApplications")
    application_ids(applications)
    return body


def check_application_body(body: dict[str, Any]) -> dict[str, Any]:
    if not str(body["appId"]).strip():
        raise InvalidRequestBody("The value of 'appId' must not be empty.", reason="empty appId")
    return body


# --- records --------------------------------------------------------------------------------------------

FlowExists = Callable[[str], bool]


def stored_conditions(given: Any, current: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Stored conditions: a given ``applications`` member replaces only what it names."""
    applications = dict((current or {}).get("applications") or {"includeAllApplications": False})
    applications.setdefault("includeAllApplications", False)
    applications.setdefault("includeApplications", [])
    sent = (given or {}).get("applications") or {}
    if "includeAllApplications" in sent:
        applications["includeAllApplications"] = bool(sent["includeAllApplications"])
    if "includeApplications" in sent:
        applications["includeApplications"] = [
            {"appId": app_id} for app_id in application_ids(sent["includeApplications"])
        ]
    return {"applications": applications}


def _flow_id(value: Any, flow_exists: FlowExists) -> str | None:
    if value is None:
        return None
    flow_id = str(value)
    if not flow_exists(flow_id):
        raise EventsRequestError(
            f"The authentication events flow '{flow_id}' does not exist in this tenant.",
            reason="authenticationEventsFlowId names no flow of the caller's tenant",
        )
    return flow_id


def new_record(body: dict[str, Any], lookup: ExtensionLookup, flow_exists: FlowExists) -> Record:
    """A stored listener from a validated create body (either version's contract)."""
    listener_type = canonical_type(str(body["@odata.type"]))
    handler = canonical_types(body["handler"])
    return {
        "id": str(uuid.uuid4()),
        "@odata.type": listener_type,
        "displayName": body.get("displayName"),
        "priority": body.get("priority", DEFAULT_PRIORITY),
        "authenticationEventsFlowId": _flow_id(body.get("authenticationEventsFlowId"), flow_exists),
        "conditions": stored_conditions(body.get("conditions")),
        "handler": with_checked_extension(handler, lookup),
    }


def patched(record: Record, body: dict[str, Any], lookup: ExtensionLookup, flow_exists: FlowExists) -> Record:
    """The listener after a validated PATCH.

    ``@odata.type`` must name the listener's own type (a subtype cannot change: docs/fidelity.md). A ``handler``
    is merged member by member, so a PATCH that only sets ``configuration`` (the email OTP how-to's) keeps the
    extension; ``conditions.applications`` members replace only what they name.
    """
    sent_type = canonical_type(str(body["@odata.type"]))
    if sent_type != record["@odata.type"]:
        raise EventsRequestError(
            f"The listener is a '{bare(record['@odata.type'])}'; its type cannot be changed to "
            f"'{bare(sent_type)}'.",
            reason="PATCH names another listener subtype",
        )
    changed = dict(record)
    for name in ("displayName", "priority"):
        if name in body:
            changed[name] = body[name]
    if "authenticationEventsFlowId" in body:
        changed["authenticationEventsFlowId"] = _flow_id(body["authenticationEventsFlowId"], flow_exists)
    if "conditions" in body:
        changed["conditions"] = stored_conditions(body["conditions"], record["conditions"])
    if "handler" in body:
        merged = {**record["handler"], **canonical_types(body["handler"])}
        changed["handler"] = with_checked_extension(merged, lookup)
    return changed


def with_application(record: Record, app_id: str) -> Record:
    applications = record["conditions"]["applications"]
    if any(item["appId"].lower() == app_id.lower() for item in applications["includeApplications"]):
        raise ApplicationConflict(
            f"The application '{app_id}' is already included.", reason="appId already in includeApplications"
        )
    listed = [*applications["includeApplications"], {"appId": app_id}]
    return {**record, "conditions": {"applications": {**applications, "includeApplications": listed}}}


def without_application(record: Record, app_id: str) -> Record | None:
    """The record without ``app_id`` in its applications; None when it was not there."""
    applications = record["conditions"]["applications"]
    kept = [item for item in applications["includeApplications"] if item["appId"].lower() != app_id.lower()]
    if len(kept) == len(applications["includeApplications"]):
        return None
    return {**record, "conditions": {"applications": {**applications, "includeApplications": kept}}}


def find_application(record: Record, app_id: str) -> dict[str, Any] | None:
    applications = record["conditions"]["applications"]["includeApplications"]
    found: dict[str, Any] | None = next(
        (item for item in applications if item["appId"].lower() == app_id.lower()), None
    )
    return found


def with_extension(record: Record, extension_id: str) -> Record:
    """The listener with its handler pointing at ``extension_id`` (already checked)."""
    handler = {**record["handler"], "customExtension": {"id": extension_id}}
    return {**record, "handler": handler}


# --- rendering ------------------------------------------------------------------------------------------


def render(
    record: Record,
    version: str,
    *,
    applications_context: str | None = None,
    expand_extension: Callable[[str], Record | None] | None = None,
) -> dict[str, Any]:
    """A listener as Graph answers it on ``version``.

    ``applications_context`` adds ``includeApplications@odata.context`` (the documented list shows it; the
    documented create answers do not). ``expand_extension`` replaces the ``customExtension`` reference with the
    extension (``null`` when it has been deleted since), as ``$expand`` asks.
    """
    document: dict[str, Any] = {"@odata.type": record["@odata.type"], "id": record["id"]}
    if version == "beta":
        document["priority"] = record["priority"]
        document["authenticationEventsFlowId"] = record["authenticationEventsFlowId"]
    elif record["authenticationEventsFlowId"] is not None:
        document["authenticationEventsFlowId"] = record["authenticationEventsFlowId"]
    if record.get("displayName") is not None:
        document["displayName"] = record["displayName"]
    stored = record["conditions"]["applications"]
    applications: dict[str, Any] = {}
    if version == "beta":
        applications["includeAllApplications"] = stored["includeAllApplications"]
    if applications_context is not None:
        applications["includeApplications@odata.context"] = applications_context
    applications["includeApplications"] = [dict(item) for item in stored["includeApplications"]]
    document["conditions"] = {"applications": applications}
    handler = rendered_handler(record["handler"])
    if (
        handler is not None
        and expand_extension is not None
        and isinstance(handler.get("customExtension"), dict)
    ):
        handler["customExtension"] = expanded_extension(expand_extension(handler["customExtension"]["id"]))
    document["handler"] = handler
    return document


def extension_id(record: Record) -> str | None:
    """The id of the extension the listener's handler names, if any."""
    reference = (record.get("handler") or {}).get("customExtension")
    return str(reference["id"]) if isinstance(reference, dict) and "id" in reference else None
