"""The application factory: ``create_app(config)`` builds one isolated emulator as a Flask app."""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, Response, current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BaseConverter

from mockgraph.admin import guard
from mockgraph.admin.routes import register_admin
from mockgraph.core.config import MockGraphConfig, coerce_config
from mockgraph.core.contracts import shared_contracts
from mockgraph.core.errors import GraphError
from mockgraph.identity import Gatekeeper
from mockgraph.resources import CATALOG
from mockgraph.storage.sqlite import open_store, with_state_defaults
from mockgraph.storage.store import Store
from mockgraph.web import exposure, hooks
from mockgraph.web.context import request_context
from mockgraph.web.dispatch import make_dispatcher
from mockgraph.web.entra import register_entra_routes
from mockgraph.web.failures import http_error, internal_error
from mockgraph.web.faults import Faults
from mockgraph.web.http import add_graph_headers, assign_request_ids, error_response
from mockgraph.web.pipeline import EmulatorFlask, GraphPipeline
from mockgraph.web.routing import Router
from mockgraph.web.state import EXTENSION_KEY, EmulatorState

# Built once: the tree is immutable and derived from the tables alone.
ROUTER = Router(CATALOG)


class EverythingConverter(BaseConverter):
    """Matches any rest of a path, empty segments included (Microsoft's SDK sends ``/beta//identity``).

    Newlines too: an id with ``%0A`` is still an id (``.`` alone stops at a newline, and the request then
    fell through to a routing 404 that named the first segment).
    """

    regex = "[\\s\\S]*"
    part_isolating = False


def create_app(
    config: MockGraphConfig | dict[str, Any] | None = None,
    *,
    store: Store | None = None,
) -> Flask:
    """A new emulator: its own store, identity and settings. ``config`` may be a mapping of field names."""
    # With a state file, the signing key lives beside it (tokens survive restarts; workers share it).
    settings = with_state_defaults(coerce_config(config))
    # URL builders compiled on first url_for, not here: they were most of the cost of a new app.
    app = EmulatorFlask("mockgraph")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    # Flask enforces the limit before reading; the handler below turns it into Graph's 413.
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    app.url_map.converters["everything"] = EverythingConverter
    # The store first: a damaged state file stops here, and the directory reads its run-time entries from it.
    store = store if store is not None else open_store(settings.state_path)
    gatekeeper = Gatekeeper(settings, catalog=CATALOG, records=store)
    state = EmulatorState(
        config=settings,
        store=store,
        contracts=shared_contracts(),
        gatekeeper=gatekeeper,
        catalog=CATALOG,
        router=ROUTER,
        faults=Faults(CATALOG),
    )
    app.extensions[EXTENSION_KEY] = state
    app.before_request(assign_request_ids)
    # After-request hooks run last-registered first: the observers (the request log) see the response last.
    app.after_request(hooks.observe_response)
    app.after_request(add_graph_headers)
    # The network policy first (untrusted Host names), then the admin guard: refusals that no fault rule,
    # journal hook or view runs before (docs/security.md).
    exposure.install(app)
    guard.install(app)
    register_entra_routes(app, gatekeeper)
    methods = ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"]
    app.add_url_rule(
        "/<everything:path>",
        "graph",
        make_dispatcher(),
        methods=methods,
        provide_automatic_options=False,
    )
    app.register_error_handler(GraphError, error_response)
    app.register_error_handler(HTTPException, _http_exception)
    app.register_error_handler(Exception, _unexpected)
    # The hooks that feed the state's request journal and apply its faults.
    hooks.install(app)
    # The admin API (/_mockgraph/health, reset, seed, snapshot, journal, faults, token, simulate, openapi.json).
    register_admin(app)
    # Last: the hooks and handlers registered by now are the emulator's own (see GraphPipeline).
    app.graph_pipeline = GraphPipeline(app, state)
    return app


def _http_exception(exception: HTTPException) -> Response:
    """Werkzeug's own errors (routing, size limit) in Graph's envelope instead of an HTML page."""
    return http_error(exception, _request(), request_context(), current_app.config["MAX_CONTENT_LENGTH"])


def _unexpected(exception: Exception) -> Response:
    """Any fault inside the emulator: Graph's 500 envelope, never a traceback (which is logged instead)."""
    return internal_error(exception, _request(), request_context(), current_app.config["MAX_CONTENT_LENGTH"])


def _request() -> Request:
    found: Request = request._get_current_object()  # type: ignore[attr-defined]
    return found
