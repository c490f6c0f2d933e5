"""Flask hooks that feed every app's request journal and apply its faults (``EmulatorState.journal``/``faults``).

Also keeps the real hostnames apart when the interceptor forwards them into one app: Entra's routes are
not served on ``graph.microsoft.com``, and Graph's are not served on ``login.microsoftonline.com`` or an
external tenant's ``*.ciamlogin.com``.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Request, Response, current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.sansio.utils import get_host

from mockgraph.core.errors import GraphError
from mockgraph.core.json_limits import JsonRefused, parse_json
from mockgraph.identity.discovery import ciam_label
from mockgraph.web import exposure
from mockgraph.web.context import RequestContext, request_context
from mockgraph.web.faults import Faults
from mockgraph.web.http import REASON_HEADER, set_reason
from mockgraph.web.journal import Journal, JournalEntry
from mockgraph.web.state import EmulatorState, current_state, state_of
from mockgraph.web.tenant_note import tenant_note

GRAPH_HOST = "graph.microsoft.com"
LOGIN_HOST = "login.microsoftonline.com"
GRAPH_ENDPOINT = "graph"


def install(app: Flask) -> None:
    """Register the hooks that feed ``app``'s journal and apply its faults (both made with its state)."""
    app.before_request(_start)
    app.after_request(_finish)
    app.add_url_rule("/common/discovery/instance", "entra_instance_discovery", _instance_discovery)


# Hosts Entra lists as one cloud; MSAL reads them to share its token cache across aliases.
_ALIASES = ("login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net")


def _instance_discovery() -> Response:
    """Entra's instance discovery, which MSAL asks for when it looks for cached tokens under host aliases."""
    endpoint = request.args.get("authorization_endpoint", "")
    segments = [s for s in urlsplit(endpoint).path.split("/") if s]
    tenant = segments[0] if segments else "common"
    base = exposure.base_url(current_state().config.network).rstrip("/")
    document = {
        "tenant_discovery_endpoint": f"{base}/{tenant}/v2.0/.well-known/openid-configuration",
        "api-version": request.args.get("api-version", "1.1"),
        "metadata": [
            {"preferred_network": _ALIASES[0], "preferred_cache": _ALIASES[1], "aliases": list(_ALIASES)},
        ],
    }
    return Response(json.dumps(document), status=200, content_type="application/json; charset=utf-8")


def journal_of(app: Flask) -> Journal:
    return state_of(app).journal


def faults_of(app: Flask) -> Faults:
    return state_of(app).faults


def is_login_host(host: str) -> bool:
    """Entra's own names (``login.microsoftonline.com``, an external tenant's ``*.ciamlogin.com``): no Graph
    route is served there. ``host`` is lower case, without a port."""
    return host == LOGIN_HOST or ciam_label(host) is not None


def _sent_host(environ: dict[str, Any]) -> str:
    """The Host the request named, as sent (the server's name when it sent none)."""
    return str(environ.get("HTTP_HOST") or environ.get("SERVER_NAME") or "")


def host_name(environ: dict[str, Any]) -> str:
    """The request's host name, lower case and without a port (read from the environ: ``Request.host``
    parses and normalises the whole authority, a few µs on every request)."""
    return _sent_host(environ).partition(":")[0].lower()


def _start() -> Response | None:
    context = request_context()
    req: Request = _unproxied(request)
    state = current_state()
    host = host_name(req.environ)
    if req.endpoint != GRAPH_ENDPOINT:
        if host == GRAPH_HOST:
            # Graph itself has no token endpoint: answer as its router would.
            context.unroutable = True
            state.router.resolve(req.method, req.path)
            context.unroutable = False
        return None
    if is_login_host(host):
        context.unroutable = True
        response = Response(
            json.dumps({"error": "not_found", "error_description": f"No Entra endpoint at {req.path}."}),
            status=404,
            content_type="application/json",
        )
        set_reason(response, "not an Entra endpoint")
        return response
    try:
        route = state.router.resolve(req.method, req.path)
    except GraphError:
        return None  # the dispatcher raises it again and answers Graph's error
    context.route = route  # the dispatcher takes it instead of resolving the path again
    apply_faults(state, context, req.headers.get("Authorization"))
    return None


def apply_faults(state: EmulatorState, context: RequestContext, authorization: str | None) -> None:
    """Apply the app's fault rules to a routed request (``context.route`` is set): sleep for a delay,
    raise an injected error.

    Faults hit authenticated callers, as Graph throttles per app; a 401 is left to the dispatcher.
    """
    faults = state.faults
    if not faults.active or context.route is None:
        return
    try:
        context.principal = state.gatekeeper.authenticate(authorization)
    except GraphError:
        return
    decision = faults.decide(context.route.operation.id)
    if decision.delay:
        time.sleep(decision.delay)
    if decision.error is not None:
        raise decision.error


def _finish(response: Response) -> Response:
    return record_exchange(
        current_state(),
        request_context(),
        _unproxied(request),
        response,
        current_app.config.get("MAX_CONTENT_LENGTH"),
    )


def observe_response(response: Response) -> Response:
    """The app's last after-request hook: tell the state's observers (the request log) of the response."""
    state = current_state()
    if state.response_observers:
        notify_observers(state, _unproxied(request), request_context(), response)
    return response


def notify_observers(state: EmulatorState, req: Request, context: RequestContext, response: Response) -> None:
    """Tell each of the state's response observers of an answered request (the last step on both paths)."""
    for observe in state.response_observers:
        observe(req, context, response)


def record_exchange(
    state: EmulatorState,
    context: RequestContext,
    req: Request,
    response: Response,
    body_limit: int | None,
) -> Response:
    """Journal one answered request (unless it is the dashboard's own), with a tenant note on an empty
    answer while other tenants hold the collection. ``body_limit`` is the app's MAX_CONTENT_LENGTH."""
    if context.quiet:  # the dashboard's own page loads and polls
        return response
    entry = _entry(state.journal, context, req, response, body_limit)
    note = tenant_note(state.store, context.principal, context.route, entry.method, entry.status)
    if note is not None:  # an empty answer while other tenants hold the collection: say so
        entry.reason = f"{entry.reason}; {note}" if entry.reason else note
        set_reason(response, entry.reason)
    state.journal.record(entry)
    return response


def _entry(
    journal: Journal, context: RequestContext, req: Request, response: Response, body_limit: int | None
) -> JournalEntry:
    principal = context.principal
    operation = context.route.operation if context.route is not None else None
    routed = req.endpoint not in (None, GRAPH_ENDPOINT) or operation is not None
    document, form, size = _body(req, context, body_limit)
    code, message, reason = _refusal(response, context.error)
    args = req.args if req.environ.get("QUERY_STRING") else None
    return JournalEntry(
        method=req.method,
        path=req.path,
        host=_host(req),
        query={key: args.getlist(key) for key in args} if args else {},
        json=document,
        form=form,
        body_bytes=size,
        principal=principal.describe() if principal is not None else None,
        operation=operation.id if operation is not None else None,
        status=response.status_code,
        error_code=code,
        message=message,
        reason=reason,
        request_id=context.request_id,
        retry_after=_retry_after(response),
        unroutable=context.unroutable or not routed,
        time=journal.clock(),
        started=context.started,
        finished=time.monotonic(),
    )


def _host(req: Request) -> str:
    """``req.host``, computed from the environ: the property builds the request's header view to read Host."""
    environ = req.environ
    try:
        return get_host(req.scheme, environ.get("HTTP_HOST"), req.server, req.trusted_hosts)
    except HTTPException:  # a Host outside Flask's TRUSTED_HOSTS, refused already: journal what was sent
        return _sent_host(environ)


def _unproxied(proxy: Any) -> Any:
    return proxy._get_current_object()


def _body(req: Request, context: RequestContext, limit: int | None) -> tuple[Any, dict[str, str] | None, int]:
    """The JSON document or form (the journal redacts it), and the body's size; raw text is never kept."""
    if req.mimetype == "application/x-www-form-urlencoded":
        # Read through request.form: a view that parsed the form has consumed the raw stream.
        try:
            fields: dict[str, str] | None = req.form.to_dict()
        except HTTPException:
            fields = None
        return None, fields, req.content_length or 0
    length = req.content_length
    if not length and not req.environ.get("wsgi.input_terminated"):
        # No Content-Length (or 0) and no server-terminated stream: Werkzeug reads such a body as empty.
        return None, None, 0
    if limit is not None and (length or 0) > limit:
        return None, None, length or 0
    parsed = context.parsed_body
    if parsed is not None:
        # The view already parsed this body (mockgraph.web.http.read_json_body): same bytes, same document.
        document, size = parsed
        return document, None, size
    try:
        raw = req.get_data(cache=True)
    except HTTPException:
        return None, None, length or 0
    if not raw:
        return None, None, 0
    try:
        # The request parser's limits (depth, finite numbers): what a view would refuse is not kept either.
        return parse_json(raw), None, len(raw)
    except JsonRefused:
        return None, None, len(raw)


def _refusal(response: Response, error: GraphError | None) -> tuple[str | None, str | None, str | None]:
    """The error code, the message the caller read, and the emulator's reason (all None for a success)."""
    if error is not None:
        return error.code, error.message, error.reason
    if response.status_code < 400:
        return None, None, None
    reason = response.headers.get(REASON_HEADER)
    body = response.get_json(silent=True) if response.is_json else None
    found = body.get("error") if isinstance(body, dict) else None
    # Graph's envelope nests code and message; Entra's OAuth errors put a code beside error_description.
    code, message = found, body.get("error_description") if isinstance(body, dict) else None
    if isinstance(found, dict):
        code, message = found.get("code"), found.get("message")
    return _text(code), _text(message), reason


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _retry_after(response: Response) -> float | None:
    # A scan, not headers.get: werkzeug raises and catches an exception for every header it lacks.
    for name, value in response.headers:
        if name.lower() == "retry-after":
            try:
                return float(value)
            except ValueError:
                return None
    return None
