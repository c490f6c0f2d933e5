"""Check recorded requests (a journal's ``export()``) against the contracts: did the client send only what Graph accepts?

Each entry is a dict with ``method``, ``path``, ``query`` (``{name: [values]}`` or a query string) and the
JSON body under ``json`` (or ``body``). Bodies in a journal are redacted (a secret-named value, whatever its
type, becomes a string), so the checks are of shape: known
operation, accepted query options, and a body that satisfies its contract; certificate contents are not
(and cannot be) checked. Requests outside ``/beta`` and ``/v1.0`` (token endpoint, admin API) are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mockgraph.core import query
from mockgraph.core.contracts import describe_error, shared_contracts
from mockgraph.core.errors import GraphError
from mockgraph.core.operations import Operation
from mockgraph.web.routing import VERSIONS, resolve

BODY_CONTRACTS = {
    Operation.CREATE_CONNECTOR: "identityApiConnectorCreate",
    Operation.UPDATE_CONNECTOR: "identityApiConnectorUpdate",
    Operation.UPLOAD_CERTIFICATE: "uploadClientCertificate",
}
NO_BODY = {"GET", "DELETE", "HEAD"}


@dataclass(frozen=True)
class RequestViolation:
    """One recorded request that Graph would refuse, and why."""

    index: int
    method: str
    path: str
    problem: str

    def describe(self) -> str:
        return f"#{self.index} {self.method} {self.path}: {self.problem}"


class ContractViolation(AssertionError):
    """Raised by :func:`assert_requests_match_contracts`; ``violations`` lists every offending request."""

    def __init__(self, violations: list[RequestViolation]) -> None:
        self.violations = violations
        lines = "\n".join(f"  - {violation.describe()}" for violation in violations)
        super().__init__(f"{len(violations)} request(s) break the contracts:\n{lines}")


def _query_values(raw: Any) -> dict[str, list[str]]:
    if isinstance(raw, str):
        return parse_qs(raw.lstrip("?"), keep_blank_values=True)
    if isinstance(raw, Mapping):
        return {
            str(k): [str(v) for v in (values if isinstance(values, list) else [values])]
            for k, values in raw.items()
        }
    return {}


def _check_query(operation: Operation, version: str, values: dict[str, list[str]]) -> None:
    """Raise the GraphError the emulator would raise for these query options."""
    allowed = {
        Operation.LIST_CONNECTORS: query.LIST_OPTIONS,
        Operation.COUNT_CONNECTORS: query.COUNT_OPTIONS,
        Operation.GET_CONNECTOR: query.GET_OPTIONS,
    }.get(operation, frozenset())
    first = {name: found[0] for name, found in values.items() if found}
    options = query.read_options(first, lambda name: values.get(name, []), version=version, allowed=allowed)
    if operation is Operation.GET_CONNECTOR:
        if "select" in options:
            query.parse_select(options["select"])
        if "expand" in options:
            query.check_expand(options["expand"])
    elif operation in (Operation.LIST_CONNECTORS, Operation.COUNT_CONNECTORS):
        query.parse_collection_query(options)


def _problems(entry: Mapping[str, Any]) -> Iterable[str]:
    method = str(entry.get("method", "GET")).upper()
    path = urlsplit(str(entry.get("path", ""))).path
    try:
        route = resolve(method, path)
    except GraphError as error:
        yield f"not an operation Graph serves ({error.status} {error.code}: {error.message})"
        return
    try:
        _check_query(route.operation, route.version, _query_values(entry.get("query")))
    except GraphError as error:
        yield f"query refused ({error.code}: {error.message})"
    body = entry.get("json", entry.get("body"))
    if method in NO_BODY and body is not None:
        yield f"a {method} request carries a body"
    contract = BODY_CONTRACTS.get(route.operation)
    if contract is None:
        return
    if not isinstance(body, dict):
        yield f"no JSON object body (the {contract} contract needs one)"
        return
    for failure in sorted(shared_contracts().errors(contract, body), key=lambda e: e.json_path):
        yield f"{describe_error(failure, root_type='microsoft.graph.identityApiConnector')} ({contract} at {failure.json_path})"


def _as_mapping(entry: Any) -> Mapping[str, Any]:
    if isinstance(entry, Mapping):
        return entry
    to_dict = getattr(entry, "to_dict", None)
    if callable(to_dict):
        converted = to_dict()
        if isinstance(converted, Mapping):
            return converted
    raise TypeError(
        f"a journal entry must be a dict (from export()) or have to_dict(), not {type(entry).__name__}"
    )


def check_requests(entries: Iterable[Any]) -> list[RequestViolation]:
    """Every recorded Graph request that breaks a contract (an empty list when all are fine)."""
    violations: list[RequestViolation] = []
    for index, raw in enumerate(entries):
        entry = _as_mapping(raw)
        path = urlsplit(str(entry.get("path", ""))).path
        segments = [segment for segment in path.split("/") if segment]
        if not segments or segments[0].lower() not in VERSIONS:
            continue  # not a Graph call: token endpoint, discovery, admin API
        method = str(entry.get("method", "GET")).upper()
        violations.extend(RequestViolation(index, method, path, problem) for problem in _problems(entry))
    return violations


def assert_requests_match_contracts(entries: Iterable[Any]) -> None:
    """Fail (``ContractViolation``, an ``AssertionError``) if any recorded Graph request breaks a contract."""
    violations = check_requests(entries)
    if violations:
        raise ContractViolation(violations)
