"""Interim: the part of the admin API's cross-site rules the dashboard relies on, until the admin guard lands.

The hardening work (the ``admin-policy`` branch, ``mockgraph.admin.guard``) adds one guard for every
``/_mockgraph`` route: loopback callers only, trusted Host names, and changes that carry
``Content-Type: application/json`` or this app's ``X-MockGraph-CSRF`` token and no foreign ``Origin``. Until it
is merged, this hook enforces the two rules the dashboard's own calls depend on, for every change under
``/_mockgraph``: a foreign ``Origin`` is refused, and an ``X-MockGraph-CSRF`` header must hold this app's token.
When the guard is merged: delete this module and its one registration in ``mockgraph.admin.dashboard``, and
read the token from ``guard.csrf_token(app)`` in ``mockgraph.admin.dashboard.views.csrf_token``.
"""

from __future__ import annotations

import hmac

from flask import request

from mockgraph.core.errors import AuthorizationDenied
from mockgraph.web.state import current_state

ADMIN_PREFIX = "/_mockgraph"
CSRF_HEADER = "X-MockGraph-CSRF"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ForeignOrigin(AuthorizationDenied):
    """Raise if a state-changing admin call was sent by a page of another origin."""

    default_message = "The mockgraph admin API refuses changes sent by a web page of another origin."


class WrongCsrfToken(AuthorizationDenied):
    """Raise if a state-changing admin call carries a CSRF header that is not this app's token."""

    default_message = f"The {CSRF_HEADER} header does not hold this server's token."


def check_admin_change() -> None:
    """Refuse a change under ``/_mockgraph`` from a foreign origin or with a wrong CSRF token."""
    path = request.path
    if request.method in SAFE_METHODS or not (path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")):
        return
    origin = request.headers.get("Origin")
    if origin is not None and origin != f"{request.scheme}://{request.host}":
        raise ForeignOrigin(reason=f"admin call from foreign origin {origin[:100]!r}")
    sent = request.headers.get(CSRF_HEADER)
    expected = current_state().csrf_token
    if sent is not None and not hmac.compare_digest(sent.encode("utf-8", "replace"), expected.encode()):
        raise WrongCsrfToken(reason=f"admin call with a wrong {CSRF_HEADER} header")
