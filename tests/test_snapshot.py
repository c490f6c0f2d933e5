"""Seed and snapshot documents: versioned, redacted by default, round-trippable, validated before writing."""

from __future__ import annotations

import pytest

from mockgraph import create_app
from mockgraph.admin.snapshot import InvalidSeed, apply_seed, export_state
from mockgraph.core.config import DEFAULT_TENANT_ID
from mockgraph.web.journal import REDACTED
from mockgraph.web.state import state_of
from tests.conftest import pkcs12_body

USER = {
    "username": "someone@mockgraph.onmicrosoft.com",
    "password": "user-pw-2f9d",
    "objectId": "0b1ec700-0000-4000-8000-000000000001",
}


def _seed(app: object, document: object) -> object:
    state = state_of(app)  # type: ignore[arg-type]
    return apply_seed(
        document,
        config=state.config,
        store=state.store,
        directory=state.gatekeeper.directory,
        contracts=state.contracts,
    )


def test_export_redacts_every_secret_kind_by_default() -> None:
    app = create_app()
    body = {
        "displayName": "cert",
        "targetUrl": "https://api.example.com/x",
        "authenticationConfiguration": pkcs12_body(password="pfx-pw-8a1b"),
    }
    _seed(app, {"users": [USER], "connectors": [body]})
    state = state_of(app)
    document = export_state(state.config, state.store)
    text = str(document)
    for secret in ("pfx-pw-8a1b", "user-pw-2f9d", body["authenticationConfiguration"]["pkcs12Value"][:30]):
        assert secret not in text
    assert REDACTED in text
    assert [u["username"] for u in document["users"]][-1] == USER["username"]
    full = export_state(state.config, state.store, secrets=True)
    assert "user-pw-2f9d" in str(full)
    assert full["data"][DEFAULT_TENANT_ID]["apiConnectors"][0]["displayName"] == "cert"


def test_seed_with_tenant_keys_and_raw_records() -> None:
    app = create_app()
    counts = _seed(
        app,
        {
            "version": 1,
            "tenants": [{"tenantId": "5eed7e7e-0000-4000-8000-000000000009", "domain": "other.example"}],
            "data": {
                "5EED7E7E-0000-4000-8000-000000000009": {
                    "b2xUserFlows": [{"id": "B2X_1_x", "userFlowType": "signUpOrSignIn"}]
                }
            },
        },
    )
    assert counts.to_json() == {"tenants": 1, "apps": 0, "users": 0, "objects": 1, "servicePrincipals": 0}  # type: ignore[attr-defined]
    assert (
        state_of(app).store.get("5eed7e7e-0000-4000-8000-000000000009", "b2xUserFlows", "b2x_1_X") is not None
    )
    assert state_of(app).gatekeeper.directory.resolve_tenant("other.example") is not None


def test_unknown_properties_in_entries_are_refused() -> None:
    with pytest.raises(InvalidSeed, match="unknown property 'shoeSize'"):
        _seed(create_app(), {"users": [{**USER, "shoeSize": 9}]})


def test_a_seed_over_the_connector_limit_adds_nothing() -> None:
    app = create_app({"connector_limit": 3})
    store = state_of(app).store
    body = {
        "displayName": "seeded",
        "targetUrl": "https://seeded.example/api",
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.basicAuthentication",
            "username": "u",
            "password": "p",
        },
    }
    _seed(app, {"version": 1, "connectors": [body, body]})
    before = store.dump()
    with pytest.raises(InvalidSeed, match="limit is 3"):
        _seed(
            app,
            {
                "version": 1,
                "tenants": [{"tenantId": "5eed7e7e-0000-4000-8000-00000000000a"}],
                "connectors": {DEFAULT_TENANT_ID: [body, body]},
            },
        )
    assert store.dump() == before
    assert state_of(app).gatekeeper.directory.tenant("5eed7e7e-0000-4000-8000-00000000000a") is None
