"""The per-request hand-offs: one RequestContext that the hooks, the dispatcher, the error handler, Graph's headers,
the journal and the request log all read and write, so what one writes is what the others report."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from flask import Flask

from mockgraph import create_app
from mockgraph.resources import CATALOG
from mockgraph.server import request_log
from mockgraph.web.context import RequestContext, request_context
from mockgraph.web.state import state_of
from tests.conftest import BASIC_BODY

COLLECTION = "/beta/identity/apiConnectors"


def test_the_context_is_made_once_per_request_with_graphs_ids() -> None:
    app = Flask("plain")  # any app: the context needs a request, not an emulator
    with app.test_request_context(COLLECTION, headers={"client-request-id": " caller-id "}):
        context = request_context()
        assert isinstance(context, RequestContext)
        assert request_context() is context
        assert uuid.UUID(context.request_id).version == 4
        assert context.client_request_id == "caller-id"
        assert (context.route, context.principal, context.error, context.parsed_body) == (None,) * 4
    with app.test_request_context(COLLECTION):
        fresh = request_context()
        assert fresh is not context
        assert fresh.client_request_id == fresh.request_id  # none sent: Graph echoes its own id


def test_a_refused_request_reports_the_same_ids_and_error_everywhere(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app()  # enforce: no token is a 401 from the dispatcher
    request_log.install(app, log_format="json")
    with caplog.at_level(logging.INFO, logger=request_log.LOGGER_NAME):
        response = app.test_client().get(COLLECTION, headers={"client-request-id": "trace-1"})
    assert response.status_code == 401
    inner = response.get_json()["error"]["innerError"]
    (entry,) = state_of(app).journal.export()
    (line,) = [json.loads(r.getMessage()) for r in caplog.records if r.name == request_log.LOGGER_NAME]
    request_id = response.headers["request-id"]
    assert inner["request-id"] == entry["requestId"] == line["requestId"] == request_id
    assert inner["client-request-id"] == response.headers["client-request-id"] == "trace-1"
    assert entry["errorCode"] == line["error"] == response.get_json()["error"]["code"]
    assert entry["operation"] == CATALOG["LIST_CONNECTORS"].id  # the dispatcher's route reached the journal
    assert entry["principal"] is None
    assert entry["durationMs"] >= 0
    assert line["ms"] >= 0


def test_the_journal_keeps_the_principal_route_and_body_the_view_handed_over() -> None:
    app = create_app({"auth_mode": "off"})
    client = app.test_client()
    raw = json.dumps(BASIC_BODY).encode()
    created = client.post(COLLECTION, data=raw, content_type="application/json")
    assert created.status_code == 201
    (entry,) = state_of(app).journal.entries()
    assert entry.operation == CATALOG["CREATE_CONNECTOR"].id
    assert entry.principal is not None
    assert entry.principal["kind"] == "app"
    assert entry.json is not None
    assert entry.json["displayName"] == BASIC_BODY["displayName"]
    assert entry.json["authenticationConfiguration"]["password"] == "<redacted>"
    assert entry.body_bytes == len(raw)
    assert not entry.unroutable


def test_a_graph_path_on_the_login_host_is_journaled_unroutable() -> None:
    app = create_app({"auth_mode": "off"})
    response = app.test_client().get(COLLECTION, base_url="https://login.microsoftonline.com")
    assert response.status_code == 404
    (entry,) = state_of(app).journal.entries()
    assert entry.unroutable
    assert entry.operation is None
