"""The dashboard at ``/_mockgraph/``: the request journal with the reason for every answer, the state, actions.

Served by the emulator itself from this package's ``templates/`` and ``static/`` (shipped in the wheel; no
build step, no CDN). It is a blueprint nested in the admin API's, so the admin API's guard (loopback callers
only) covers every page. Read views are plain HTML; the one script (``static/dashboard.js``) polls the live
parts every 2 s and sends every change to the admin API as JSON with the ``X-MockGraph-CSRF`` token the page
carries. Every response forbids framing, inline script, sniffing and referrers, so a page of another site
can neither embed the dashboard nor act through it.

Pages: ``/_mockgraph/`` (requests), ``/_mockgraph/dashboard/requests/<request-id>``, ``.../state``,
``.../actions``; live parts under ``/_mockgraph/dashboard/live/``; files under ``/_mockgraph/dashboard/static/``.
"""

from __future__ import annotations

from flask import Blueprint, Response

from mockgraph.admin.dashboard.views import (
    actions_page,
    fault_rules,
    request_detail,
    request_rows,
    requests_page,
    state_body,
    state_page,
)
from mockgraph.web.context import request_context

BLUEPRINT_NAME = "dashboard"
# No inline script or style and nothing from elsewhere; fetch only this origin; never inside a frame.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("X-Frame-Options", "DENY"),  # frame-ancestors for browsers that predate it
    # The pages show the state as it is now (and carry the CSRF token): never from a cache.
    ("Cache-Control", "no-store"),
)


def _quiet() -> None:
    # The dashboard reads the journal; its own pages and polls are not calls to record in it (or log).
    request_context().quiet = True


def _security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS:
        response.headers[name] = value
    return response


def dashboard_blueprint() -> Blueprint:
    """The dashboard's routes, to nest in the admin blueprint (``/_mockgraph`` prefix, the admin guard)."""
    blueprint = Blueprint(
        BLUEPRINT_NAME,
        __name__,
        template_folder="templates",
        static_folder="static",
        static_url_path="/dashboard/static",
    )
    blueprint.before_request(_quiet)
    blueprint.after_request(_security_headers)
    routes = (
        ("/", "requests", requests_page),
        ("/dashboard/requests/<request_id>", "request", request_detail),
        ("/dashboard/state", "state", state_page),
        ("/dashboard/actions", "actions", actions_page),
        ("/dashboard/live/requests", "live_requests", request_rows),
        ("/dashboard/live/state", "live_state", state_body),
        ("/dashboard/live/faults", "live_faults", fault_rules),
    )
    for rule, endpoint, view in routes:
        blueprint.add_url_rule(rule, endpoint, view, methods=["GET"])
    return blueprint
