"""Figure 1: the lifecycle through Flask's test client, emulator (enforce + validation) vs the bare app."""

from __future__ import annotations

from typing import Any

from flask import Flask

from benchmarks.bare import create_bare_app, reset_bare
from benchmarks.harness import Figure, Settings
from benchmarks.lifecycle import LARGE, OPERATIONS, TARGETS, Client, Side, compare_lifecycles
from mockgraph import create_app
from mockgraph.testing.testkit import Tokens, reset

NAME = "inprocess"
TITLE = "1. In-process request cost (Flask test client)"


def test_client_caller(app: Flask, headers: dict[str, str]) -> Client:
    client = app.test_client()

    def call(method: str, path: str, body: dict[str, Any] | None) -> tuple[int, Any]:
        response = client.open(path, method=method, json=body, headers=headers)
        return response.status_code, response.get_json(silent=True)

    return call


def emulator_app() -> tuple[Flask, dict[str, str]]:
    """An emulator in ``enforce`` mode and the headers of a real token from the identity API; its connector
    limit is lifted so the lifecycle can list ``LARGE`` connectors (the other figures stay under 20)."""
    app = create_app({"auth_mode": "enforce", "connector_limit": LARGE})
    return app, Tokens(app).headers()


def run(settings: Settings) -> list[Figure]:
    app, headers = emulator_app()
    bare = create_bare_app()
    emulator_median, bare_median = compare_lifecycles(
        settings.repeats(15),
        Side(test_client_caller(app, headers), lambda: reset(app)),
        # The same requests, token header included: building a request with a header costs the test client
        # ~30 us, which is the client's work, not the emulator's (the bare app ignores the header).
        Side(test_client_caller(bare, headers), lambda: reset_bare(bare)),
    )
    return [
        Figure(
            TITLE,
            f"{operation} (enforce + validation)",
            "s",
            emulator_median[operation],
            "bare Flask app",
            bare_median[operation],
            target=TARGETS[operation],
        )
        for operation in OPERATIONS
    ]
