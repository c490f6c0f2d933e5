"""Helpers for the reliability and security suite: a live waitress server on 127.0.0.1 and Graph-error checks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from mockgraph.core.contracts import shared_contracts
from mockgraph.server.threaded import MockGraphServer

COLLECTION_PATH = "/beta/identity/apiConnectors"


@contextmanager
def live_server(app: Flask, *, threads: int = 8) -> Iterator[str]:
    """Serve ``app`` as ``mockgraph serve`` does (waitress) on 127.0.0.1, an ephemeral port; yield its base URL."""
    with MockGraphServer(app, threads=threads) as server:
        yield server.url


def graph_error_problem(status: int, content_type: str, body: bytes) -> str | None:
    """Why a 4xx/5xx answer is not Graph's error envelope (None when it is)."""
    import json

    if not content_type.startswith("application/json"):
        return f"content type {content_type!r}"
    try:
        document = json.loads(body)
    except ValueError:
        return f"body is not JSON: {body[:200]!r}"
    error = shared_contracts().first_error("odataError", document)
    if error is not None:
        return f"not an odataError ({error.message}): {document!r}"[:500]
    return None
