"""Figure 2: the lifecycle through ``requests`` and ``httpx`` under ``GraphMock``, vs the bare app.

The baseline uses the same interception (``responses`` for requests, the patched httpx transport), the
same routing by host and the same WSGI forwarding (``GraphMock._forward``), and its client sends the same
headers (the bare app ignores the token), so the difference is the emulator alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import SplitResult

import httpx
import requests
from flask import Flask

from benchmarks.bare import create_bare_app, reset_bare
from benchmarks.harness import Figure, Settings
from benchmarks.inprocess import emulator_app
from benchmarks.lifecycle import OPERATIONS, Client, Side, compare_lifecycles
from mockgraph.testing.interceptor import Answer, GraphMock, call_app
from mockgraph.testing.testkit import reset

NAME = "interception"
TITLE = "2. Through the interceptors (requests / httpx, no socket)"
GRAPH = "https://graph.microsoft.com"
TARGET_RATIO = 1.2  # issue 16: through the interceptors, against the bare app under the same interception


class BareMock(GraphMock):
    """The same interception and routing, forwarding every Graph URL to the bare app instead of the emulator."""

    def __init__(self, bare: Flask, emulator: Flask) -> None:
        super().__init__(emulator)
        self.bare = bare

    def _forward(
        self, method: str, parts: SplitResult, headers: Iterable[tuple[str, str]], body: bytes
    ) -> Answer:
        return call_app(self.bare, method, parts, headers, body)


def requests_caller(headers: dict[str, str]) -> Client:
    session = requests.Session()
    session.headers.update(headers)

    def call(method: str, path: str, body: dict[str, Any] | None) -> tuple[int, Any]:
        response = session.request(method, GRAPH + path, json=body)
        return response.status_code, (response.json() if response.content else None)

    return call


def httpx_caller(headers: dict[str, str]) -> Client:
    client = httpx.Client(headers=headers)

    def call(method: str, path: str, body: dict[str, Any] | None) -> tuple[int, Any]:
        response = client.request(method, GRAPH + path, json=body)
        return response.status_code, (response.json() if response.content else None)

    return call


def run(settings: Settings) -> list[Figure]:
    app, headers = emulator_app()
    bare = create_bare_app()
    figures: list[Figure] = []
    for library, make_caller in (("requests", requests_caller), ("httpx", httpx_caller)):
        emulator_median, bare_median = compare_lifecycles(
            settings.repeats(11),
            Side(make_caller(headers), lambda: reset(app), lambda: GraphMock(app)),
            # The same headers on both sides: sending the token costs the client and the interceptor
            # (a 1.5 kB header to validate and copy) whatever app answers; checking it is the emulator's.
            Side(make_caller(headers), lambda: reset_bare(bare), lambda: BareMock(bare, app)),
        )
        figures += [
            Figure(
                TITLE,
                f"{library}: {operation}",
                "s",
                emulator_median[operation],
                f"bare app via {library}",
                bare_median[operation],
                target=TARGET_RATIO,
            )
            for operation in OPERATIONS
        ]
    return figures
