"""The admin API under ``/_mockgraph/`` (never a Graph path), answered to loopback callers only.

``GET health``, ``POST reset``, ``POST seed``, ``GET snapshot[?secrets=true]``, ``GET|DELETE journal``,
``GET|PUT|DELETE faults``, ``POST token`` (mint with this server's key, for ``mockgraph token --url``). No token is needed: the loopback check is the guard, as for a local database's
admin socket. Errors are Graph's envelope like everywhere else.
"""

from __future__ import annotations

import ipaddress
import os
import time
from typing import Any

from flask import Blueprint, Flask, Response, request

from mockgraph.admin.dashboard import dashboard_blueprint
from mockgraph.admin.snapshot import SNAPSHOT_VERSION, apply_seed, export_state, reset_graph_objects
from mockgraph.core.errors import BadRequest, GraphError
from mockgraph.identity.tokens import BadToken
from mockgraph.storage.sqlite import SqliteStore
from mockgraph.web.http import json_response, no_content, read_json_body
from mockgraph.web.state import current_state

ADMIN_PREFIX = "/_mockgraph"
TRUE_WORDS = ("1", "true", "yes")

admin = Blueprint("mockgraph_admin", __name__, url_prefix=ADMIN_PREFIX)
# The dashboard's pages, nested so that the admin API's guard covers them too.
admin.register_blueprint(dashboard_blueprint())
_STARTED = time.time()


class NotLoopback(GraphError):
    """403 for an admin call from another host."""

    status = 403
    default_code = "Authorization_RequestDenied"
    default_message = "The mockgraph admin API answers callers on this machine (loopback) only."


def _is_loopback(address: str | None) -> bool:
    if not address:
        return False
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@admin.before_request
def _loopback_only() -> None:
    if not _is_loopback(request.remote_addr):
        raise NotLoopback(reason=f"admin call from non-loopback address {request.remote_addr}")


@admin.get("/health")
def health() -> Response:
    state = current_state()
    return json_response(
        {
            "status": "healthy",
            "store": "sqlite" if isinstance(state.store, SqliteStore) else "memory",
            "authMode": state.config.auth_mode.value,
            "snapshotVersion": SNAPSHOT_VERSION,
            "pid": os.getpid(),
            "uptimeSeconds": round(time.time() - _STARTED, 3),
        }
    )


@admin.post("/reset")
def reset() -> Response:
    """Forget every Graph object, journal entry and fault rule; the directory (tenants, apps, users) stays."""
    state = current_state()
    reset_graph_objects(state.store)
    state.journal.clear()
    state.faults.clear()
    return no_content()


@admin.post("/seed")
def seed() -> Response:
    state = current_state()
    document = read_json_body(state.config.max_body_bytes)
    counts = apply_seed(
        document,
        config=state.config,
        store=state.store,
        directory=state.gatekeeper.directory,
        contracts=state.contracts,
    )
    return json_response({"added": counts.to_json()})


@admin.get("/snapshot")
def snapshot() -> Response:
    state = current_state()
    secrets = request.args.get("secrets", "").lower() in TRUE_WORDS
    return json_response(export_state(state.config, state.store, secrets=secrets))


@admin.get("/journal")
def journal() -> Response:
    journal = current_state().journal
    return json_response({"value": journal.export(), "dropped": journal.dropped})


@admin.delete("/journal")
def clear_journal() -> Response:
    current_state().journal.clear()
    return no_content()


@admin.get("/faults")
def faults() -> Response:
    return json_response(current_state().faults.describe())


@admin.put("/faults")
def configure_faults() -> Response:
    state = current_state()
    state.faults.configure(read_json_body(state.config.max_body_bytes))
    return json_response(state.faults.describe())


@admin.delete("/faults")
def clear_faults() -> Response:
    current_state().faults.clear()
    return no_content()


TOKEN_STRING_OPTIONS = {"tenantId": "tenant_id", "kind": "kind", "appId": "app_id", "objectId": "object_id"}
TOKEN_LIST_OPTIONS = {"roles": "roles", "scp": "scp", "wids": "wids"}


def _token_options(spec: dict[str, Any]) -> tuple[dict[str, Any], BadToken | None]:
    """Keyword options for the token factory from a JSON request; Graph's 400 for anything else."""
    known = {*TOKEN_STRING_OPTIONS, *TOKEN_LIST_OPTIONS, "lifetime", "bad"}
    for name in spec:
        if name not in known:
            raise BadRequest(f"Unknown token option '{name}'.", reason=f"token option {name!r}")
    options: dict[str, Any] = {}
    for name, keyword in TOKEN_STRING_OPTIONS.items():
        if name in spec:
            if not isinstance(spec[name], str) or (name == "kind" and spec[name] not in ("app", "user")):
                raise BadRequest(f"The token option '{name}' is not valid.", reason=f"token option {name}")
            options[keyword] = spec[name]
    for name, keyword in TOKEN_LIST_OPTIONS.items():
        if name in spec:
            if not isinstance(spec[name], list) or not all(isinstance(v, str) for v in spec[name]):
                raise BadRequest(
                    f"The token option '{name}' must be a list of strings.", reason=f"token {name}"
                )
            options[keyword] = spec[name]
    if "lifetime" in spec:
        lifetime = spec["lifetime"]
        if not isinstance(lifetime, int) or isinstance(lifetime, bool) or not 0 < lifetime <= 86_400:
            raise BadRequest(
                "The token option 'lifetime' must be 1 to 86400 seconds.", reason="token lifetime"
            )
        options["lifetime"] = lifetime
    bad = None
    if "bad" in spec:
        try:
            bad = BadToken(spec["bad"])
        except ValueError:
            raise BadRequest(
                f"The token option 'bad' must be one of {', '.join(k.value for k in BadToken)}."
            ) from None
    return options, bad


@admin.post("/token")
def token() -> Response:
    """An access token signed with this server's key, so a token made from a shell is accepted here."""
    state = current_state()
    options, bad = _token_options(read_json_body(state.config.max_body_bytes))
    factory = state.gatekeeper.tokens
    value = factory.mint(**options) if bad is None else factory.mint_bad(bad, **options)
    return json_response({"token_type": "Bearer", "access_token": value})


def register_admin(app: Flask) -> None:
    """Serve the admin API on ``app``."""
    app.register_blueprint(admin)
