"""Fault injection per app and per operation: Graph-shaped 429/503/504 for the next N or a seeded fraction of calls, and latency.

Pure logic (no Flask): ``decide(operation)`` says how long to wait and which error to raise, and
``mockgraph.web.hooks`` applies it once a request has been routed to its operation.

A spec, as ``configure`` and the admin API take it and ``describe`` returns it::

    {"rules": [
        {"operation": "identity_CreateApiConnector", "status": 429, "count": 2, "retryAfter": 1},
        {"operation": "*", "status": 503, "fraction": 0.25, "seed": 7},
        {"operation": "GET_CONNECTOR", "latencyMs": 150},
    ]}

``operation`` is an operation id, an operation's name (``LIST_CONNECTORS``, any case) or ``*``. A rule with ``status`` fails
either the next ``count`` matching calls or a ``fraction`` of them (drawn from ``random.Random(seed)``,
so a run is repeatable); ``latencyMs`` delays every matching call while the rule is live. A count rule is
spent after its ``count`` failures and then stops matching. The first rule that fails a call wins.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from mockgraph.core.errors import (
    GraphError,
    InvalidRequest,
    ServiceNotAvailable,
    ThrottledRequest,
    UpstreamTimeout,
)
from mockgraph.core.operations import Catalog

ANY_OPERATION = "*"
FAULT_ERRORS: Mapping[int, type[GraphError]] = MappingProxyType(
    {429: ThrottledRequest, 503: ServiceNotAvailable, 504: UpstreamTimeout}
)
# Graph answers throttling with Retry-After; a one-second default keeps tests of retrying clients quick.
DEFAULT_RETRY_AFTER: Mapping[int, int] = MappingProxyType({429: 1})
RULE_KEYS = frozenset({"operation", "status", "count", "fraction", "seed", "retryAfter", "latencyMs"})
MAX_LATENCY_MS = 60_000


class InvalidFaultSpec(InvalidRequest):
    """Raise if a fault spec (from Python, a marker or the admin API) is not one this module understands."""

    def __init__(self, message: str) -> None:
        super().__init__(f"Invalid fault spec: {message}", reason="invalid fault spec")


def operation_id(name: Any, catalog: Catalog) -> str:
    """``*``, an operation id, or an operation's name in any case, as the operation id."""
    if not isinstance(name, str) or not name:
        raise InvalidFaultSpec(f"operation must be a non-empty string, not {name!r}")
    if name == ANY_OPERATION:
        return name
    operation = catalog.find(name)
    if operation is not None:
        return operation.id
    known = ", ".join(sorted(o.id for o in catalog))
    raise InvalidFaultSpec(f"unknown operation {name!r}; use '*' or one of {known}")


def _number(rule: dict[str, Any], key: str, *, integer: bool, low: float, high: float | None) -> Any:
    value: Any = rule[key]
    allowed = isinstance(value, int) or (not integer and isinstance(value, float))
    if isinstance(value, bool) or not allowed or not math.isfinite(value):
        raise InvalidFaultSpec(f"{key} must be {'an integer' if integer else 'a number'}, not {value!r}")
    number = float(value)
    if number < low or (high is not None and number > high):
        upper = f" and at most {high}" if high is not None else ""
        raise InvalidFaultSpec(f"{key} must be at least {low}{upper}, not {value!r}")
    return value


@dataclass
class FaultRule:
    """One validated rule and its counters."""

    operation: str
    status: int | None = None
    count: int | None = None
    fraction: float | None = None
    seed: int = 0
    retry_after: int | None = None
    latency_ms: int = 0
    seen: int = 0
    injected: int = 0
    rng: random.Random = field(default_factory=random.Random, repr=False)

    @classmethod
    def parse(cls, spec: Any, catalog: Catalog) -> FaultRule:
        """Validate one rule mapping; raise InvalidFaultSpec naming the first problem."""
        if not isinstance(spec, dict):
            raise InvalidFaultSpec(f"a rule must be an object, not {spec!r}")
        unknown = sorted(set(spec) - RULE_KEYS)
        if unknown:
            raise InvalidFaultSpec(
                f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(RULE_KEYS))}"
            )
        rule = cls(operation=operation_id(spec.get("operation", ANY_OPERATION), catalog))
        if "latencyMs" in spec:
            rule.latency_ms = _number(spec, "latencyMs", integer=True, low=0, high=MAX_LATENCY_MS)
        if "status" not in spec:
            if {"count", "fraction", "retryAfter"} & set(spec):
                raise InvalidFaultSpec("count, fraction and retryAfter need a status (429, 503 or 504)")
            if not rule.latency_ms:
                raise InvalidFaultSpec("a rule needs a status (429, 503 or 504) or latencyMs")
            return rule
        rule.status = spec["status"]
        if rule.status not in FAULT_ERRORS or isinstance(rule.status, bool):
            raise InvalidFaultSpec(f"status must be one of 429, 503, 504, not {spec['status']!r}")
        if ("count" in spec) == ("fraction" in spec):
            raise InvalidFaultSpec("a failing rule needs exactly one of count or fraction")
        if "count" in spec:
            rule.count = _number(spec, "count", integer=True, low=1, high=None)
        else:
            rule.fraction = float(_number(spec, "fraction", integer=False, low=0, high=1))
        if "seed" in spec:
            rule.seed = _number(spec, "seed", integer=True, low=0, high=None)
        rule.rng = random.Random(rule.seed)
        if "retryAfter" in spec:
            rule.retry_after = _number(spec, "retryAfter", integer=True, low=0, high=3600)
        else:
            rule.retry_after = DEFAULT_RETRY_AFTER.get(rule.status)
        return rule

    @property
    def spent(self) -> bool:
        return self.count is not None and self.injected >= self.count

    def matches(self, operation: str) -> bool:
        return not self.spent and self.operation in (ANY_OPERATION, operation)

    def fails_now(self) -> bool:
        """Whether this matching call fails; draws from the seeded generator for a fraction rule."""
        if self.status is None:
            return False
        if self.count is not None:
            return True
        return self.rng.random() < (self.fraction or 0.0)

    def error(self, index: int) -> GraphError:
        assert self.status is not None
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
        how = f"next {self.count} call(s)" if self.count is not None else f"fraction {self.fraction:g}"
        return FAULT_ERRORS[self.status](reason=f"injected fault: rule {index} ({how})", headers=headers)

    def describe(self) -> dict[str, Any]:
        document: dict[str, Any] = {"operation": self.operation}
        if self.status is not None:
            document["status"] = self.status
            if self.count is not None:
                document["count"] = self.count
                document["remaining"] = max(0, self.count - self.injected)
            else:
                document["fraction"] = self.fraction
                document["seed"] = self.seed
            if self.retry_after is not None:
                document["retryAfter"] = self.retry_after
        if self.latency_ms:
            document["latencyMs"] = self.latency_ms
        document["seen"] = self.seen
        document["injected"] = self.injected
        return document


@dataclass(frozen=True)
class FaultDecision:
    """What to do to one call: wait ``delay`` seconds, then raise ``error`` if there is one."""

    delay: float = 0.0
    error: GraphError | None = None


class Faults:
    """The fault rules of one app. Thread-safe; ``clear()`` between tests."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog  # the operations a rule may name
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def configure(self, spec: dict[str, Any]) -> None:
        """Replace every rule with those of ``spec`` (``{"rules": [...]}``); nothing changes if it is invalid."""
        if not isinstance(spec, dict) or set(spec) - {"rules"}:
            raise InvalidFaultSpec('expected an object {"rules": [...]}')
        rules = spec.get("rules", [])
        if not isinstance(rules, list):
            raise InvalidFaultSpec("rules must be a list")
        parsed = [FaultRule.parse(rule, self._catalog) for rule in rules]
        with self._lock:
            self._rules = parsed

    def add(self, rule: dict[str, Any]) -> None:
        """Append one rule (validated as in ``configure``)."""
        parsed = FaultRule.parse(rule, self._catalog)
        with self._lock:
            self._rules.append(parsed)

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 429,
        operation: str = ANY_OPERATION,
        retry_after: int | None = None,
    ) -> None:
        """Fail the next ``count`` calls of ``operation`` with ``status`` (429, 503 or 504)."""
        rule: dict[str, Any] = {"operation": operation, "status": status, "count": count}
        if retry_after is not None:
            rule["retryAfter"] = retry_after
        self.add(rule)

    def fail_fraction(
        self,
        fraction: float,
        *,
        status: int = 503,
        operation: str = ANY_OPERATION,
        seed: int = 0,
        retry_after: int | None = None,
    ) -> None:
        """Fail a seeded, repeatable ``fraction`` of the calls of ``operation``."""
        rule: dict[str, Any] = {"operation": operation, "status": status, "fraction": fraction, "seed": seed}
        if retry_after is not None:
            rule["retryAfter"] = retry_after
        self.add(rule)

    def add_latency(self, seconds: float, *, operation: str = ANY_OPERATION) -> None:
        """Delay every call of ``operation`` by ``seconds``."""
        self.add({"operation": operation, "latencyMs": round(seconds * 1000)})

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    @property
    def active(self) -> bool:
        """Whether any rule is configured (spent ones included); lets the app skip work when none is."""
        return bool(self._rules)

    def describe(self) -> dict[str, Any]:
        """The live rules with their counters, in the spec's shape."""
        with self._lock:
            return {"rules": [rule.describe() for rule in self._rules]}

    def decide(self, name: str) -> FaultDecision:
        """The latency and the error (if any) for one call of the operation ``name`` (its id); counts it."""
        delay_ms = 0
        error: GraphError | None = None
        with self._lock:
            for index, rule in enumerate(self._rules):
                if not rule.matches(name):
                    continue
                rule.seen += 1
                delay_ms += rule.latency_ms
                if error is None and rule.fails_now():
                    rule.injected += 1
                    error = rule.error(index)
        return FaultDecision(delay_ms / 1000, error)
