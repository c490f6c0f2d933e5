"""Graph calls served without Flask's request handling: the same steps as the hooks, called directly.

Flask's handling of one request (a request and an app context pushed, a URL adapter bound and matched, a
null session opened and saved, signals sent, every hook wrapped for async) cost about 70 µs, as much as
the emulator's own work for a GET (``python -m benchmarks.profile_paths get``). A Graph call needs none of
it: the router resolves the path, and the steps the hooks run for it (request ids, the Host check, the
fault rules, dispatch, the journal, Graph's headers, the request log) are called here one after another
with the request and its context handed from each to the next. They are the functions the Flask hooks
call, so a request answers alike whichever way it was served.

The pipeline steps aside (``answer`` returns None and Flask serves the request) whenever Flask's own
machinery could matter: a hook, an error handler, a teardown function or a URL-value preprocessor added to
the app after ``create_app``, a receiver of Flask's request signals, ``SERVER_NAME`` or ``TRUSTED_HOSTS``
set, Entra's host names, and every path no Graph operation serves (the admin API, Entra's endpoints, the
dashboard, and every routing error: Flask's rules and error handlers answer those as before).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Flask, Request, Response
from flask.signals import (
    appcontext_popped,
    appcontext_pushed,
    appcontext_tearing_down,
    got_request_exception,
    request_finished,
    request_started,
    request_tearing_down,
)
from werkzeug.exceptions import HTTPException, InternalServerError

from mockgraph.core.errors import GraphError
from mockgraph.core.operations import Route
from mockgraph.web.context import RequestContext, new_context
from mockgraph.web.dispatch import serve_route
from mockgraph.web.exposure import check_host
from mockgraph.web.failures import http_error, internal_error, log
from mockgraph.web.hooks import apply_faults, host_name, is_login_host, notify_observers, record_exchange
from mockgraph.web.http import error_response, graph_headers
from mockgraph.web.lazy_rules import LazyFlask
from mockgraph.web.state import EmulatorState

# At most this many routes, of paths at most this long, are remembered per app: about 2 MB at most
# (tracemalloc, every path 256 characters long).
ROUTE_CACHE_SIZE = 2048
ROUTE_CACHE_PATH_LIMIT = 256

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


def _any_receivers() -> bool:
    """Whether anyone listens to Flask's request or app-context signals (which only Flask sends)."""
    return bool(
        request_started.receivers
        or request_finished.receivers
        or request_tearing_down.receivers
        or got_request_exception.receivers
        or appcontext_pushed.receivers
        or appcontext_popped.receivers
        or appcontext_tearing_down.receivers
    )


def _handlers(app: Flask) -> dict[Any, dict[Any, Callable[..., Any]]]:
    """A copy of the app-wide error handlers (Flask keeps them in dicts it mutates in place)."""
    return {code: dict(handlers) for code, handlers in app.error_handler_spec.get(None, {}).items()}


class GraphPipeline:
    """Serves the Graph calls of one app (made by ``create_app``) as its hooks and dispatcher would.

    Built when the app is complete: the hooks and error handlers present then are the emulator's own, and
    any change to them afterwards hands every request back to Flask.
    """

    def __init__(self, app: Flask, state: EmulatorState) -> None:
        self._app = app
        self._state = state
        # Copies, compared with the app's own lists and dicts on every request (equal unless changed).
        self._before = list(app.before_request_funcs.get(None, ()))
        self._after = list(app.after_request_funcs.get(None, ()))
        self._error_handlers = _handlers(app)
        # Resolved routes by (method, path): immutable, and bounded in count and in path length.
        self._routes: dict[tuple[str, str], Route] = {}

    def flask_needed(self) -> bool:
        """Whether the app holds something only Flask's own request handling would run."""
        app = self._app
        config = app.config
        return (
            app.before_request_funcs.get(None, ()) != self._before
            or app.after_request_funcs.get(None, ()) != self._after
            or bool(app.teardown_request_funcs.get(None))
            or bool(app.url_value_preprocessors.get(None))
            or bool(app.teardown_appcontext_funcs)
            or config["SERVER_NAME"] is not None
            or config["TRUSTED_HOSTS"] is not None
            or _any_receivers()
            or app.error_handler_spec.get(None, {}) != self._error_handlers
        )

    def answer(self, environ: WSGIEnvironment) -> Response | None:
        """The response to a Graph call, or None when Flask must serve this request."""
        if self.flask_needed():
            return None
        if is_login_host(host_name(environ)):
            return None  # Flask's hook answers Entra's 404 there
        app = self._app
        state = self._state
        req: Request = app.request_class(environ)
        route = self._route(req.method, req.path)
        if route is None:
            return None  # not a Graph operation, or a routing error: Flask's rules and handlers answer it
        limit: int | None = app.config["MAX_CONTENT_LENGTH"]
        # Read when the body is: without an app context Flask's Request would not know the app's limit.
        req.max_content_length = limit
        context = new_context(environ.get("HTTP_CLIENT_REQUEST_ID"))
        try:
            # In the hooks' order: the Host check sees the request before its route is known.
            check_host(state.config.network, environ)
            context.route = route
            apply_faults(state, context, environ.get("HTTP_AUTHORIZATION"))
            response = serve_route(state, req, context, route)
        except GraphError as error:
            response = error_response(error, context)
        except HTTPException as exception:
            response = http_error(exception, req, context, limit)
        except Exception as exception:  # every fault answers Graph's 500
            response = internal_error(exception, req, context, limit)
        return self._finish(req, context, response, limit)

    def _route(self, method: str, path: str) -> Route | None:
        """The route of a Graph call (remembered for short paths), or None for a path the router refuses."""
        key = (method, path)
        route = self._routes.get(key)
        if route is not None:
            return route
        try:
            route = self._state.router.resolve(method, path)
        except GraphError:
            return None
        if len(path) <= ROUTE_CACHE_PATH_LIMIT:
            if len(self._routes) >= ROUTE_CACHE_SIZE:
                self._routes.clear()  # a test suite's ids come and go: start over rather than track age
            self._routes[key] = route
        return route

    def _finish(
        self, req: Request, context: RequestContext, response: Response, limit: int | None
    ) -> Response:
        """The after-request steps; a fault in them is Graph's 500, as Flask's handling of one would be."""
        try:
            finish_response(self._state, req, context, response, limit)
        except Exception as exception:
            if self._propagates():
                raise
            log.error(f"Exception on {req.path} [{req.method}]", exc_info=True)
            failure = InternalServerError(original_exception=exception)
            response = http_error(failure, req, context, limit)
            try:
                finish_response(self._state, req, context, response, limit)
            except Exception:
                log.exception("Request finalizing failed with an error while handling an error")
        return response

    def _propagates(self) -> bool:
        propagate = self._app.config["PROPAGATE_EXCEPTIONS"]
        return bool(self._app.testing or self._app.debug) if propagate is None else bool(propagate)


def finish_response(
    state: EmulatorState, req: Request, context: RequestContext, response: Response, limit: int | None
) -> None:
    """The after-request steps in the order Flask runs the hooks: the journal, Graph's headers, then the
    observers (the request log), which see the response as the client will."""
    record_exchange(state, context, req, response, limit)
    graph_headers(response, context)
    notify_observers(state, req, context, response)


class EmulatorFlask(LazyFlask):
    """The emulator's Flask app: Graph calls go through its :class:`GraphPipeline`, the rest through Flask."""

    graph_pipeline: GraphPipeline | None = None

    def wsgi_app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        pipeline = self.graph_pipeline
        if pipeline is not None:
            response = pipeline.answer(environ)
            if response is not None:
                return response(environ, start_response)
        return super().wsgi_app(environ, start_response)
