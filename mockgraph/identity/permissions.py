"""The permission and role table: what each operation accepts, as data in one place, and its Markdown rendering."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from mockgraph.core.config import (
    EXTERNAL_ID_USER_FLOW_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
    READ_ALL,
    READ_WRITE_ALL,
    USER_FLOW_READ_ALL,
    USER_FLOW_READ_WRITE_ALL,
)
from mockgraph.core.operations import Operation

PERSONAL_ACCOUNT_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"

# Display names of the directory role templates the table names (Entra built-in roles reference).
ROLE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        EXTERNAL_ID_USER_FLOW_ADMINISTRATOR: "External ID User Flow Administrator",
        GLOBAL_ADMINISTRATOR: "Global Administrator",
    }
)


@dataclass(frozen=True)
class Requirement:
    """What one operation accepts: any ONE listed permission (app) or scope plus role (delegated).

    Order matters: ``application_permissions`` is listed in Graph's 403 message in this order.
    """

    application_permissions: tuple[str, ...]
    delegated_scopes: tuple[str, ...]
    directory_roles: tuple[str, ...]
    personal_accounts: bool = False


# Graph's docs list only ReadWrite.All for every connector operation, but the live service's 403 for a
# list names Read.All as well (reference section 2.1), so reads accept either.
_CONNECTOR_ROLES = (EXTERNAL_ID_USER_FLOW_ADMINISTRATOR, GLOBAL_ADMINISTRATOR)
_CONNECTOR_READ = Requirement((READ_ALL, READ_WRITE_ALL), (READ_ALL, READ_WRITE_ALL), _CONNECTOR_ROLES)
_CONNECTOR_WRITE = Requirement((READ_WRITE_ALL,), (READ_WRITE_ALL,), _CONNECTOR_ROLES)

# User flows (reference api-connector-calls.md section 5.4): list/get accept Read.All or ReadWrite.All; every
# write, and reading apiConnectorConfiguration, accepts only ReadWrite.All (docs and the devx permission map agree).
_USER_FLOW_READ = Requirement(
    (USER_FLOW_READ_ALL, USER_FLOW_READ_WRITE_ALL),
    (USER_FLOW_READ_ALL, USER_FLOW_READ_WRITE_ALL),
    _CONNECTOR_ROLES,
)
_USER_FLOW_WRITE = Requirement((USER_FLOW_READ_WRITE_ALL,), (USER_FLOW_READ_WRITE_ALL,), _CONNECTOR_ROLES)

# Add a row per new operation (user flows will add IdentityUserFlow.Read.All / ReadWrite.All rows).
PERMISSION_TABLE: Mapping[Operation, Requirement] = MappingProxyType(
    {
        Operation.LIST_CONNECTORS: _CONNECTOR_READ,
        Operation.GET_CONNECTOR: _CONNECTOR_READ,
        Operation.COUNT_CONNECTORS: _CONNECTOR_READ,
        Operation.CREATE_CONNECTOR: _CONNECTOR_WRITE,
        Operation.UPDATE_CONNECTOR: _CONNECTOR_WRITE,
        Operation.DELETE_CONNECTOR: _CONNECTOR_WRITE,
        Operation.UPLOAD_CERTIFICATE: _CONNECTOR_WRITE,
        Operation.LIST_B2X_USER_FLOWS: _USER_FLOW_READ,
        Operation.GET_B2X_USER_FLOW: _USER_FLOW_READ,
        Operation.CREATE_B2X_USER_FLOW: _USER_FLOW_WRITE,
        Operation.DELETE_B2X_USER_FLOW: _USER_FLOW_WRITE,
        Operation.LIST_B2C_USER_FLOWS: _USER_FLOW_READ,
        Operation.GET_B2C_USER_FLOW: _USER_FLOW_READ,
        Operation.CREATE_B2C_USER_FLOW: _USER_FLOW_WRITE,
        Operation.UPDATE_B2C_USER_FLOW: _USER_FLOW_WRITE,
        Operation.DELETE_B2C_USER_FLOW: _USER_FLOW_WRITE,
        Operation.GET_USER_FLOW_API_CONNECTOR_CONFIGURATION: _USER_FLOW_WRITE,
        Operation.GET_USER_FLOW_STEP_CONNECTOR: _USER_FLOW_WRITE,
        Operation.SET_USER_FLOW_STEP_CONNECTOR: _USER_FLOW_WRITE,
    }
)


def requirement_for(operation: Operation) -> Requirement | None:
    """The row for ``operation``, or None if the table has none (the gatekeeper then refuses)."""
    return PERMISSION_TABLE.get(operation)


def all_application_permissions() -> tuple[str, ...]:
    """Every application permission any row accepts (what a full-permission app token carries)."""
    return _union(row.application_permissions for row in PERMISSION_TABLE.values())


def all_delegated_scopes() -> tuple[str, ...]:
    """Every delegated scope any row accepts (what a full-permission user token carries)."""
    return _union(row.delegated_scopes for row in PERMISSION_TABLE.values())


def all_directory_roles() -> tuple[str, ...]:
    """Every directory role any row accepts."""
    return _union(row.directory_roles for row in PERMISSION_TABLE.values())


def _union(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        for name in group:
            seen.setdefault(name, None)
    return tuple(seen)


def _role_label(role_id: str) -> str:
    return f"{ROLE_NAMES.get(role_id, role_id)} (`{role_id}`)"


def render_markdown() -> str:
    """The table as the Markdown that ``docs/fidelity.md`` must contain verbatim."""
    lines = [
        "| Operation | Application permissions (any one, in `roles`) "
        "| Delegated scopes (any one, in `scp`) | Directory roles for delegated calls (any one, in `wids`) "
        "| Personal accounts |",
        "|---|---|---|---|---|",
    ]
    for operation, row in PERMISSION_TABLE.items():
        cells = [
            f"`{operation.value}`",
            ", ".join(row.application_permissions),
            ", ".join(row.delegated_scopes),
            ", ".join(_role_label(role) for role in row.directory_roles),
            "supported" if row.personal_accounts else "not supported",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
