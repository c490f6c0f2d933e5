"""The custom-authentication-extension handlers: read the parsed options and body, call the model, store, render."""

from __future__ import annotations

from typing import Any

from mockgraph.core.errors import InvalidRequest, QuotaExceeded, ResourceNotFound
from mockgraph.core.odata_parsing import CollectionQuery
from mockgraph.resources.extensions import model
from mockgraph.resources.extensions import query as odata
from mockgraph.resources.extensions.model import COLLECTION
from mockgraph.storage.store import Record
from mockgraph.web.call import Call, Reply, json_reply, no_content, text_reply

PATH = "identity/customAuthenticationExtensions"


def existing(call: Call) -> Record:
    """The addressed extension in the caller's tenant; Graph's 404 when there is none."""
    object_id = call.parameter("id")
    record = call.store.get(call.tenant, COLLECTION, object_id)
    if record is None:
        raise ResourceNotFound(object_id)
    return record


def entity(call: Call, record: Record, select: tuple[str, ...] | None = None) -> dict[str, Any]:
    shape = f"({','.join(select)})" if select else ""
    return {"@odata.context": call.context(f"{PATH}{shape}/$entity"), **model.render(record, select)}


def list_extensions(call: Call) -> Reply:
    options: CollectionQuery = call.query
    page, total, next_offset = odata.apply(call.store.list(call.tenant, COLLECTION), options)
    shape = f"({','.join(options.select)})" if options.select else ""
    document: dict[str, Any] = {"@odata.context": call.context(f"{PATH}{shape}")}
    if options.count:
        document["@odata.count"] = total
    document["value"] = [model.render(dict(record), options.select) for record in page]
    if next_offset is not None:
        document["@odata.nextLink"] = call.next_link(PATH, next_offset - options.skip)
    return json_reply(document)


def count_extensions(call: Call) -> Reply:
    _, total, _ = odata.apply(call.store.list(call.tenant, COLLECTION), call.query)
    return text_reply(str(total), "text/plain;charset=utf-8")


def _check_strictly(call: Call, record: Record) -> None:
    """With ``strict_extension_writes``, refuse a configuration the validator (or the callout) would fail."""
    if not call.config.strict_extension_writes:
        return
    findings = _findings(call, record.get("endpointConfiguration"), record.get("authenticationConfiguration"))
    problems = model.configuration_problems(record, findings)
    if problems:
        raise InvalidRequest(
            "The custom authentication extension's configuration is not valid: " + "; ".join(problems),
            reason="strict_extension_writes: the configuration does not validate",
        )


def create_extension(call: Call) -> Reply:
    record = model.new_record(call.body())
    _check_strictly(call, record)
    try:
        stored = call.store.insert(call.tenant, COLLECTION, record, limit=call.config.extension_limit)
    except QuotaExceeded:
        raise model.ExtensionLimitReached(call.config.extension_limit) from None
    location = call.url(f"{PATH}/{stored['id']}")
    return json_reply(entity(call, stored), 201, {"Location": location})


def get_extension(call: Call) -> Reply:
    select: tuple[str, ...] | None = call.query
    return json_reply(entity(call, existing(call), select))


def update_extension(call: Call) -> Reply:
    current = existing(call)  # an unknown id is 404 before the body is judged
    body = call.body()
    _check_strictly(call, model.patched(current, body))  # a subtype change raises here, before any write
    object_id = call.parameter("id")
    if call.store.update(call.tenant, COLLECTION, object_id, lambda r: model.patched(r, body)) is None:
        raise ResourceNotFound(object_id)
    return no_content()


def delete_extension(call: Call) -> Reply:
    # Listeners that name a deleted extension are left alone (runtime error 1003011 implies they outlive it).
    object_id = call.parameter("id")
    if not call.store.delete(call.tenant, COLLECTION, object_id):
        raise ResourceNotFound(object_id)
    return no_content()


def _findings(call: Call, endpoint: Any, authentication: Any) -> dict[str, list[dict[str, str]]]:
    assert call.directory is not None, "the dispatcher hands every call the directory"
    return model.validate_configuration(
        endpoint,
        authentication,
        tenant_id=call.tenant,
        directory=call.directory,
        hints=call.config.validation_hints,
    )


def _validation(call: Call, findings: dict[str, list[dict[str, str]]]) -> Reply:
    return json_reply({"@odata.context": call.context(model.VALIDATION_TYPE), **findings})


def validate_extension(call: Call) -> Reply:
    """The action bound to one extension: judge its stored configuration (it takes no body)."""
    record = existing(call)
    return _validation(
        call, _findings(call, record.get("endpointConfiguration"), record.get("authenticationConfiguration"))
    )


def validate_configuration(call: Call) -> Reply:
    """The action bound to the collection: judge the configuration in the body (no extension needed)."""
    body = call.body()
    return _validation(
        call, _findings(call, body["endpointConfiguration"], body["authenticationConfiguration"])
    )
