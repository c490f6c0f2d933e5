"""The one guard of every ``/_mockgraph`` route: who may call the admin API, and how a change must be sent.

It is an app-wide hook keyed on the path, not a blueprint's, so a rule added under the prefix in any way
(a blueprint, ``app.add_url_rule``, an unknown path the Graph catch-all would answer) passes it too.

- Callers must be on this machine (a loopback peer address, IPv4-mapped ones included): the API needs no
  token, so the peer address is its credential, as for a local database's admin socket. Two read-only
  documents are public (``PUBLIC_PATHS``): health, for container and Kubernetes probes that come from
  another address, and the OpenAPI description; neither holds stored data.
- State-changing calls (every method but GET, HEAD, OPTIONS) must carry ``Content-Type: application/json``
  or the dashboard's ``X-MockGraph-CSRF`` token, and no foreign ``Origin``. A web page in the developer's
  browser can send a cross-site form or a ``no-cors`` fetch only with a form or ``text/plain`` type, and
  cannot set either header without a CORS preflight, which this server never grants.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, current_app, request

from mockgraph.core.errors import AuthorizationDenied, UnsupportedContentType
from mockgraph.core.network import is_loopback_address, origin_is_trusted
from mockgraph.web.state import current_state

ADMIN_PREFIX = "/_mockgraph"
PUBLIC_PATHS = frozenset({f"{ADMIN_PREFIX}/health", f"{ADMIN_PREFIX}/openapi.json"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-MockGraph-CSRF"
_CSRF_KEY = "mockgraph.admin_csrf"
_ECHO_LIMIT = 100


class NotLoopback(AuthorizationDenied):
    """Raise if an admin call comes from another machine."""

    default_message = "The mockgraph admin API answers callers on this machine (loopback) only."


class ForeignOrigin(AuthorizationDenied):
    """Raise if a state-changing admin call was sent by a page of another origin."""

    default_message = (
        "The mockgraph admin API refuses changes sent by a web page of another origin. Send them from the "
        "command line (no Origin header), or allow the page's host with --allowed-host."
    )


class WrongCsrfToken(AuthorizationDenied):
    """Raise if a state-changing admin call carries a CSRF header that is not this server's token."""

    default_message = f"The {CSRF_HEADER} header does not hold this server's token."


class AdminNotJson(UnsupportedContentType):
    """Raise if a state-changing admin call is sent as something a cross-site form could send."""

    def __init__(self, content_type: str) -> None:
        super().__init__(content_type)
        self.message = (
            f"The content type '{content_type or '(none)'}' is not accepted for a change to the admin API: send "
            f"'Content-Type: application/json' (an empty body is fine) or the {CSRF_HEADER} header."
        )
        self.reason = f"admin call without JSON or {CSRF_HEADER}"


def install(app: Flask) -> None:
    """Guard every admin path of ``app``, and give it the random token its dashboard will send."""
    # Per app, so per process: forked workers inherit their parent's, so one token serves them all.
    app.extensions[_CSRF_KEY] = secrets.token_urlsafe(32)
    app.before_request(guard_admin)


def csrf_token(app: Flask) -> str:
    """The value ``X-MockGraph-CSRF`` must hold on ``app`` (never printed or logged: a page must not learn it)."""
    token = app.extensions[_CSRF_KEY]
    assert isinstance(token, str)
    return token


def is_admin_path(path: str) -> bool:
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


def guard_admin() -> None:
    path = request.path
    if not is_admin_path(path):
        return
    public = path in PUBLIC_PATHS and request.method in ("GET", "HEAD")
    if not public and not is_loopback_address(request.remote_addr):
        raise NotLoopback(reason=f"admin call from non-loopback address {request.remote_addr}")
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("Origin")
    served = f"{request.scheme}://{request.host}"
    if origin is not None and not origin_is_trusted(origin, served, current_state().config.network):
        raise ForeignOrigin(reason=f"admin call from foreign origin {origin[:_ECHO_LIMIT]!r}")
    sent = request.headers.get(CSRF_HEADER)
    if sent is not None:
        expected = csrf_token(current_app)
        if not hmac.compare_digest(sent.encode("utf-8", "replace"), expected.encode()):
            raise WrongCsrfToken(reason=f"admin call with a wrong {CSRF_HEADER} header")
        return
    if request.mimetype != "application/json":
        raise AdminNotJson(request.headers.get("Content-Type", "")[:_ECHO_LIMIT])
