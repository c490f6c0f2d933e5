"""The listener handlers: read the parsed options and body, call the model, store, render.

Handlers take the dispatcher's ``Call`` and return a ``Reply``; the operation table names them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockgraph.core.errors import InvalidRequest, QuotaExceeded, ResourceNotFound
from mockgraph.core.odata_types import bare
from mockgraph.resources.listeners import model
from mockgraph.resources.listeners.applications import IncludedApplications
from mockgraph.resources.listeners.model import COLLECTION, ENTITY_TYPE
from mockgraph.resources.listeners.query import (
    CAST_PREFIX,
    EntityModel,
    ListQuery,
    parse_options,
    select_shape,
    selected,
)
from mockgraph.resources.listeners.references import (
    EXTENSIONS,
    HANDLER_EXTENSIONS,
    ExtensionLookup,
    checked_extension,
    extension_id_from_reference,
)
from mockgraph.storage.store import Record
from mockgraph.web.call import Call, Reply, json_reply, no_content, text_reply

PATH = "identity/authenticationEventListeners"
FLOWS = "authenticationEventsFlows"
_PROPERTIES = ("id", "displayName", "authenticationEventsFlowId", "conditions", "handler")
_COLLECTIONS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("conditions", "applications", "includeApplications"): ("appId",)
}
_SCALARS = (("id",), ("displayName",), ("authenticationEventsFlowId",))
MODELS = {
    "v1.0": EntityModel(ENTITY_TYPE, _PROPERTIES, _SCALARS, _COLLECTIONS, frozenset(model.V1_TYPES)),
    "beta": EntityModel(
        ENTITY_TYPE, (*_PROPERTIES, "priority"), _SCALARS, _COLLECTIONS, frozenset(model.BETA_TYPES)
    ),
}


# --- query options --------------------------------------------------------------------------------------


def parse_expand(version: str, value: str) -> bool:
    """Whether ``$expand`` asks for the handler's extension (``handler/customExtension``, casts allowed, or ``*``).

    ``conditions/applications/includeApplications`` is accepted too: it is always shown.
    """
    wanted = False
    for item in value.split(","):
        name = item.strip()
        path = [part.lower() for part in name.split("/") if part and not part.lower().startswith(CAST_PREFIX)]
        if name == "*" or path == ["handler", "customextension"]:
            wanted = True
        elif path != ["conditions", "applications", "includeapplications"]:
            raise InvalidRequest(
                f"Could not find a navigation property named '{name}' on type '{ENTITY_TYPE}'.",
                reason=f"$expand of {name!r} on a listener",
            )
    return wanted


def parse_list(options: Mapping[str, str], version: str) -> ListQuery:
    return parse_options(MODELS[version], options, lambda value: parse_expand(version, value))


# --- helpers ----------------------------------------------------------------------------------------------


def existing(call: Call) -> Record:
    """The addressed listener in the caller's tenant; Graph's 404 when there is none."""
    listener_id = call.parameter("id")
    record = call.store.get(call.tenant, COLLECTION, listener_id)
    if record is None:
        raise ResourceNotFound(listener_id)
    return record


def existing_of_type(call: Call, listener_type: str) -> Record:
    """The addressed listener, which the path's cast segment says is a ``listener_type``; 404 otherwise."""
    record = existing(call)
    if record["@odata.type"] != listener_type:
        raise ResourceNotFound(
            record["id"], reason=f"the listener is not a {bare(listener_type)} (the path casts it to one)"
        )
    return record


def lookup_extension(call: Call) -> ExtensionLookup:
    """Reads an extension of the caller's tenant (the extensions resource keeps them as Graph renders them)."""
    return lambda extension_id: call.store.get(call.tenant, EXTENSIONS, extension_id)


def flow_exists(call: Call) -> model.FlowExists:
    return lambda flow_id: call.store.get(call.tenant, FLOWS, flow_id) is not None


def applications_context(call: Call, record: Record) -> str:
    return call.context(
        f"{PATH}('{record['id']}')/{bare(record['@odata.type'])}/conditions/applications/includeApplications"
    )


def rendered(call: Call, record: Record, query: ListQuery) -> dict[str, Any]:
    """A listener as a read (list or get) answers it: with the applications' context, expanded and selected."""
    document = model.render(
        record,
        call.version,
        applications_context=applications_context(call, record),
        expand_extension=lookup_extension(call) if query.expand else None,
    )
    return selected(document, query.select)


def stored_listeners(call: Call, query: ListQuery) -> list[Record]:
    records = call.store.list(call.tenant, COLLECTION)
    if query.filter is not None:
        records = [record for record in records if query.filter(record)]
    return records


def _updated(call: Call, listener_id: str, change: Any) -> Record:
    updated = call.store.update(call.tenant, COLLECTION, listener_id, change)
    if updated is None:
        raise ResourceNotFound(listener_id)
    return updated


# --- the listener collection -------------------------------------------------------------------------------


def list_listeners(call: Call) -> Reply:
    query: ListQuery = call.query
    records = stored_listeners(call, query)
    document: dict[str, Any] = {"@odata.context": call.context(PATH + select_shape(query.select))}
    if query.count:
        document["@odata.count"] = len(records)
    document["value"] = [rendered(call, record, query) for record in records]
    return json_reply(document)


def count_listeners(call: Call) -> Reply:
    return text_reply(str(len(stored_listeners(call, call.query))), "text/plain;charset=utf-8")


def create_listener(call: Call) -> Reply:
    record = model.new_record(call.body(), lookup_extension(call), flow_exists(call))
    try:
        stored = call.store.insert(call.tenant, COLLECTION, record, limit=call.config.listener_limit)
    except QuotaExceeded:
        raise model.ListenerQuotaExceeded(call.config.listener_limit) from None
    document = {"@odata.context": call.context(f"{PATH}/$entity"), **model.render(stored, call.version)}
    return json_reply(document, 201, {"Location": call.url(f"{PATH}/{stored['id']}")})


def get_listener(call: Call) -> Reply:
    query: ListQuery = call.query
    context = call.context(f"{PATH}{select_shape(query.select)}/$entity")
    return json_reply({"@odata.context": context, **rendered(call, existing(call), query)})


def update_listener(call: Call) -> Reply:
    record = existing(call)  # an unknown id is 404 before the body is judged
    changed = model.patched(record, call.body(), lookup_extension(call), flow_exists(call))
    _updated(call, record["id"], lambda _: changed)
    return no_content()


def delete_listener(call: Call) -> Reply:
    listener_id = call.parameter("id")
    if not call.store.delete(call.tenant, COLLECTION, listener_id):
        raise ResourceNotFound(listener_id)
    return no_content()


# --- conditions/applications/includeApplications ----------------------------------------------------------


APPLICATIONS = IncludedApplications(
    COLLECTION,
    PATH,
    "the application is not included",
    lambda call, record, app_id: lambda current: model.with_application(current, app_id),
)
list_applications = APPLICATIONS.list
add_application = APPLICATIONS.add
get_application = APPLICATIONS.get
remove_application = APPLICATIONS.remove


# --- the handler's extension (beta; documented as replaced by the extensions resource in February 2025) -------


def handler_path(listener_type: str) -> str:
    handler = model.LISTENER_HANDLERS[listener_type]
    return f"{bare(listener_type)}/handler/{bare(handler)}/customExtension"


def get_handler_extension(listener_type: str, call: Call) -> Reply:
    record = existing_of_type(call, listener_type)
    extension_id = model.extension_id(record)
    extension = None if extension_id is None else call.store.get(call.tenant, EXTENSIONS, extension_id)
    if extension is None:
        raise ResourceNotFound(record["id"], reason="no extension is attached to the listener's handler")
    context = call.context(f"{PATH}('{record['id']}')/{handler_path(listener_type)}/$entity")
    document = {"@odata.context": context, **{k: v for k, v in extension.items() if k != "@odata.context"}}
    return json_reply(document)


def set_handler_extension(listener_type: str, call: Call) -> Reply:
    record = existing_of_type(call, listener_type)
    handler_type = model.LISTENER_HANDLERS[listener_type]
    assert handler_type in HANDLER_EXTENSIONS  # the table serves this path only for custom-extension handlers
    wanted = extension_id_from_reference(call.body())
    extension_id = checked_extension(handler_type, wanted, lookup_extension(call))
    _updated(call, record["id"], lambda current: model.with_extension(current, extension_id))
    return no_content()
