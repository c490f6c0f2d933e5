"""The served emulator's Host check (DNS rebinding) and the base URL every returned absolute URL starts with.

Both read ``config.network`` (``mockgraph serve`` sets it); an app without one, as in process, serves every
host and builds URLs on the host the caller used, so the interceptor keeps answering Graph's own names.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Request, request

from mockgraph.core.errors import AuthorizationDenied
from mockgraph.core.network import NetworkPolicy, split_authority
from mockgraph.web.state import current_state

# A host werkzeug's host_url would not rewrite: no percent-escape, no IDNA, no Unicode, no IPv6 literal.
_PLAIN_HOST = re.compile(r"[a-z0-9.\-]+(:[0-9]+)?")
# Names echoed into a reason header are cut short: the header must stay small whatever was sent.
_ECHO_LIMIT = 100


class UntrustedHost(AuthorizationDenied):
    """403 for a request whose ``Host`` this server does not answer to (a DNS-rebinding page's name)."""

    default_message = (
        "This mockgraph server does not answer to that Host name. It answers to IP addresses, localhost, "
        "its --host and --public-url names, and names given with --allowed-host."
    )


def install(app: Flask) -> None:
    """Refuse untrusted hosts before anything else (journal, faults, admin, Graph) sees the request."""
    app.before_request(refuse_untrusted_host)


def refuse_untrusted_host() -> None:
    """The Flask hook: :func:`check_host` for the current request."""
    check_host(current_state().config.network, request.environ)


def check_host(policy: NetworkPolicy | None, environ: dict[str, Any]) -> None:
    """:raises UntrustedHost: if a policy is in force and the request's Host is not one it trusts."""
    if policy is None:
        return
    # A browser always sends Host; a request without one (HTTP/1.0) cannot come from a rebinding page.
    sent = environ.get("HTTP_HOST")
    if sent is None or policy.trusts_host(sent):
        return
    parts = split_authority(sent)
    name = parts[0] if parts is not None else sent
    raise UntrustedHost(reason=f"Host {name[:_ECHO_LIMIT]!r} is not trusted by this server")


def base_url(policy: NetworkPolicy | None, req: Request | None = None) -> str:
    """``scheme://host[:port]/`` for absolute URLs: the policy's public URL, else the host the caller used
    (of ``req``, or of the current Flask request when None).

    With a policy in force only a trusted Host gets this far, so nothing a foreign page names is reflected.
    """
    if policy is not None and policy.public_url:
        return policy.public_url.rstrip("/") + "/"
    req = req if req is not None else request
    host = req.host.lower()
    if _PLAIN_HOST.fullmatch(host) and "xn--" not in host:
        # What werkzeug's host_url gives for a plain host (lower case), without its URL round trip (~3 us).
        return f"{req.scheme}://{host}/"
    return req.host_url
