"""The admin API under ``/_mockgraph/`` (never a Graph path): one blueprint per app built from ``ADMIN_ROUTES``.

``GET health``, ``POST reset``, ``POST seed``, ``GET snapshot[?secrets=true]``, ``GET|DELETE journal``,
``GET|PUT|DELETE faults``, ``POST token`` (mint with this server's key, for ``mockgraph token --url``),
``POST simulate`` and ``GET openapi.json``. No token is needed: ``mockgraph.admin.guard`` admits loopback
callers only (health and the OpenAPI document aside) and refuses changes a web page could forge. Errors are
Graph's envelope like everywhere else.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, request

from mockgraph.admin.dashboard import dashboard_blueprint
from mockgraph.admin.guard import ADMIN_PREFIX
from mockgraph.admin.openapi import serve_openapi
from mockgraph.admin.simulate import simulate, simulate_extension
from mockgraph.admin.snapshot import SNAPSHOT_VERSION, apply_seed, export_state, reset_graph_objects
from mockgraph.core.errors import AuthorizationDenied, InvalidRequest
from mockgraph.identity.tokens import BadToken
from mockgraph.storage.sqlite import SqliteStore
from mockgraph.web.http import json_response, no_content, read_json_body
from mockgraph.web.state import current_state

TRUE_WORDS = ("1", "true", "yes")
BLUEPRINT_NAME = "mockgraph_admin"
_STARTED = time.time()


class SecretExportOff(AuthorizationDenied):
    """Raise if a snapshot with secrets is asked of a server that did not opt in to exporting them."""

    default_message = (
        "This server does not export stored secrets: start it with --allow-secret-export "
        "(or allow_secret_export = true) to allow ?secrets=true."
    )


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


def reset() -> Response:
    """Forget every Graph object, journal entry and fault rule; the directory (tenants, apps, users) stays."""
    state = current_state()
    reset_graph_objects(state.store)
    state.journal.clear()
    state.faults.clear()
    return no_content()


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
    # Name the tenants: a seed without them lands in the default tenant, which a client using its own lists empty.
    default_tenant = state.gatekeeper.directory.default_tenant_id.lower()
    return json_response(
        {
            "added": counts.to_json(),
            "objectsByTenant": counts.by_tenant,
            "defaultTenant": default_tenant,
            "summary": counts.summary(default_tenant),
        }
    )


def snapshot() -> Response:
    state = current_state()
    secrets = request.args.get("secrets", "").lower() in TRUE_WORDS
    network = state.config.network
    if secrets and network is not None and not network.allow_secret_export:
        raise SecretExportOff(reason="secret export is off on this server")
    return json_response(export_state(state.config, state.store, secrets=secrets))


def journal() -> Response:
    journal = current_state().journal
    return json_response({"value": journal.export(), "dropped": journal.dropped})


def clear_journal() -> Response:
    current_state().journal.clear()
    return no_content()


def faults() -> Response:
    return json_response(current_state().faults.describe())


def configure_faults() -> Response:
    state = current_state()
    state.faults.configure(read_json_body(state.config.max_body_bytes))
    return json_response(state.faults.describe())


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
            raise InvalidRequest(f"Unknown token option '{name}'.", reason=f"token option {name!r}")
    options: dict[str, Any] = {}
    for name, keyword in TOKEN_STRING_OPTIONS.items():
        if name in spec:
            if not isinstance(spec[name], str) or (name == "kind" and spec[name] not in ("app", "user")):
                raise InvalidRequest(
                    f"The token option '{name}' is not valid.", reason=f"token option {name}"
                )
            options[keyword] = spec[name]
    for name, keyword in TOKEN_LIST_OPTIONS.items():
        if name in spec:
            if not isinstance(spec[name], list) or not all(isinstance(v, str) for v in spec[name]):
                raise InvalidRequest(
                    f"The token option '{name}' must be a list of strings.", reason=f"token {name}"
                )
            options[keyword] = spec[name]
    if "lifetime" in spec:
        lifetime = spec["lifetime"]
        if not isinstance(lifetime, int) or isinstance(lifetime, bool) or not 0 < lifetime <= 86_400:
            raise InvalidRequest(
                "The token option 'lifetime' must be 1 to 86400 seconds.", reason="token lifetime"
            )
        options["lifetime"] = lifetime
    bad = None
    if "bad" in spec:
        try:
            bad = BadToken(spec["bad"])
        except ValueError:
            raise InvalidRequest(
                f"The token option 'bad' must be one of {', '.join(k.value for k in BadToken)}."
            ) from None
    return options, bad


def token() -> Response:
    """An access token signed with this server's key, so a token made from a shell is accepted here."""
    state = current_state()
    options, bad = _token_options(read_json_body(state.config.max_body_bytes))
    factory = state.gatekeeper.tokens
    value = factory.mint(**options) if bad is None else factory.mint_bad(bad, **options)
    return json_response({"token_type": "Bearer", "access_token": value})


# (rule under /_mockgraph, view, methods): every admin route, in one place.
ADMIN_ROUTES: tuple[tuple[str, Callable[[], Response], tuple[str, ...]], ...] = (
    ("/health", health, ("GET",)),
    ("/reset", reset, ("POST",)),
    ("/seed", seed, ("POST",)),
    ("/snapshot", snapshot, ("GET",)),
    ("/journal", journal, ("GET",)),
    ("/journal", clear_journal, ("DELETE",)),
    ("/faults", faults, ("GET",)),
    ("/faults", configure_faults, ("PUT",)),
    ("/faults", clear_faults, ("DELETE",)),
    ("/token", token, ("POST",)),
    ("/simulate", simulate, ("POST",)),
    ("/simulate/extension", simulate_extension, ("POST",)),
    ("/openapi.json", serve_openapi, ("GET",)),
)


def admin_blueprint() -> Blueprint:
    """A fresh blueprint holding ``ADMIN_ROUTES`` (one per app: Flask blueprints are changed by registering)."""
    blueprint = Blueprint(BLUEPRINT_NAME, __name__, url_prefix=ADMIN_PREFIX)
    for rule, view, methods in ADMIN_ROUTES:
        blueprint.add_url_rule(rule, view.__name__, view, methods=list(methods))
    # The dashboard's pages, nested so that they live under the same prefix (the guard covers the prefix).
    blueprint.register_blueprint(dashboard_blueprint())
    return blueprint


def register_admin(app: Flask) -> None:
    """Serve the admin API on ``app``.

    The guard (``mockgraph.admin.guard.install``) is installed by the app factory, before the journal hooks.
    """
    app.register_blueprint(admin_blueprint())
