"""What the State page shows: tenants with their apps and users, API connectors, certificates and user flows.

Pure (no Flask). Connectors and user flows are read through their resources' ``render``, the only way a
stored record reaches a response, so a password is masked and a certificate is its public facts here as it is
in Graph. Directory entries are copied field by field, leaving out client secrets and passwords.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from mockgraph.admin.dashboard.explain import role_label
from mockgraph.identity.directory import DIRECTORY_TENANT, Directory
from mockgraph.resources.connectors import model as connectors
from mockgraph.resources.userflows import model as userflows
from mockgraph.storage.store import Store


@dataclass(frozen=True)
class Certificate:
    thumbprint: str
    not_before: str
    not_after: str
    validity: str  # "valid", "expired" or "not yet valid"
    active: bool


@dataclass(frozen=True)
class Connector:
    id: str
    display_name: str
    target_url: str
    authentication: str  # "basic" or "certificate"
    username: str | None
    password: str | None  # Graph's mask, never the stored value
    certificates: tuple[Certificate, ...]


@dataclass(frozen=True)
class Step:
    name: str
    connector_id: str | None
    connector_name: str | None  # None: no connector, or one deleted since


@dataclass(frozen=True)
class UserFlow:
    id: str
    collection: str
    user_flow_type: str
    version: Any
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class App:
    client_id: str
    display_name: str
    permissions: tuple[str, ...]
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class TenantState:
    tenant_id: str
    domain: str
    registered: bool  # in the directory (tokens may name it); data seeded for another tenant is not
    apps: tuple[App, ...]
    users: tuple[User, ...]
    connectors: tuple[Connector, ...]
    user_flows: tuple[UserFlow, ...]


def timestamp(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _certificate(facts: dict[str, Any], now: float) -> Certificate:
    not_before, not_after = int(facts["notBefore"]), int(facts["notAfter"])
    validity = "not yet valid" if now < not_before else "expired" if now >= not_after else "valid"
    return Certificate(
        str(facts["thumbprint"]),
        timestamp(not_before),
        timestamp(not_after),
        validity,
        bool(facts["isActive"]),
    )


def connector(record: dict[str, Any], now: float) -> Connector:
    """A stored connector as Graph renders it (``connectors.model.render``): masked, certificates public."""
    shown = connectors.render(record, now)
    auth = shown["authenticationConfiguration"]
    basic = "username" in auth
    return Connector(
        id=shown["id"],
        display_name=shown["displayName"],
        target_url=shown["targetUrl"],
        authentication="basic" if basic else "certificate",
        username=auth.get("username"),
        password=auth.get("password"),
        certificates=tuple(_certificate(c, now) for c in auth.get("certificateList", [])),
    )


def _user_flows(
    kind: userflows.FlowKind, records: list[dict[str, Any]], names: dict[str, str]
) -> list[UserFlow]:
    flows = []
    for record in records:
        shown = userflows.render(kind, record)
        steps = tuple(
            Step(step, connector_id, names.get(connector_id) if connector_id else None)
            for step, connector_id in userflows.step_connectors(record).items()
        )
        flows.append(
            UserFlow(shown["id"], kind.segment, shown["userFlowType"], shown["userFlowTypeVersion"], steps)
        )
    return flows


def tenant_states(directory: Directory, store: Store, now: float) -> list[TenantState]:
    """Every tenant of the directory, then every other tenant the store holds data for."""
    entries = directory.entries()
    stored = {t for t in store.dump() if t != DIRECTORY_TENANT}
    registered = {t.tenant_id.lower(): t.domain for t in entries.tenants}
    states = []
    for tenant_id in [*registered, *sorted(stored - set(registered))]:
        found = [connector(r, now) for r in store.list(tenant_id, connectors.COLLECTION)]
        names = {c.id: c.display_name for c in found}
        flows = [
            flow
            for kind in (userflows.B2X, userflows.B2C)
            for flow in _user_flows(kind, store.list(tenant_id, kind.collection), names)
        ]
        states.append(
            TenantState(
                tenant_id=tenant_id,
                domain=registered.get(tenant_id, ""),
                registered=tenant_id in registered,
                apps=tuple(
                    App(a.client_id, a.display_name, a.application_permissions, a.delegated_scopes)
                    for a in entries.apps
                    if a.tenant_id.lower() == tenant_id
                ),
                users=tuple(
                    User(u.username, u.display_name, tuple(role_label(r) for r in u.directory_roles))
                    for u in entries.users
                    if u.tenant_id.lower() == tenant_id
                ),
                connectors=tuple(found),
                user_flows=tuple(flows),
            )
        )
    return states
