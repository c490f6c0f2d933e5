"""Who is calling: the principal the identity layer derives from a request, and the auth modes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


class AuthMode(StrEnum):
    """How strictly an app checks bearer tokens.

    ``enforce`` checks everything Graph checks; ``permissive`` needs a readable bearer token and honours its
    ``tid`` but skips signature, lifetime, permission and role checks; ``off`` needs no token at all.
    """

    ENFORCE = "enforce"
    PERMISSIVE = "permissive"
    OFF = "off"


@dataclass(frozen=True)
class Principal:
    """The caller of one request, as read from its access token."""

    tenant_id: str
    kind: Literal["app", "user"]
    app_id: str
    object_id: str
    application_permissions: frozenset[str] = field(default_factory=frozenset)
    delegated_scopes: frozenset[str] = field(default_factory=frozenset)
    directory_roles: frozenset[str] = field(default_factory=frozenset)
    username: str | None = None

    def describe(self) -> dict[str, object]:
        """A JSON-ready summary for the journal (never the token itself)."""
        return {
            "tenantId": self.tenant_id,
            "kind": self.kind,
            "appId": self.app_id,
            "objectId": self.object_id,
            "username": self.username,
            "roles": sorted(self.application_permissions),
            "scp": sorted(self.delegated_scopes),
            "wids": sorted(self.directory_roles),
        }
