"""Path resolution under ``/identity/b2xUserFlows`` and ``/identity/b2cUserFlows`` (called by ``mockgraph.web.routing``).

Segments match case-insensitively, like the rest of Graph's paths. ``b2cUserFlows`` and ``preTokenIssuance`` exist
only on beta; on v1.0 they are unknown segments, answered with Graph's 400 for a segment.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockgraph.core.errors import MethodNotAllowed, SegmentNotFound
from mockgraph.core.operations import Operation
from mockgraph.resources.userflows.model import B2C, KINDS, PRE_TOKEN_ISSUANCE, canonical_step

CONFIGURATION_SEGMENT = "apiconnectorconfiguration"

_B2X_COLLECTION = {"GET": Operation.LIST_B2X_USER_FLOWS, "POST": Operation.CREATE_B2X_USER_FLOW}
_B2X_ITEM = {"GET": Operation.GET_B2X_USER_FLOW, "DELETE": Operation.DELETE_B2X_USER_FLOW}
_B2C_COLLECTION = {"GET": Operation.LIST_B2C_USER_FLOWS, "POST": Operation.CREATE_B2C_USER_FLOW}
_B2C_ITEM = {
    "GET": Operation.GET_B2C_USER_FLOW,
    "PATCH": Operation.UPDATE_B2C_USER_FLOW,
    "DELETE": Operation.DELETE_B2C_USER_FLOW,
}
_CONFIGURATION = {"GET": Operation.GET_USER_FLOW_API_CONNECTOR_CONFIGURATION}
_STEP = {"GET": Operation.GET_USER_FLOW_STEP_CONNECTOR}
_STEP_REF = {"PUT": Operation.SET_USER_FLOW_STEP_CONNECTOR}


@dataclass(frozen=True)
class FlowRoute:
    """A resolved user-flow request: the operation, the flow id (if any) and the step (if any)."""

    operation: Operation
    flow_id: str | None = None
    step: str | None = None


def is_user_flow_segment(segment: str) -> bool:
    return segment.lower() in KINDS


def resolve(method: str, version: str, segment: str, rest: list[str]) -> FlowRoute:
    """Map ``/identity/{segment}/{rest...}`` to its operation; raise Graph's 400/405 as for connectors."""
    kind = KINDS[segment.lower()]
    if kind is B2C and version != "beta":
        raise SegmentNotFound(segment)
    collection, item = (_B2C_COLLECTION, _B2C_ITEM) if kind is B2C else (_B2X_COLLECTION, _B2X_ITEM)
    if not rest:
        return _pick(collection, method, None, None)
    flow_id = rest[0]
    if len(rest) == 1:
        return _pick(item, method, flow_id, None)
    if rest[1].lower() != CONFIGURATION_SEGMENT:
        raise SegmentNotFound(rest[1])
    if len(rest) == 2:
        return _pick(_CONFIGURATION, method, flow_id, None)
    step = canonical_step(rest[2])
    if step is None or (step == PRE_TOKEN_ISSUANCE and version != "beta"):
        raise SegmentNotFound(rest[2])
    if len(rest) == 3:
        return _pick(_STEP, method, flow_id, step)
    if rest[3].lower() != "$ref" or len(rest) > 4:
        raise SegmentNotFound(rest[3] if rest[3].lower() != "$ref" else rest[4])
    return _pick(_STEP_REF, method, flow_id, step)


def _pick(table: dict[str, Operation], method: str, flow_id: str | None, step: str | None) -> FlowRoute:
    operation = table.get(method.upper())
    if operation is None:
        raise MethodNotAllowed(method.upper(), tuple(table))
    return FlowRoute(operation, flow_id, step)
