"""Permission facts shared by the decisions: the personal-account tenant, role names, and the docs' table.

What each operation accepts lives in its row of the resource's operation table (``Operation.allow``);
``render_markdown(catalog)`` renders those rows as the table ``docs/fidelity.md`` carries verbatim.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from mockgraph.core.config import (
    APPLICATION_ADMINISTRATOR,
    AUTHENTICATION_EXTENSIBILITY_ADMINISTRATOR,
    EXTERNAL_ID_USER_FLOW_ADMINISTRATOR,
    GLOBAL_ADMINISTRATOR,
    GLOBAL_READER,
)
from mockgraph.core.operations import Catalog

PERSONAL_ACCOUNT_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"

# Display names of the directory role templates the tables name (Entra built-in roles reference).
ROLE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        EXTERNAL_ID_USER_FLOW_ADMINISTRATOR: "External ID User Flow Administrator",
        GLOBAL_ADMINISTRATOR: "Global Administrator",
        AUTHENTICATION_EXTENSIBILITY_ADMINISTRATOR: "Authentication Extensibility Administrator",
        APPLICATION_ADMINISTRATOR: "Application Administrator",
        GLOBAL_READER: "Global Reader",
    }
)


def _role_label(role_id: str) -> str:
    return f"{ROLE_NAMES.get(role_id, role_id)} (`{role_id}`)"


def render_markdown(catalog: Catalog) -> str:
    """Every operation's permissions as the Markdown table that ``docs/fidelity.md`` must contain verbatim."""
    lines = [
        "| Operation | Versions | Application permissions (any one, in `roles`) "
        "| Delegated scopes (any one, in `scp`) | Directory roles for delegated calls (any one, in `wids`) "
        "| Personal accounts |",
        "|---|---|---|---|---|---|",
    ]
    for operation in catalog:
        row = operation.allow
        cells = [
            f"`{operation.id}`",
            ", ".join(operation.versions),
            ", ".join(row.application),
            ", ".join(row.delegated),
            ", ".join(_role_label(role) for role in row.roles),
            "supported" if row.personal_accounts else "not supported",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
