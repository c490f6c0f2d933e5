"""The Graph views for ``/identity/b2xUserFlows`` and ``/identity/b2cUserFlows``; ``graph_api.HANDLERS`` includes ours.

Handlers take the dispatcher's call object (typed here by ``GraphCall`` so this module never imports
``graph_api``): read options and body, call ``mockgraph.resources.userflows.model``, store, render.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from flask import Response, request

from mockgraph.core.errors import BadRequest, ResourceNotFound
from mockgraph.core.operations import Operation
from mockgraph.resources.connectors import model as connectors
from mockgraph.resources.userflows import model as userflows
from mockgraph.resources.userflows.model import B2C, KINDS, FlowKind, UserFlowConflict
from mockgraph.storage.store import Record
from mockgraph.web.http import json_response, no_content, read_json_body
from mockgraph.web.routing import Route, split_version
from mockgraph.web.state import EmulatorState


class GraphCall(Protocol):
    """What a handler needs from the dispatcher's call (``mockgraph.web.dispatch.Call`` satisfies it)."""

    @property
    def state(self) -> EmulatorState: ...

    @property
    def route(self) -> Route: ...

    @property
    def tenant(self) -> str: ...

    def options(self, allowed: frozenset[str]) -> dict[str, str]: ...

    def context(self, fragment: str) -> str: ...


def kind_of(call: GraphCall) -> FlowKind:
    # The path names the collection (``/{version}/identity/{kind}/...``); routing already refused anything else.
    return KINDS[split_version(request.path)[1][1].lower()]


def existing_flow(call: GraphCall, kind: FlowKind) -> Record:
    flow_id = call.route.object_id or ""
    record = call.state.store.get(call.tenant, kind.collection, flow_id)
    if record is None:
        raise ResourceNotFound(flow_id)
    return record


def connector_record(call: GraphCall, connector_id: str | None) -> Record | None:
    """The stored connector a step names; a connector deleted since reads as no connector (docs/fidelity.md)."""
    if connector_id is None:
        return None
    return call.state.store.get(call.tenant, connectors.COLLECTION, connector_id)


def check_identity_providers_expand(call: GraphCall, kind: FlowKind, allowed: frozenset[str]) -> bool:
    """Whether ``$expand=identityProviders`` was asked for; any other expansion is Graph's 400."""
    options = call.options(allowed)
    if "expand" not in options:
        return False
    for item in options["expand"].split(","):
        if item.strip().lower() != "identityproviders":
            raise BadRequest(
                f"Could not find a property named '{item.strip()}' on type '{kind.type_name}'.",
                reason=f"$expand of {item.strip()!r} on a user flow",
            )
    return True


def list_flows(call: GraphCall) -> Response:
    kind = kind_of(call)
    expand = check_identity_providers_expand(call, kind, frozenset({"expand"}))
    shape = "(identityProviders)" if expand else ""
    values = []
    for record in call.state.store.list(call.tenant, kind.collection):
        rendered = userflows.render(kind, record)
        if expand:
            rendered["identityProviders"] = []  # identity providers are not emulated
        values.append(rendered)
    return json_response({"@odata.context": call.context(f"identity/{kind.segment}{shape}"), "value": values})


def create_flow(call: GraphCall) -> Response:
    kind = kind_of(call)
    body = read_json_body(call.state.config.max_body_bytes)
    userflows.validate(call.state.contracts, kind.create_contract, body, kind.type_name, creating=True)
    record, configured = userflows.new_record(kind, body, lambda cid: connector_record(call, cid) is not None)
    if call.state.store.get(call.tenant, kind.collection, record["id"]) is not None:
        raise UserFlowConflict(
            f"A user flow with the name '{record['id']}' already exists.", reason="duplicate user-flow id"
        )
    stored = call.state.store.insert(call.tenant, kind.collection, record)
    document: dict[str, Any] = {
        "@odata.context": call.context(f"identity/{kind.segment}/$entity"),
        **userflows.render(kind, stored),
    }
    if configured:
        document["apiConnectorConfiguration"] = {}  # "always returns a '{}' value" (reference section 5.2)
    location = f"{request.host_url}{call.route.version}/identity/{kind.segment}/{stored['id']}"
    return json_response(document, 201, {"Location": location})


def get_flow(call: GraphCall) -> Response:
    kind = kind_of(call)
    expand = check_identity_providers_expand(call, kind, frozenset({"expand"}))
    document: dict[str, Any] = {
        "@odata.context": call.context(f"identity/{kind.segment}/$entity"),
        **userflows.render(kind, existing_flow(call, kind)),
    }
    if expand:
        document["identityProviders"] = []
    return json_response(document)


def update_flow(call: GraphCall) -> Response:
    kind = kind_of(call)
    existing_flow(call, kind)  # an unknown id is 404 before the body is judged
    body = read_json_body(call.state.config.max_body_bytes)
    userflows.validate(
        call.state.contracts, "b2cIdentityUserFlowUpdate", body, kind.type_name, creating=False
    )
    changes = userflows.patch_changes(body)
    if (
        call.state.store.update(
            call.tenant, kind.collection, call.route.object_id or "", lambda r: {**r, **changes}
        )
        is None
    ):
        raise ResourceNotFound(call.route.object_id or "")
    return no_content()


def delete_flow(call: GraphCall) -> Response:
    kind = kind_of(call)
    if not call.state.store.delete(call.tenant, kind.collection, call.route.object_id or ""):
        raise ResourceNotFound(call.route.object_id or "")
    return no_content()


def expanded_steps(call: GraphCall, kind: FlowKind, value: str) -> list[str]:
    """The steps a ``$expand`` names, in the order given; ``*`` means every step of the product."""
    known = userflows.ALL_STEPS if call.route.version == "beta" else userflows.V1_STEPS
    steps: list[str] = []
    for item in value.split(","):
        name = item.strip()
        found = list(kind.steps) if name == "*" else [s for s in known if s.lower() == name.lower()]
        if not found:
            raise BadRequest(
                f"Could not find a property named '{name}' on type '{userflows.CONFIGURATION_TYPE}'.",
                reason=f"$expand names unknown step {name!r}",
            )
        steps.extend(step for step in found if step not in steps)
    return steps


def get_configuration(call: GraphCall) -> Response:
    kind = kind_of(call)
    flow = existing_flow(call, kind)
    options = call.options(frozenset({"expand", "select"}))
    steps = expanded_steps(call, kind, options["expand"]) if "expand" in options else []
    base = f"identity/{kind.segment}('{flow['id']}')/apiConnectorConfiguration"
    shape = "(" + ",".join(f"{step}()" for step in steps) + ")" if steps else ""
    document: dict[str, Any] = {"@odata.context": call.context(base + shape)}
    configured = userflows.step_connectors(flow)
    now = call.state.now()
    for step in steps:
        if kind is not B2C:  # the b2x example carries a context per expanded step; the b2c one does not
            document[f"{step}@odata.context"] = call.context(
                f"{base}/{userflows.CONFIGURATION_TYPE}/{step}/$entity"
            )
        record = connector_record(call, configured.get(step))
        document[step] = None if record is None else connectors.render(record, now)
    return json_response(document)


def get_step_connector(call: GraphCall) -> Response:
    kind = kind_of(call)
    flow = existing_flow(call, kind)
    step = call.route.step or ""
    record = connector_record(call, userflows.step_connectors(flow).get(step))
    if record is None:
        raise ResourceNotFound(step, reason=f"no connector configured for {step}")
    context = call.context(
        f"identity/{kind.segment}('{flow['id']}')/apiConnectorConfiguration/{step}/$entity"
    )
    return json_response({"@odata.context": context, **connectors.render(record, call.state.now())})


def set_step_connector(call: GraphCall) -> Response:
    kind = kind_of(call)
    flow = existing_flow(call, kind)
    step = call.route.step or ""
    userflows.check_step_allowed(kind, step, flow["userFlowType"])
    body = read_json_body(call.state.config.max_body_bytes)
    connector_id = userflows.connector_id_from_reference(body)
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

    if call.state.store.update(call.tenant, kind.collection, flow["id"], attach) is None:
        raise ResourceNotFound(flow["id"])
    return no_content()


HANDLERS: dict[Operation, Callable[[GraphCall], Response]] = {
    Operation.LIST_B2X_USER_FLOWS: list_flows,
    Operation.CREATE_B2X_USER_FLOW: create_flow,
    Operation.GET_B2X_USER_FLOW: get_flow,
    Operation.DELETE_B2X_USER_FLOW: delete_flow,
    Operation.LIST_B2C_USER_FLOWS: list_flows,
    Operation.CREATE_B2C_USER_FLOW: create_flow,
    Operation.GET_B2C_USER_FLOW: get_flow,
    Operation.UPDATE_B2C_USER_FLOW: update_flow,
    Operation.DELETE_B2C_USER_FLOW: delete_flow,
    Operation.GET_USER_FLOW_API_CONNECTOR_CONFIGURATION: get_configuration,
    Operation.GET_USER_FLOW_STEP_CONNECTOR: get_step_connector,
    Operation.SET_USER_FLOW_STEP_CONNECTOR: set_step_connector,
}
