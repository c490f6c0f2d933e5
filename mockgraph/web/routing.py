"""Graph path resolution: versions, case-insensitive segments, empty segments, and Graph's path errors.

Kept apart from Flask so that the mapping from (method, path) to an operation is one small table
that is easy to read and to test; Werkzeug's router would redirect ``//`` and match case-sensitively.
"""

from __future__ import annotations

from dataclasses import dataclass

from mockgraph.core.errors import BadRequest, MethodNotAllowed, SegmentNotFound
from mockgraph.core.operations import Operation
from mockgraph.resources.userflows.routing import is_user_flow_segment
from mockgraph.resources.userflows.routing import resolve as resolve_user_flow

VERSIONS = {"beta": "beta", "v1.0": "v1.0"}
UPLOAD_SEGMENTS = ("uploadclientcertificate", "microsoft.graph.uploadclientcertificate")


@dataclass(frozen=True)
class Route:
    """A resolved Graph request: which operation, on which version, for which object."""

    operation: Operation
    version: str
    object_id: str | None = None
    # The apiConnectorConfiguration step a user-flow request addresses (postFederationSignup, ...).
    step: str | None = None


_COLLECTION = {"GET": Operation.LIST_CONNECTORS, "POST": Operation.CREATE_CONNECTOR}
_ITEM = {
    "GET": Operation.GET_CONNECTOR,
    "PATCH": Operation.UPDATE_CONNECTOR,
    "DELETE": Operation.DELETE_CONNECTOR,
}
_UPLOAD = {"POST": Operation.UPLOAD_CERTIFICATE}
_COUNT = {"GET": Operation.COUNT_CONNECTORS}


def split_version(path: str) -> tuple[str, list[str]]:
    """The Graph version and the non-empty segments after it; raise for a path outside any version."""
    segments = [segment for segment in path.split("/") if segment]
    if not segments:
        raise BadRequest("Invalid version: ", reason="no version segment")
    version = VERSIONS.get(segments[0].lower())
    if version is None:
        raise BadRequest(f"Invalid version: {segments[0]}", reason=f"unknown version {segments[0]!r}")
    return version, segments[1:]


def resolve(method: str, path: str) -> Route:
    """Map a request to its operation; raise SegmentNotFound or MethodNotAllowed as Graph would."""
    version, segments = split_version(path)
    if not segments:
        raise BadRequest(
            "The request URI is not valid. The segment after the version is missing.",
            reason="no resource",
        )
    if segments[0].lower() != "identity":
        raise SegmentNotFound(segments[0])
    if len(segments) < 2:
        raise MethodNotAllowed(method, ())
    if is_user_flow_segment(segments[1]):
        flow = resolve_user_flow(method, version, segments[1], segments[2:])
        return Route(flow.operation, version, flow.flow_id, flow.step)
    if segments[1].lower() != "apiconnectors":
        raise SegmentNotFound(segments[1])
    rest = segments[2:]
    if not rest:
        return _pick(_COLLECTION, method, version, None)
    if rest[0] == "$count":
        if len(rest) > 1:
            raise SegmentNotFound(rest[1])
        return _pick(_COUNT, method, version, None)
    object_id = rest[0]
    if len(rest) == 1:
        return _pick(_ITEM, method, version, object_id)
    if rest[1].lower() in UPLOAD_SEGMENTS and len(rest) == 2:
        return _pick(_UPLOAD, method, version, object_id)
    raise SegmentNotFound(rest[1] if rest[1].lower() not in UPLOAD_SEGMENTS else rest[2])


def _pick(table: dict[str, Operation], method: str, version: str, object_id: str | None) -> Route:
    operation = table.get(method.upper())
    if operation is None:
        raise MethodNotAllowed(method.upper(), tuple(table))
    return Route(operation, version, object_id)
