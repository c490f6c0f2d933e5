"""The request lifecycle every in-process figure drives: create 20, get each, patch each, list the 20, then
fill up to 100 (untimed) and list the 100.

A ``Client`` is anything with ``request(method, url, body, headers) -> (status, json or None)``; the Flask
test client, ``requests`` and ``httpx`` are wrapped to that shape so one driver times them all alike.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any, Protocol

from benchmarks.harness import median_of

CONNECTORS = 20  # Graph's per-tenant limit: the list figure lists a full tenant
LARGE = 100  # the second list figure, with the emulator's connector limit lifted
OPERATIONS = ("create", "get", "patch", "list of 20", f"list of {LARGE}")
# Issue 16's ratio targets (value / bare app); patch has none there.
TARGETS: dict[str, float | None] = {
    "create": 1.3,
    "get": 1.3,
    "patch": None,
    "list of 20": 1.5,
    f"list of {LARGE}": 1.5,
}


def create_body(index: int) -> dict[str, Any]:
    return {
        "displayName": f"Bench API {index}",
        "targetUrl": f"https://api.example.com/validate/{index}",
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.basicAuthentication",
            "username": f"user{index}",
            "password": f"bench-password-{index}",
        },
    }


PATCH_BODY = {"displayName": "Renamed API", "targetUrl": "https://api.example.com/renamed"}


def _clock() -> float:
    """This thread's CPU time: the client, the interceptor and the app all run on the calling thread, and
    CPU time leaves out the time other processes held the core (wall time on a shared machine moved the
    same code's ratios by +-0.5x between runs)."""
    return time.thread_time()


class Client(Protocol):
    def __call__(self, method: str, path: str, body: dict[str, Any] | None) -> tuple[int, Any]: ...


def run_lifecycle(client: Client, reset: Callable[[], None], list_calls: int = 20) -> dict[str, float]:
    """Seconds per call of each operation in one pass (after ``reset``); asserts every status."""
    reset()
    timings: dict[str, float] = {}
    ids: list[str] = []
    start = _clock()
    for index in range(CONNECTORS):
        status, document = client("POST", "/beta/identity/apiConnectors", create_body(index))
        assert status == 201, (status, document)
        ids.append(document["id"])
    timings["create"] = (_clock() - start) / CONNECTORS
    start = _clock()
    for object_id in ids:
        status, document = client("GET", f"/beta/identity/apiConnectors/{object_id}", None)
        assert status == 200, (status, document)
    timings["get"] = (_clock() - start) / CONNECTORS
    start = _clock()
    for object_id in ids:
        status, document = client("PATCH", f"/beta/identity/apiConnectors/{object_id}", PATCH_BODY)
        assert status == 204, (status, document)
    timings["patch"] = (_clock() - start) / CONNECTORS
    start = _clock()
    for _ in range(list_calls):
        status, document = client("GET", "/beta/identity/apiConnectors", None)
        assert status == 200, (status, document)
        assert len(document["value"]) == CONNECTORS, document
    timings["list of 20"] = (_clock() - start) / list_calls
    for index in range(CONNECTORS, LARGE):  # untimed: fill the tenant up to the large list
        status, document = client("POST", "/beta/identity/apiConnectors", create_body(index))
        assert status == 201, (status, document)
    large_calls = max(list_calls // 4, 1)
    start = _clock()
    for _ in range(large_calls):
        status, document = client("GET", "/beta/identity/apiConnectors", None)
        assert status == 200, (status, document)
        assert len(document["value"]) == LARGE, len(document["value"])
    timings[f"list of {LARGE}"] = (_clock() - start) / large_calls
    return timings


def median_lifecycles(passes: list[dict[str, float]]) -> dict[str, float]:
    return {operation: median_of([p[operation] for p in passes]) for operation in OPERATIONS}


@dataclass
class Side:
    """One side of a comparison: how to call, how to empty the app, and what to be inside while running."""

    client: Client
    reset: Callable[[], None]
    context: Callable[[], AbstractContextManager[Any]] = nullcontext

    def run(self) -> dict[str, float]:
        with self.context():
            return run_lifecycle(self.client, self.reset)


def compare_lifecycles(
    runs: int, emulator: Side, baseline: Side
) -> tuple[dict[str, float], dict[str, float]]:
    """Median per-operation seconds for the emulator and the baseline, passes interleaved."""
    emulator.run()  # warm-up: imports, caches, the first token verification
    baseline.run()
    emulator_passes: list[dict[str, float]] = []
    baseline_passes: list[dict[str, float]] = []
    for index in range(runs):
        order = [(emulator, emulator_passes), (baseline, baseline_passes)]
        for side, passes in order if index % 2 == 0 else reversed(order):
            passes.append(side.run())
    return median_lifecycles(emulator_passes), median_lifecycles(baseline_passes)
