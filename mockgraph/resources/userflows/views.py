"""The user-flow handlers: read the parsed options and body, call the model, store, render.

Each handler is bound to its collection (``FlowKind``) and, for step operations, its step, in the table.
"""

from __future__ import annotations

from typing import Any

from mockgraph.core.errors import InvalidRequest, ResourceNotFound
from mockgraph.resources.connectors import model as connectors
from mockgraph.resources.userflows import model as userflows
from mockgraph.resources.userflows.model import B2C, FlowKind, UserFlowConflict
from mockgraph.storage.store import Record
from mockgraph.web.call import Call, Reply, json_reply, no_content


def existing_flow(call: Call, kind: FlowKind) -> Record:
    flow_id = call.parameter("id")
    record = call.store.get(call.tenant, kind.collection, flow_id)
    if record is None:
        raise ResourceNotFound(flow_id)
    return record


def connector_record(call: Call, connector_id: str | None) -> Record | None:
    """The stored connector a step names; a connector deleted since reads as no connector (docs/fidelity.md)."""
    if connector_id is None:
        return None
    return call.store.get(call.tenant, connectors.COLLECTION, connector_id)


def parse_identity_providers_expand(kind: FlowKind, options: dict[str, str], version: str) -> bool:
    """Whether ``$expand=identityProviders`` was asked for; any other expansion is Graph's 400."""
    if "expand" not in options:
        return False
    for item in options["expand"].split(","):
        if item.strip().lower() != "identityproviders":
            raise InvalidRequest(
                f"Could not find a property named '{item.strip()}' on type '{kind.type_name}'.",
                reason=f"$expand of {item.strip()!r} on a user flow",
            )
    return True


def parse_expanded_steps(kind: FlowKind, options: dict[str, str], version: str) -> list[str]:
    """The steps a ``$expand`` names, in the order given; ``*`` means every step of the product."""
    if "expand" not in options:
        return []
    known = userflows.ALL_STEPS if version == "beta" else userflows.V1_STEPS
    steps: list[str] = []
    for item in options["expand"].split(","):
        name = item.strip()
        found = list(kind.steps) if name == "*" else [s for s in known if s.lower() == name.lower()]
        if not found:
            raise InvalidRequest(
                f"Could not find a property named '{name}' on type '{userflows.CONFIGURATION_TYPE}'.",
                reason=f"$expand names unknown step {name!r}",
            )
        steps.extend(step for step in found if step not in steps)
    return steps


def check_create_body(kind: FlowKind, contracts: Any, body: Any) -> dict[str, Any]:
    userflows.validate(contracts, kind.create_contract, body, kind.type_name, creating=True, kind=kind)
    assert isinstance(body, dict)  # the contract requires an object
    return body


def check_update_body(kind: FlowKind, contracts: Any, body: Any) -> dict[str, Any]:
    userflows.validate(contracts, "b2cIdentityUserFlowUpdate", body, kind.type_name, creating=False)
    assert isinstance(body, dict)
    return body


def check_reference_body(contracts: Any, body: Any) -> dict[str, Any]:
    userflows.connector_id_from_reference(body)  # raises Graph's 400 for anything but a reference
    assert isinstance(body, dict)
    return body


def check_foreign_step_body(kind: FlowKind, step: str, contracts: Any, body: Any) -> dict[str, Any]:
    """A step this product never runs is refused whatever the body says (so the checker knows it too)."""
    userflows.check_step_allowed(kind, step, "")
    return check_reference_body(contracts, body)


def list_flows(kind: FlowKind, call: Call) -> Reply:
    expand: bool = call.query
    shape = "(identityProviders)" if expand else ""
    values = []
    for record in call.store.list(call.tenant, kind.collection):
        rendered = userflows.render(kind, record)
        if expand:
            rendered["identityProviders"] = []  # identity providers are not emulated
        values.append(rendered)
    return json_reply({"@odata.context": call.context(f"identity/{kind.segment}{shape}"), "value": values})


def create_flow(kind: FlowKind, call: Call) -> Reply:
    body = call.body()
    record, configured = userflows.new_record(kind, body, lambda cid: connector_record(call, cid) is not None)
    if call.store.get(call.tenant, kind.collection, record["id"]) is not None:
        raise UserFlowConflict(
            f"A user flow with the name '{record['id']}' already exists.", reason="duplicate user-flow id"
        )
    stored = call.store.insert(call.tenant, kind.collection, record)
    document: dict[str, Any] = {
        "@odata.context": call.context(f"identity/{kind.segment}/$entity"),
        **userflows.render(kind, stored),
    }
    if configured:
        document["apiConnectorConfiguration"] = {}  # "always returns a '{}' value" (reference section 5.2)
    location = call.url(f"identity/{kind.segment}/{stored['id']}")
    return json_reply(document, 201, {"Location": location})


def get_flow(kind: FlowKind, call: Call) -> Reply:
    expand: bool = call.query
    document: dict[str, Any] = {
        "@odata.context": call.context(f"identity/{kind.segment}/$entity"),
        **userflows.render(kind, existing_flow(call, kind)),
    }
    if expand:
        document["identityProviders"] = []
    return json_reply(document)


def update_flow(kind: FlowKind, call: Call) -> Reply:
    existing_flow(call, kind)  # an unknown id is 404 before the body is judged
    changes = userflows.patch_changes(call.body())
    flow_id = call.parameter("id")
    if call.store.update(call.tenant, kind.collection, flow_id, lambda r: {**r, **changes}) is None:
        raise ResourceNotFound(flow_id)
    return no_content()


def delete_flow(kind: FlowKind, call: Call) -> Reply:
    flow_id = call.parameter("id")
    if not call.store.delete(call.tenant, kind.collection, flow_id):
        raise ResourceNotFound(flow_id)
    return no_content()


def get_configuration(kind: FlowKind, call: Call) -> Reply:
    flow = existing_flow(call, kind)
    steps: list[str] = call.query
    base = f"identity/{kind.segment}('{flow['id']}')/apiConnectorConfiguration"
    shape = "(" + ",".join(f"{step}()" for step in steps) + ")" if steps else ""
    document: dict[str, Any] = {"@odata.context": call.context(base + shape)}
    configured = userflows.step_connectors(flow)
    now = call.now()
    for step in steps:
        if kind is not B2C:  # the b2x example carries a context per expanded step; the b2c one does not
            document[f"{step}@odata.context"] = call.context(
                f"{base}/{userflows.CONFIGURATION_TYPE}/{step}/$entity"
            )
        record = connector_record(call, configured.get(step))
        document[step] = None if record is None else connectors.render(record, now)
    return json_reply(document)


def get_step_connector(kind: FlowKind, step: str, call: Call) -> Reply:
    flow = existing_flow(call, kind)
    record = connector_record(call, userflows.step_connectors(flow).get(step))
    if record is None:
        raise ResourceNotFound(step, reason=f"no connector configured for {step}")
    context = call.context(
        f"identity/{kind.segment}('{flow['id']}')/apiConnectorConfiguration/{step}/$entity"
    )
    return json_reply({"@odata.context": context, **connectors.render(record, call.now())})


def set_step_connector(kind: FlowKind, step: str, call: Call) -> Reply:
    flow = existing_flow(call, kind)
    userflows.check_step_allowed(kind, step, flow["userFlowType"])
    connector_id = userflows.connector_id_from_reference(call.body())
    if connector_id is not None:
        connector = connector_record(call, connector_id)
        if connector is None:
            raise userflows.unknown_connector(connector_id)
        connector_id = connector["id"]

    def attach(record: Record) -> Record:
        return {
            **record,
            "apiConnectorConfiguration": {**record["apiConnectorConfiguration"], step: connector_id},
        }

    if call.store.update(call.tenant, kind.collection, flow["id"], attach) is None:
        raise ResourceNotFound(flow["id"])
    return no_content()
