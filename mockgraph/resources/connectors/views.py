"""The API-connector handlers: each reads the parsed options and body, calls the model, stores, renders.

Handlers take the dispatcher's ``Call`` and return a ``Reply``; the operation table names them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mockgraph.core.errors import ResourceNotFound
from mockgraph.core.odata_parsing import CollectionQuery
from mockgraph.resources.connectors import model
from mockgraph.resources.connectors import query as odata
from mockgraph.resources.connectors.model import COLLECTION
from mockgraph.storage.store import shared_get, shared_list
from mockgraph.web.call import Call, Reply, json_reply, no_content, text_reply

PATH = "identity/apiConnectors"


def existing(call: Call) -> Mapping[str, Any]:
    """The addressed connector in the caller's tenant, to read only (rendering copies what it shows);
    Graph's 404 when there is none."""
    object_id = call.parameter("id")
    record = shared_get(call.store, call.tenant, COLLECTION, object_id)
    if record is None:
        raise ResourceNotFound(object_id)
    return record


def entity(call: Call, record: Mapping[str, Any], select: tuple[str, ...] | None = None) -> dict[str, Any]:
    shape = f"({','.join(select)})" if select else ""
    return {
        "@odata.context": call.context(f"{PATH}{shape}/$entity"),
        **model.render(record, call.now(), select),
    }


def list_connectors(call: Call) -> Reply:
    options: CollectionQuery = call.query
    # Filtering, ordering and rendering only read the records: ``render`` builds new documents.
    records = shared_list(call.store, call.tenant, COLLECTION)
    page, total, next_offset = odata.apply(records, options)
    shape = f"({','.join(options.select)})" if options.select else ""
    document: dict[str, Any] = {"@odata.context": call.context(f"{PATH}{shape}")}
    if options.count:
        document["@odata.count"] = total
    now = call.now()
    document["value"] = [model.render(r, now, options.select) for r in page]
    if next_offset is not None:
        document["@odata.nextLink"] = call.next_link(PATH, next_offset - options.skip)
    return json_reply(document)


def count_connectors(call: Call) -> Reply:
    _, total, _ = odata.apply(shared_list(call.store, call.tenant, COLLECTION), call.query)
    return text_reply(str(total), "text/plain;charset=utf-8")


def create_connector(call: Call) -> Reply:
    record = model.new_record(call.body())
    stored = call.store.insert(call.tenant, COLLECTION, record, limit=call.config.connector_limit)
    location = call.url(f"{PATH}/{stored['id']}")
    return json_reply(entity(call, stored), 201, {"Location": location})


def get_connector(call: Call) -> Reply:
    select: tuple[str, ...] | None = call.query
    return json_reply(entity(call, existing(call), select))


def update_connector(call: Call) -> Reply:
    existing(call)  # an unknown id is 404 before the body is judged
    # Certificates are parsed before the store is touched, so a bad blob changes nothing.
    changes = model.changes_from_patch(call.body())
    object_id = call.parameter("id")
    if call.store.update(call.tenant, COLLECTION, object_id, lambda r: {**r, **changes}) is None:
        raise ResourceNotFound(object_id)
    return no_content()


def delete_connector(call: Call) -> Reply:
    object_id = call.parameter("id")
    if not call.store.delete(call.tenant, COLLECTION, object_id):
        raise ResourceNotFound(object_id)
    return no_content()


def upload_certificate(call: Call) -> Reply:
    existing(call)
    body = call.body()
    certificate = model.stored_certificate(body["pkcs12Value"], body["password"])
    object_id = call.parameter("id")
    updated = call.store.update(
        call.tenant,
        COLLECTION,
        object_id,
        lambda record: model.with_uploaded_certificate(record, certificate),
    )
    if updated is None:
        raise ResourceNotFound(object_id)
    return json_reply(entity(call, updated))
