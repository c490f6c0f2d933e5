"""The operation table's types: what one Graph operation is, as data every consumer reads.

A resource package declares a ``ResourceTable`` of ``Operation`` rows. Routing, dispatch, authorisation, the
served OpenAPI, the request checker, the verifier's coverage and the permission table in the docs are all
derived from these rows (see ``Catalog``); nothing else lists operations.

Path templates are written after the version (``identity/apiConnectors/{id}``) and may hold:

- literal segments, matched case-insensitively (``apiConnectorConfiguration``, ``$count``, ``$ref``);
- cast segments, literals in their qualified form (``microsoft.graph.externalUsersSelfServiceSignUpEventsFlow``),
  which the router also matches by the CSDL's alias (``graph.externalUsersSelfServiceSignUpEventsFlow``);
- key parameters in braces (``{id}``, ``{appId}``), each matching one non-empty segment;
- a bound action or function as the last segment when ``action=True``, matched in its short and its
  ``microsoft.graph.``-qualified form (the template writes the qualified one, as Graph's OpenAPI does).

This module is pure data: no Flask, no storage. Handlers are called by the web layer with its ``Call``
and return its ``Reply`` (``mockgraph.web.call``); core sits below both, so it types them loosely.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

VERSIONS = ("beta", "v1.0")
QUALIFIER = "microsoft.graph."

# A handler takes the web layer's Call and returns its Reply (see the module docstring).
Handler = Callable[[Any], Any]
# Parses an operation's query options (by bare name) for one version; raises GraphError as Graph would.
QueryParser = Callable[[Mapping[str, str], str], Any]
# Validates a JSON body against the operation's contract and rules; returns the body; raises GraphError.
BodyCheck = Callable[[Any, Any], dict[str, Any]]


@dataclass(frozen=True)
class Permissions:
    """What one operation accepts: any ONE application permission, or a delegated scope plus a directory role.

    Order matters: ``application`` is listed in Graph's 403 message in this order.
    """

    application: tuple[str, ...]
    delegated: tuple[str, ...]
    roles: tuple[str, ...]
    personal_accounts: bool = False


@dataclass(frozen=True)
class QueryOptions:
    """The system query options an operation accepts (bare names) and how the emulator parses them."""

    allowed: frozenset[str]
    parse: QueryParser


@dataclass(frozen=True)
class Body:
    """An operation's request body: the contract it is documented by, and the check the emulator runs.

    ``check(contracts, document)`` raises the GraphError Graph would answer; the request checker runs the
    same function, so the emulator and ``check_requests`` cannot disagree. ``by_type`` names the contract
    per ``@odata.type`` for bodies whose shape the type chooses; ``versions`` holds the rule of a version
    whose contract differs (both the dispatcher and the checker ask ``on(version)``).
    """

    contract: str
    check: BodyCheck
    # The entity type errors name (``microsoft.graph.identityApiConnector``).
    entity_type: str = ""
    by_type: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # The rule on a version whose body differs (beta's extra properties: ``{"beta": Body(...Beta)}``); this
    # rule itself holds on every other version and is the one the OpenAPI document shows.
    versions: Mapping[str, Body] = field(default_factory=lambda: MappingProxyType({}))

    def on(self, version: str) -> Body:
        """The rule a request on ``version`` is judged by."""
        return self.versions.get(version, self)

    # What Graph reads before the contract applies (type names in another letter case spelled canonically);
    # ``check`` applies it itself, and the request checker applies it before listing contract violations.
    normalize: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class Segment:
    """One segment of a path template."""

    text: str
    parameter: str | None = None  # the key name for ``{name}``
    action: bool = False  # accepts the short and the qualified name

    def matches(self, segment: str) -> bool:
        if self.parameter is not None:
            return bool(segment)
        lowered = segment.lower()
        name = self.text.lower()
        if self.action:
            return lowered in (name, name.removeprefix(QUALIFIER))
        return lowered == name


@dataclass(frozen=True, eq=False)
class Operation:
    """One row of a resource's table (compared and hashed by identity: each row is one operation).

    ``name`` is the stable Python-style name (``LIST_CONNECTORS``: fault rules and markers use it); ``id`` is
    the OpenAPI operation id (the official one where Microsoft publishes it).
    """

    name: str
    id: str
    method: str
    path: str
    handler: Handler = field(compare=False)
    allow: Permissions
    summary: str
    versions: tuple[str, ...] = VERSIONS
    body: Body | None = None
    query: QueryOptions | None = None
    action: bool = False
    status: int = 200
    # The success response: a contract name (JSON), a raw OpenAPI content map, or None (no body).
    response: str | Mapping[str, Any] | None = None
    response_description: str = "Success"
    # OpenAPI parameter components (by the resource's component names) and documented refusals.
    parameters: tuple[str, ...] = ()
    refusals: tuple[tuple[str, str], ...] = ()

    @cached_property
    def segments(self) -> tuple[Segment, ...]:
        # Parsed once per row: the journal's tenant note reads them on every list (a regex per segment).
        return parse_template(self.path, action=self.action)


def parse_template(path: str, *, action: bool = False) -> tuple[Segment, ...]:
    """The segments of ``path``; raise ValueError for a template the router could not serve."""
    texts = path.split("/")
    if not path or any(not text for text in texts):
        raise ValueError(f"empty segment in path template {path!r}")
    segments: list[Segment] = []
    for index, text in enumerate(texts):
        if text.startswith("{") and text.endswith("}"):
            name = text[1:-1]
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name):
                raise ValueError(f"bad parameter {text!r} in {path!r}")
            segments.append(Segment(text, parameter=name))
        elif "{" in text or "}" in text:
            raise ValueError(f"a parameter must be a whole segment: {text!r} in {path!r}")
        else:
            last = index == len(texts) - 1
            segments.append(Segment(text, action=action and last))
    if action and segments[-1].parameter is not None:
        raise ValueError(f"an action's last segment must be its name: {path!r}")
    names = [s.parameter for s in segments if s.parameter]
    if len(names) != len(set(names)):
        raise ValueError(f"a parameter name repeats in {path!r}")
    return tuple(segments)


@dataclass(frozen=True)
class ResourceTable:
    """One Graph resource's operations, and what the served OpenAPI needs to describe them."""

    name: str
    operations: tuple[Operation, ...]
    tag: str
    # OpenAPI: the path-parameter name per template parameter (``id`` -> ``identityApiConnector-id``),
    # the parameter components the operations name, and the contracts (schemas) they use.
    path_parameters: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    openapi_parameters: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))
    contracts: tuple[str, ...] = ()
    # Why an operation has no verify scenario (name -> reason); the verifier covers the rest.
    unverified: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        seen: set[tuple[str, str, str]] = set()
        names: set[str] = set()
        for operation in self.operations:
            operation.segments  # noqa: B018 - a bad template fails when the table is built
            for version in operation.versions:
                if version not in VERSIONS:
                    raise ValueError(f"{operation.name}: unknown version {version!r}")
                key = (version, operation.method, operation.path.lower())
                if key in seen:
                    raise ValueError(
                        f"{operation.name}: {operation.method} {operation.path} twice on {version}"
                    )
                seen.add(key)
            if operation.name in names:
                raise ValueError(f"operation name {operation.name} twice in {self.name}")
            names.add(operation.name)

    def __getitem__(self, name: str) -> Operation:
        for operation in self.operations:
            if operation.name == name:
                return operation
        raise KeyError(name)


@dataclass(frozen=True)
class Route:
    """A resolved Graph request: which operation, on which version, with which path parameters."""

    operation: Operation
    version: str
    parameters: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def object_id(self) -> str | None:
        return self.parameters.get("id")


class Catalog:
    """Every registered resource table, and what is derived from all of them together."""

    def __init__(self, tables: Iterable[ResourceTable]) -> None:
        self.tables = tuple(tables)
        self.operations = tuple(op for table in self.tables for op in table.operations)
        by_name: dict[str, Operation] = {}
        for operation in self.operations:
            for key in (operation.name, operation.id):
                if key in by_name and by_name[key] is not operation:
                    raise ValueError(f"two operations are called {key}")
                by_name[key] = operation
        self._by_name = MappingProxyType(by_name)

    def __iter__(self) -> Iterator[Operation]:
        return iter(self.operations)

    def __getitem__(self, name: str) -> Operation:
        found = self.find(name)
        if found is None:
            raise KeyError(name)
        return found

    def find(self, name: str) -> Operation | None:
        """The operation with this name (``LIST_CONNECTORS``, any case) or operation id."""
        return self._by_name.get(name) or self._by_name.get(name.upper())

    def application_permissions(self) -> tuple[str, ...]:
        """Every application permission any operation accepts (what a full-permission app token carries)."""
        return _union(op.allow.application for op in self.operations)

    def delegated_scopes(self) -> tuple[str, ...]:
        """Every delegated scope any operation accepts (what a full-permission user token carries)."""
        return _union(op.allow.delegated for op in self.operations)

    def directory_roles(self) -> tuple[str, ...]:
        """Every directory role any operation accepts."""
        return _union(op.allow.roles for op in self.operations)


EMPTY_CATALOG = Catalog(())


def _union(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        for name in group:
            seen.setdefault(name, None)
    return tuple(seen)
