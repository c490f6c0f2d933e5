"""The directory: run-time tenants, apps and users live in the store, so every app (or worker) sharing it agrees."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mockgraph.core.config import AppRegistration, MockGraphConfig, Tenant, UserAccount
from mockgraph.core.errors import InvalidAuthenticationToken
from mockgraph.identity import Gatekeeper, mint_token
from mockgraph.identity.directory import DIRECTORY_TENANT, Directory, Entries, entry_from_json
from mockgraph.storage.sqlite import SqliteStore
from mockgraph.storage.store import MemoryStore, Store

TENANT = Tenant("7e7e0000-0000-4000-8000-00000000d001", "runtime.example")
APP = AppRegistration(
    "7e7e0000-0000-4000-8000-00000000d0a1",
    "runtime-secret-1",
    tenant_id=TENANT.tenant_id,
    application_permissions=("APIConnectors.Read.All",),
)
USER = UserAccount(
    "someone@runtime.example", "runtime-pw", "7e7e0000-0000-4000-8000-00000000d0b1", TENANT.tenant_id
)
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


def _memory(tmp_path: Path) -> tuple[Store, Store]:
    shared = MemoryStore()
    return shared, shared


def _sqlite(tmp_path: Path) -> tuple[Store, Store]:
    # Two stores on one file: what two forked workers have.
    return SqliteStore(tmp_path / "state.db"), SqliteStore(tmp_path / "state.db")


@pytest.fixture(params=[_memory, _sqlite], ids=["memory", "sqlite"])
def two_stores(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Store, Store]:
    opener: Callable[[Path], tuple[Store, Store]] = request.param
    return opener(tmp_path)


def test_an_entry_registered_through_one_directory_is_known_to_another_on_the_same_store(
    two_stores: tuple[Store, Store],
) -> None:
    first, second = Directory(MockGraphConfig(), two_stores[0]), Directory(MockGraphConfig(), two_stores[1])
    assert second.tenant(TENANT.tenant_id) is None  # looked up (and cached) before the registration
    first.register(Entries((TENANT,), (APP,), (USER,)))
    assert second.tenant(TENANT.tenant_id.upper()) == TENANT
    assert second.resolve_tenant("RUNTIME.example") == TENANT
    assert second.app(TENANT.tenant_id, APP.client_id) == APP
    assert second.user(USER.username) == USER
    # A replacement (a new secret) reaches the other directory too.
    first.add_app(AppRegistration(APP.client_id, "rotated", tenant_id=TENANT.tenant_id))
    found = second.app(TENANT.tenant_id, APP.client_id)
    assert found is not None
    assert found.client_secret == "rotated"
    assert [t.tenant_id for t in second.entries().tenants][-1] == TENANT.tenant_id


def test_a_token_for_a_tenant_another_gatekeeper_registered_is_issued_and_accepted(
    two_stores: tuple[Store, Store],
) -> None:
    config = MockGraphConfig()
    one, two = Gatekeeper(config, records=two_stores[0]), Gatekeeper(config, records=two_stores[1])
    token = f"Bearer {mint_token(tenant_id=TENANT.tenant_id)}"
    with pytest.raises(InvalidAuthenticationToken, match="Access token validation failure"):
        two.authenticate(token)
    one.directory.register(Entries((TENANT,), (APP,)))
    assert two.authenticate(token).tenant_id == TENANT.tenant_id
    form = {
        "grant_type": "client_credentials",
        "client_id": APP.client_id,
        "client_secret": APP.client_secret,
        "scope": GRAPH_SCOPE,
    }
    issued = two.issuer.issue(TENANT.tenant_id, form)
    assert issued.status == 200, issued.body


def test_without_a_store_registrations_stay_in_the_directory() -> None:
    directory = Directory(MockGraphConfig())
    directory.add_tenant(TENANT)
    directory.add_app(APP)
    assert directory.app(TENANT.tenant_id, APP.client_id) == APP
    assert directory.records is None


def test_an_entry_naming_an_unknown_tenant_is_refused_and_nothing_is_written() -> None:
    store = MemoryStore()
    directory = Directory(MockGraphConfig(), store)
    with pytest.raises(ValueError, match=f"names unknown tenant {TENANT.tenant_id}"):
        directory.register(Entries(apps=(APP,)))
    with pytest.raises(ValueError, match="names unknown tenant"):
        directory.check(Entries(users=(USER,)))
    assert store.dump() == {}


def test_a_stored_entry_gone_bad_is_refused_when_the_directory_is_built() -> None:
    store = MemoryStore()
    store.insert(DIRECTORY_TENANT, "tenants", {"id": "x", "entry": {"tenantId": 5}})
    with pytest.raises(
        ValueError,
        match=r"stored directory entry tenants\[0\]: 'tenantId' must be a non-empty string, got a number",
    ):
        Directory(MockGraphConfig(), store)


@pytest.mark.parametrize(
    ("kind", "document", "says"),
    [
        ("tenants", ["not", "an", "object"], "must be an object"),
        ("tenants", {"tenantId": "t", "shoeSize": 9}, "unknown property 'shoeSize'"),
        ("tenants", {"tenantId": None}, "'tenantId' must be a non-empty string, got null"),
        (
            "apps",
            {"clientId": "a", "clientSecret": "s", "applicationPermissions": "X Y"},
            "a list of strings",
        ),
        (
            "users",
            {"username": "u", "password": "p", "objectId": "o", "directoryRoles": [1]},
            "a list of strings",
        ),
        ("apps", {"clientId": "a"}, "apps\\[0\\] is missing property 'clientSecret', a non-empty string"),
    ],
)
def test_entries_from_json_are_checked_field_by_field(kind: str, document: object, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        entry_from_json(kind, document, f"{kind}[0]")
