"""Seed and snapshot documents: versioned, redacted by default, round-trippable, validated before writing."""

from __future__ import annotations

import pytest

from mockgraph import create_app
from mockgraph.admin.snapshot import MAX_SEED_DEPTH, InvalidSeed, apply_seed, export_state
from mockgraph.core.config import DEFAULT_TENANT_ID
from mockgraph.web.journal import REDACTED
from mockgraph.web.state import state_of
from tests.support import connector_body, new_pkcs12_auth

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
    body = connector_body("cert", "https://api.example.com/x", new_pkcs12_auth(password="pfx-pw-8a1b"))
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
    body = connector_body("seeded", "https://seeded.example/api")
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


def _nested(depth: int) -> dict[str, object]:
    """A record ``depth`` levels deep, the record object itself being the first."""
    record: dict[str, object] = {"id": "deep"}
    inner = record
    for _ in range(depth - 1):
        inner["n"] = {}
        inner = inner["n"]  # type: ignore[assignment]
    return record


@pytest.mark.parametrize("depth", [MAX_SEED_DEPTH - 3, 300])
def test_a_seed_nested_too_deep_is_graphs_400_and_stores_nothing(depth: int) -> None:
    app = create_app()
    client = app.test_client()
    before = client.get("/_mockgraph/snapshot").get_json()
    answer = client.post(
        "/_mockgraph/seed",
        json={
            "tenants": [{"tenantId": "de000000-0000-4000-8000-000000000001"}],
            "data": {"t": {"c": [_nested(depth)]}},
        },
    )
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "BadRequest"
    assert set(answer.get_json()["error"]["innerError"]) >= {"date", "request-id", "client-request-id"}
    after = client.get("/_mockgraph/snapshot")
    assert after.status_code == 200
    assert after.get_json() == before


def test_the_seed_depth_limit_counts_the_whole_document() -> None:
    # A snapshot wraps a record in four levels: a record as deep as the limit for bodies seeds back.
    app = create_app()
    _seed(app, {"data": {"t": {"c": [_nested(MAX_SEED_DEPTH - 4)]}}})
    assert state_of(app).store.get("t", "c", "deep") is not None
    round_trip = export_state(state_of(app).config, state_of(app).store, secrets=True)
    _seed(create_app(), round_trip)
    with pytest.raises(InvalidSeed, match=f"nested deeper than {MAX_SEED_DEPTH} levels"):
        _seed(app, {"data": {"t": {"c": [_nested(MAX_SEED_DEPTH - 3)]}}})
