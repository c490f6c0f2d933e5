"""The Graph dispatcher: one view for ``/beta`` and ``/v1.0`` that resolves, authenticates, authorises,
parses the operation's query options, runs its handler and renders its reply.

Everything it knows about operations comes from the catalog it is built with (the resources' tables).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Request, Response, request

from mockgraph.core.operations import Route
from mockgraph.web.call import Call, Reply, parse_query
from mockgraph.web.context import RequestContext, request_context
from mockgraph.web.exposure import base_url
from mockgraph.web.http import json_response, no_content, read_json_body
from mockgraph.web.state import EmulatorState, current_state


def render(reply: Reply) -> Response:
    if reply.document is not None:
        return json_response(reply.document, reply.status, reply.headers)
    if reply.text is not None:
        response = Response(reply.text, status=reply.status, content_type=reply.content_type)
    else:
        response = no_content() if reply.status == 204 else Response(status=reply.status)
    for name, value in reply.headers.items():
        response.headers[name] = value
    return response


def make_dispatcher() -> Callable[[str], Response]:
    """The Flask view serving every Graph path through the app's router."""

    def dispatch(path: str = "") -> Response:
        state = current_state()
        req: Request = request._get_current_object()  # type: ignore[attr-defined]
        # The journal hook resolved the path already when it could (web.hooks); resolve it here otherwise.
        context = request_context()
        route: Route = context.route or state.router.resolve(req.method, req.path)
        return serve_route(state, req, context, route)

    return dispatch


def serve_route(state: EmulatorState, req: Request, context: RequestContext, route: Route) -> Response:
    """Authenticate, authorise, parse the query options, run the handler and render its reply.

    :raises GraphError: for every refusal (the caller turns it into Graph's error response).
    """
    context.route = route
    principal = state.gatekeeper.authenticate(req.headers.get("Authorization"))
    context.principal = principal
    state.gatekeeper.authorize(principal, route.operation)
    # Most calls send no query string: skip parsing an empty one.
    args = req.args.to_dict(flat=False) if req.environ.get("QUERY_STRING") else {}
    config = state.config
    call = Call(
        route=route,
        principal=principal,
        store=state.store,
        contracts=state.contracts,
        config=config,
        clock=state.clock,
        args=args,
        base_url=lambda: base_url(config.network, req),
        read_body=lambda: read_json_body(config.max_body_bytes, req, context),
        query=parse_query(route.operation, args, route.version),
        directory=state.gatekeeper.directory,
    )
    reply: Reply = route.operation.handler(call)
    return render(reply)
