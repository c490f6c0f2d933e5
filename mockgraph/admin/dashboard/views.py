"""The dashboard's pages: server-rendered HTML (Jinja2, autoescaped) that reads the app's state, never changes it.

Each live part of a page (the request list, the state, the fault rules) is one template included by its page
and also served alone under ``/_mockgraph/dashboard/live/...``, which ``dashboard.js`` fetches every 2 s.
Changes are made by the page's script through the admin API itself (reset, seed, faults, token, simulate).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template, request

from mockgraph.admin import guard
from mockgraph.admin.dashboard.explain import Explanation, caller_parts, caller_text, explain
from mockgraph.admin.dashboard.overview import TenantState, tenant_states
from mockgraph.core.errors import GraphError
from mockgraph.storage.sqlite import SqliteStore
from mockgraph.web.faults import FAULT_ERRORS
from mockgraph.web.journal import JournalEntry
from mockgraph.web.state import EmulatorState, current_state

MAX_ROWS = 200
_STATUS = re.compile(r"^[1-5](?:\d\d|xx)$")


_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def short_id(value: str) -> str:
    """A GUID as its first 8 and last 4 digits (the list's columns; the whole value is in its title)."""
    return f"{value[:8]}…{value[-4:]}" if _GUID.match(value) else value


def csrf_token() -> str:
    """The token the page embeds and sends in ``X-MockGraph-CSRF`` (one per app, so per process)."""
    return guard.csrf_token(current_app)


@dataclass(frozen=True)
class RequestFilter:
    """The Requests page's filters, from its query string; a value it cannot read filters nothing."""

    status: str = ""  # an exact status (404) or a class (4xx)
    tenant: str = ""
    operation: str = ""  # an operation's name or id

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> RequestFilter:
        status = args.get("status", "").strip().lower()
        return cls(
            status=status if _STATUS.match(status) else "",
            tenant=args.get("tenant", "").strip().lower(),
            operation=args.get("operation", "").strip(),
        )

    def matches(self, entry: JournalEntry, operation_id: str | None) -> bool:
        if self.status and not _status_matches(self.status, entry.status):
            return False
        if self.tenant and self.tenant != _tenant(entry):
            return False
        return not self.operation or entry.operation == operation_id


def _status_matches(wanted: str, status: int) -> bool:
    return str(status)[0] == wanted[0] if wanted.endswith("xx") else str(status) == wanted


def _tenant(entry: JournalEntry) -> str:
    return str((entry.principal or {}).get("tenantId") or "")


@dataclass(frozen=True)
class Row:
    """One journal entry as the Requests page lists it."""

    entry: JournalEntry
    explanation: Explanation
    time: str
    target: str
    tenant: str
    caller: str  # the whole description (the detail page)
    caller_kind: str
    caller_id: str
    grants: str
    duration_ms: float

    @property
    def tenant_short(self) -> str:
        return short_id(self.tenant)

    @property
    def caller_short(self) -> str:
        return short_id(self.caller_id)


def _target(entry: JournalEntry) -> str:
    query = "&".join(f"{key}={value}" for key, values in entry.query.items() for value in values)
    return entry.path + (f"?{query}" if query else "")


def _row(state: EmulatorState, entry: JournalEntry) -> Row:
    moment = dt.datetime.fromtimestamp(entry.time, dt.UTC).strftime("%H:%M:%S.%f")[:-3]
    mode = state.gatekeeper.mode
    explanation = explain(entry, state.catalog, mode)
    duration = (entry.finished - entry.started) * 1000
    kind, who, grants = caller_parts(entry.principal)
    caller = caller_text(entry.principal)
    return Row(
        entry, explanation, moment, _target(entry), _tenant(entry), caller, kind, who, grants, duration
    )


def _rows(state: EmulatorState, chosen: RequestFilter) -> tuple[list[Row], int]:
    """The newest matching entries first (at most ``MAX_ROWS``), and how many entries match."""
    found = state.catalog.find(chosen.operation) if chosen.operation else None
    operation_id = found.id if found is not None else chosen.operation
    matching = [e for e in reversed(state.journal.entries()) if chosen.matches(e, operation_id)]
    return [_row(state, e) for e in matching[:MAX_ROWS]], len(matching)


def _page(template: str, **values: Any) -> str:
    state = current_state()
    return render_template(
        template,
        csrf_token=csrf_token(),
        auth_mode=state.gatekeeper.mode.value,
        store_kind="sqlite" if isinstance(state.store, SqliteStore) else "memory",
        **values,
    )


def requests_page() -> str:
    state = current_state()
    chosen = RequestFilter.from_args(request.args)
    rows, total = _rows(state, chosen)
    tenants = sorted({t.tenant_id.lower() for t in state.gatekeeper.directory.tenants()})
    return _page(
        "dashboard/requests.html",
        rows=rows,
        total=total,
        dropped=state.journal.dropped,
        chosen=chosen,
        tenants=tenants,
        operations=state.catalog.operations,
        statuses=("2xx", "4xx", "5xx", "400", "401", "403", "404", "429", "503", "504"),
    )


def request_rows() -> str:
    state = current_state()
    rows, total = _rows(state, RequestFilter.from_args(request.args))
    return render_template("dashboard/_request_rows.html", rows=rows, total=total)


def request_detail(request_id: str) -> str | tuple[str, int]:
    state = current_state()
    entry = next((e for e in state.journal.entries() if e.request_id == request_id), None)
    if entry is None:
        return _page("dashboard/gone.html", request_id=request_id), 404
    parameters = None
    if entry.operation is not None:
        try:
            parameters = dict(state.router.resolve(entry.method, entry.path).parameters)
        except GraphError:
            parameters = None
    explanation = explain(
        entry, state.catalog, state.gatekeeper.mode, store=state.store, route_parameters=parameters
    )
    # Stored redacted (the journal's redaction): shown as it was kept.
    sent = entry.json if entry.json is not None else entry.form
    body = json.dumps(sent, indent=2, ensure_ascii=False) if sent is not None else ""
    row = _row(state, entry)
    return _page("dashboard/request.html", row=row, explanation=explanation, entry=entry, body=body)


def _tenant_states() -> list[TenantState]:
    state = current_state()
    return tenant_states(state.gatekeeper.directory, state.store, state.now())


def state_page() -> str:
    return _page("dashboard/state.html", tenants=_tenant_states())


def state_body() -> str:
    return render_template("dashboard/_state_body.html", tenants=_tenant_states())


def actions_page() -> str:
    state = current_state()
    flows = [(tenant.tenant_id, flow) for tenant in _tenant_states() for flow in tenant.user_flows]
    return _page(
        "dashboard/actions.html",
        faults=state.faults.describe()["rules"],
        operations=state.catalog.operations,
        fault_statuses=sorted(FAULT_ERRORS),
        flows=flows,
        tenants=[t.tenant_id for t in state.gatekeeper.directory.tenants()],
    )


def fault_rules() -> str:
    return render_template("dashboard/_faults.html", faults=current_state().faults.describe()["rules"])
