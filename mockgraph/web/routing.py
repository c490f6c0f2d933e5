"""Graph path resolution, derived from the operation tables: versions, case-insensitive segments, Graph's errors.

The router is a tree of path segments built once from a ``Catalog``. Werkzeug's router is not used: it
would redirect ``//`` and match case-sensitively, and Graph's answers for an unknown segment (400 naming
the segment) and a known path with another method (405 with ``Allow``) are easiest to give from the tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from mockgraph.core.errors import InvalidRequest, MethodNotSupported, SegmentNotFound
from mockgraph.core.operations import QUALIFIER, VERSIONS, Catalog, Operation, Route, Segment

VERSION_NAMES = {version.lower(): version for version in VERSIONS}
ALIAS = "graph."


def split_version(path: str) -> tuple[str, list[str]]:
    """The Graph version and the non-empty segments after it; raise for a path outside any version."""
    segments = [segment for segment in path.split("/") if segment]
    if not segments:
        raise InvalidRequest("Invalid version: ", reason="no version segment")
    version = VERSION_NAMES.get(segments[0].lower())
    if version is None:
        raise InvalidRequest(f"Invalid version: {segments[0]}", reason=f"unknown version {segments[0]!r}")
    return version, segments[1:]


@dataclass
class _Node:
    """Operations ending here (version -> method -> operation), and the ways on."""

    literals: dict[str, _Node] = field(default_factory=dict)
    actions: dict[str, _Node] = field(default_factory=dict)
    parameter: tuple[str, _Node] | None = None
    versions: set[str] = field(default_factory=set)  # versions with an operation here or below
    methods: dict[str, dict[str, Operation]] = field(default_factory=dict)

    def child(self, segment: Segment) -> _Node:
        if segment.parameter is not None:
            if self.parameter is None:
                self.parameter = (segment.parameter, _Node())
            elif self.parameter[0] != segment.parameter:
                raise ValueError(
                    f"two parameter names at one place: {self.parameter[0]}, {segment.parameter}"
                )
            return self.parameter[1]
        if segment.action:
            node = self.actions.setdefault(segment.text.lower(), _Node())
            # the short name too, so both forms reach one node
            short = segment.text.lower().removeprefix(QUALIFIER)
            self.actions[short] = node
            return node
        node = self.literals.setdefault(segment.text.lower(), _Node())
        if segment.text.lower().startswith(QUALIFIER):
            # A cast may also name its type by the CSDL's alias for microsoft.graph (Alias="graph"): Microsoft's
            # generated SDKs write every cast that way (.../graph.externalUsersSelfServiceSignUpEventsFlow).
            self.literals.setdefault(ALIAS + segment.text.lower().removeprefix(QUALIFIER), node)
        return node

    def step(self, segment: str) -> tuple[_Node, str | None] | None:
        """The node ``segment`` leads to, and the parameter it binds (if any)."""
        lowered = segment.lower()
        node = self.literals.get(lowered) or self.actions.get(lowered)
        if node is not None:
            return node, None
        if self.parameter is not None:
            return self.parameter[1], self.parameter[0]
        return None


class Router:
    """Maps (method, path) to a ``Route``, raising Graph's path errors; built once per catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self._root = _Node()
        for operation in catalog:
            node = self._root
            node.versions.update(operation.versions)
            for segment in operation.segments:
                node = node.child(segment)
                node.versions.update(operation.versions)
            for version in operation.versions:
                node.methods.setdefault(version, {})[operation.method] = operation
        self._freeze(self._root)

    def _freeze(self, node: _Node) -> None:
        for version, methods in node.methods.items():
            node.methods[version] = dict(MappingProxyType(methods))
        for child in (*node.literals.values(), *node.actions.values()):
            self._freeze(child)
        if node.parameter is not None:
            self._freeze(node.parameter[1])

    def resolve(self, method: str, path: str) -> Route:
        """The route for this request; raise SegmentNotFound (400) or MethodNotAllowed (405) as Graph would."""
        version, segments = split_version(path)
        if not segments:
            raise InvalidRequest(
                "The request URI is not valid. The segment after the version is missing.",
                reason="no resource",
            )
        node = self._root
        bound: dict[str, str] = {}
        for segment in segments:
            found = node.step(segment)
            if found is None or version not in found[0].versions:
                raise SegmentNotFound(segment)
            node, parameter = found
            if parameter is not None:
                bound[parameter] = segment
        methods = node.methods.get(version, {})
        operation = methods.get(method.upper())
        if operation is None:
            raise MethodNotSupported(method.upper(), tuple(methods))
        return Route(operation, version, MappingProxyType(bound))
