"""The user-flow (authenticationEventsFlow) handlers: read the parsed options and body, call the model, store, render.

Handlers take the dispatcher's ``Call`` and return a ``Reply``; the operation table names them (the cast and step
operations bound with ``functools.partial``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockgraph.core.errors import ResourceNotFound
from mockgraph.core.odata_types import bare
from mockgraph.resources.eventsflows import model
from mockgraph.resources.eventsflows.model import COLLECTION, ENTITY_TYPE, FLOW_TYPE
from mockgraph.resources.listeners.applications import IncludedApplications
from mockgraph.resources.listeners.query import EntityModel, ListQuery, parse_options, select_shape, selected
from mockgraph.resources.listeners.references import (
    EXTENSIONS,
    ExtensionLookup,
    checked_extension,
    extension_id_from_reference,
)
from mockgraph.storage.store import Record
from mockgraph.web.call import Call, Reply, json_reply, no_content, text_reply

PATH = "identity/authenticationEventsFlows"
CAST = bare(FLOW_TYPE)
_PROPERTIES = ("id", "displayName", "description", "conditions", *model.HANDLERS)
_SCALARS = (("id",), ("displayName",), ("description",))
_COLLECTIONS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("conditions", "applications", "includeApplications"): ("appId",),
    ("onAuthenticationMethodLoadStart", "identityProviders"): ("id",),
    ("onAttributeCollection", "attributes"): ("id",),
}
MODELS = {
    "v1.0": EntityModel(ENTITY_TYPE, _PROPERTIES, _SCALARS, _COLLECTIONS, frozenset({FLOW_TYPE})),
    "beta": EntityModel(
        ENTITY_TYPE, (*_PROPERTIES, "priority"), _SCALARS, _COLLECTIONS, frozenset({FLOW_TYPE})
    ),
}


def parse_list(options: Mapping[str, str], version: str) -> ListQuery:
    return parse_options(MODELS[version], options)


# --- helpers ----------------------------------------------------------------------------------------------


def existing(call: Call) -> Record:
    """The addressed flow in the caller's tenant; Graph's 404 when there is none."""
    flow_id = call.parameter("id")
    record = call.store.get(call.tenant, COLLECTION, flow_id)
    if record is None:
        raise ResourceNotFound(flow_id)
    return record


def lookup_extension(call: Call) -> ExtensionLookup:
    return lambda extension_id: call.store.get(call.tenant, EXTENSIONS, extension_id)


def others(call: Call, flow_id: str | None = None) -> list[Record]:
    """The tenant's flows except ``flow_id`` (for names and application links, which are unique across flows)."""
    skipped = flow_id.lower() if flow_id is not None else None
    return [record for record in call.store.list(call.tenant, COLLECTION) if record["id"].lower() != skipped]


def _updated(call: Call, flow_id: str, change: Any) -> Record:
    updated = call.store.update(call.tenant, COLLECTION, flow_id, change)
    if updated is None:
        raise ResourceNotFound(flow_id)
    return updated


def stored_flows(call: Call, query: ListQuery) -> list[Record]:
    records = call.store.list(call.tenant, COLLECTION)
    if query.filter is not None:
        records = [record for record in records if query.filter(record)]
    return records


# --- the flow collection -----------------------------------------------------------------------------------


def list_flows(call: Call, *, cast: bool = False) -> Reply:
    query: ListQuery = call.query
    records = stored_flows(call, query)
    path = f"{PATH}/{CAST}" if cast else PATH
    document: dict[str, Any] = {"@odata.context": call.context(path + select_shape(query.select))}
    if query.count:
        document["@odata.count"] = len(records)
    document["value"] = [selected(model.render(record, call.version), query.select) for record in records]
    return json_reply(document)


def list_cast_flows(call: Call) -> Reply:
    return list_flows(call, cast=True)


def count_flows(call: Call) -> Reply:
    return text_reply(str(len(stored_flows(call, call.query))), "text/plain;charset=utf-8")


def create_flow(call: Call) -> Reply:
    record = model.new_record(call.body(), lookup_extension(call), others(call))
    stored = call.store.insert(call.tenant, COLLECTION, record)
    document = {"@odata.context": call.context(f"{PATH}/$entity"), **model.render(stored, call.version)}
    return json_reply(document, 201, {"Location": call.url(f"{PATH}/{stored['id']}")})


def get_flow(call: Call, *, cast: bool = False) -> Reply:
    query: ListQuery = call.query
    path = f"{PATH}/{CAST}" if cast else PATH
    context = call.context(f"{path}{select_shape(query.select)}/$entity")
    document = selected(model.render(existing(call), call.version), query.select)
    return json_reply({"@odata.context": context, **document})


def get_cast_flow(call: Call) -> Reply:
    return get_flow(call, cast=True)


def update_flow(call: Call) -> Reply:
    record = existing(call)  # an unknown id is 404 before the body is judged
    changed = model.patched(record, call.body(), lookup_extension(call), others(call, record["id"]))
    _updated(call, record["id"], lambda _: changed)
    return no_content()


def delete_flow(call: Call) -> Reply:
    flow_id = call.parameter("id")
    if not call.store.delete(call.tenant, COLLECTION, flow_id):
        raise ResourceNotFound(flow_id)
    return no_content()


# --- conditions/applications/includeApplications ----------------------------------------------------------


def _adding(call: Call, record: Record, app_id: str) -> Any:
    elsewhere = others(call, record["id"])  # an app is linked to one flow at most
    return lambda current: model.with_application(current, app_id, elsewhere)


APPLICATIONS = IncludedApplications(COLLECTION, PATH, "the application is not linked to the flow", _adding)
list_applications = APPLICATIONS.list
add_application = APPLICATIONS.add
get_application = APPLICATIONS.get
remove_application = APPLICATIONS.remove


# --- attaching an extension to an attribute-collection step -----------------------------------------------


def set_step_extension(step: str, call: Call) -> Reply:
    record = existing(call)
    wanted = extension_id_from_reference(call.body())
    extension_id = checked_extension(model.EXTENSION_STEPS[step], wanted, lookup_extension(call))
    _updated(call, record["id"], lambda current: model.with_step_extension(current, step, extension_id))
    return no_content()
