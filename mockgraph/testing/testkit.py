"""Test helpers over one app: seed and inspect connectors per tenant, mint tokens, and reset between tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask

from mockgraph.core.certificates import make_pkcs12
from mockgraph.core.config import DEFAULT_TENANT_ID
from mockgraph.core.odata_types import BASIC_AUTHENTICATION, PKCS12_CERTIFICATE
from mockgraph.identity import BadToken
from mockgraph.resources.connectors import model as connectors
from mockgraph.resources.connectors.model import COLLECTION
from mockgraph.web.state import EmulatorState, state_of

SeedSpec = Iterable[Mapping[str, Any]] | Mapping[str, Iterable[Mapping[str, Any]]]


def reset(app: Flask) -> None:
    """Forget every connector, journal entry and fault rule of ``app`` (the per-test reset; O(1)).

    Tenants, apps and users a test seeded at run time go too (they live in the store); the configured
    directory stays."""
    state = state_of(app)
    state.store.reset()
    state.journal.clear()
    state.faults.clear()


def prepare(
    app: Flask,
    *,
    tenant_id: str = DEFAULT_TENANT_ID,
    seed: SeedSpec | None = None,
    faults: Mapping[str, Any] | None = None,
) -> None:
    """``reset(app)``, then configure ``faults`` and seed ``seed`` (into ``tenant_id`` unless it names tenants).

    The one start-of-test (or start-of-example) state the pytest fixtures and ``GraphMock`` share."""
    reset(app)
    if faults:
        state_of(app).faults.configure(dict(faults))
    if seed:
        Connectors(app, tenant_id=tenant_id).seed_many(seed)


class Connectors:
    """Seed connectors as if Graph had created them, and read them back, per tenant.

    ``seed`` runs the body through the same contract and record builder as ``POST``, so a seeded
    connector is indistinguishable from a created one (and a bad body raises Graph's 400 error).
    """

    def __init__(self, app: Flask, *, tenant_id: str = DEFAULT_TENANT_ID) -> None:
        self.app = app
        self.tenant_id = tenant_id

    @property
    def state(self) -> EmulatorState:
        return state_of(self.app)

    def seed(
        self,
        body: Mapping[str, Any] | None = None,
        *,
        tenant_id: str | None = None,
        display_name: str = "Seeded API",
        target_url: str = "https://api.example.com/validate",
        username: str = "seeded-user",
        password: str = "seeded-password",
        certificate: bool = False,
        certificate_password: str = "seeded-pfx-password",
    ) -> dict[str, Any]:
        """Store one connector and return it as Graph renders it.

        Pass a create ``body`` as Graph takes it, or use the keywords: basic authentication by default,
        a generated PKCS#12 certificate with ``certificate=True``.
        """
        if body is None:
            body = {
                "displayName": display_name,
                "targetUrl": target_url,
                "authenticationConfiguration": _authentication(
                    username, password, certificate, certificate_password
                ),
            }
        state = self.state
        valid = connectors.validate(state.contracts, "identityApiConnectorCreate", dict(body))
        record = connectors.new_record(valid)
        stored = state.store.insert(tenant_id or self.tenant_id, COLLECTION, record)
        return connectors.render(stored, state.now())

    def seed_many(self, spec: SeedSpec) -> list[dict[str, Any]]:
        """Seed a list of create bodies into this helper's tenant, or a ``{tenant_id: [bodies]}`` mapping."""
        if isinstance(spec, Mapping):
            return [self.seed(body, tenant_id=tenant) for tenant, bodies in spec.items() for body in bodies]
        return [self.seed(body) for body in spec]

    def list(self, tenant_id: str | None = None) -> list[dict[str, Any]]:
        """The tenant's connectors as Graph renders them (secrets masked), in creation order."""
        now = self.state.now()
        return [
            connectors.render(r, now) for r in self.state.store.list(tenant_id or self.tenant_id, COLLECTION)
        ]

    def get(self, object_id: str, tenant_id: str | None = None) -> dict[str, Any] | None:
        record = self.state.store.get(tenant_id or self.tenant_id, COLLECTION, object_id)
        return None if record is None else connectors.render(record, self.state.now())

    def stored(self, object_id: str, tenant_id: str | None = None) -> dict[str, Any] | None:
        """The stored record with its secrets, for tests that check what the client actually sent."""
        return self.state.store.get(tenant_id or self.tenant_id, COLLECTION, object_id)

    def count(self, tenant_id: str | None = None) -> int:
        return self.state.store.count(tenant_id or self.tenant_id, COLLECTION)


def _authentication(
    username: str, password: str, certificate: bool, certificate_password: str
) -> dict[str, Any]:
    if certificate:
        return {
            "@odata.type": PKCS12_CERTIFICATE,
            "pkcs12Value": make_pkcs12(password=certificate_password).base64,
            "password": certificate_password,
        }
    return {"@odata.type": BASIC_AUTHENTICATION, "username": username, "password": password}


class Tokens:
    """Mint access tokens signed with the app's key (its ``enforce`` gatekeeper accepts them)."""

    def __init__(self, app: Flask, *, tenant_id: str = DEFAULT_TENANT_ID) -> None:
        self.app = app
        self.tenant_id = tenant_id

    def mint(self, **options: Any) -> str:
        """A valid token; options as ``TokenFactory.claims`` (``kind``, ``roles``, ``scp``, ``wids``...)."""
        options.setdefault("tenant_id", self.tenant_id)
        return state_of(self.app).gatekeeper.tokens.mint(**options)

    def mint_bad(self, kind: BadToken | str, **options: Any) -> str:
        """A token that is bad in the way ``kind`` names (see ``BadToken``)."""
        options.setdefault("tenant_id", self.tenant_id)
        return state_of(self.app).gatekeeper.tokens.mint_bad(kind, **options)

    def headers(self, **options: Any) -> dict[str, str]:
        """``{"Authorization": "Bearer <token>"}`` for a token minted with ``options``."""
        return {"Authorization": f"Bearer {self.mint(**options)}"}
