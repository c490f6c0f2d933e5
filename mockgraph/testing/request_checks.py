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

from mockgraph.core.contracts import describe_error, shared_contracts
from mockgraph.core.errors import GraphError
from mockgraph.core.operations import Catalog, Operation
from mockgraph.resources import CATALOG
from mockgraph.web.call import parse_query
from mockgraph.web.routing import VERSION_NAMES, Router

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


def _problems(entry: Mapping[str, Any], router: Router) -> Iterable[str]:
    method = str(entry.get("method", "GET")).upper()
    path = urlsplit(str(entry.get("path", ""))).path
    try:
        route = router.resolve(method, path)
    except GraphError as error:
        yield f"not an operation Graph serves ({error.status} {error.code}: {error.message})"
        return
    try:
        # The dispatcher's own parser, so the emulator and the checker judge options alike.
        parse_query(route.operation, _query_values(entry.get("query")), route.version)
    except GraphError as error:
        yield f"query refused ({error.code}: {error.message})"
    body = entry.get("json", entry.get("body"))
    if method in NO_BODY and body is not None:
        yield f"a {method} request carries a body"
    yield from _body_problems(route.operation, route.version, body)


def _body_problems(operation: Operation, version: str, body: Any) -> Iterable[str]:
    if operation.body is None:
        return
    rule = operation.body.on(version)  # a version may judge bodies by its own contract (beta's extras)
    if not isinstance(body, dict):
        yield f"no JSON object body (the {rule.contract} contract needs one)"
        return
    contracts = shared_contracts()
    if rule.normalize is not None:
        body = rule.normalize(body)
    failures = sorted(contracts.errors(rule.contract, body), key=lambda e: e.json_path)
    for failure in failures:
        yield f"{describe_error(failure, root_type=_root_type(operation))} ({rule.contract} at {failure.json_path})"
    if failures:
        return
    try:
        # The operation's own check: what the contract cannot say (types, references, observed refusals).
        rule.check(contracts, body)
    except GraphError as error:
        yield f"body refused ({error.code}: {error.message})"


def _root_type(operation: Operation) -> str:
    return operation.body.entity_type if operation.body is not None else ""


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


def check_requests(entries: Iterable[Any], *, catalog: Catalog = CATALOG) -> list[RequestViolation]:
    """Every recorded Graph request that breaks a contract (an empty list when all are fine)."""
    router = Router(catalog)
    violations: list[RequestViolation] = []
    for index, raw in enumerate(entries):
        entry = _as_mapping(raw)
        path = urlsplit(str(entry.get("path", ""))).path
        segments = [segment for segment in path.split("/") if segment]
        if not segments or segments[0].lower() not in VERSION_NAMES:
            continue  # not a Graph call: token endpoint, discovery, admin API
        method = str(entry.get("method", "GET")).upper()
        violations.extend(
            RequestViolation(index, method, path, problem) for problem in _problems(entry, router)
        )
    return violations


def assert_requests_match_contracts(entries: Iterable[Any]) -> None:
    """Fail (``ContractViolation``, an ``AssertionError``) if any recorded Graph request breaks a contract."""
    violations = check_requests(entries)
    if violations:
        raise ContractViolation(violations)
