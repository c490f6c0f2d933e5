"""Seeds say which tenant they filled, and a read that finds nothing in the caller's tenant says where objects are.

The newcomer's case: a seed (or a fixture) fills the default tenant, the client signs in to a tenant of its
own, and lists ``[]`` with nothing to say why.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from mockgraph import create_app
from mockgraph.cli.main import main
from mockgraph.core.config import DEFAULT_TENANT_ID
from mockgraph.resources import CATALOG
from mockgraph.testing.testkit import Connectors, Tokens
from mockgraph.web.hooks import journal_of
from mockgraph.web.tenant_note import collection_of
from tests.support import COLLECTION_PATH, assert_graph_error, connector_body, live_server

MINE = "0b5e3c1a-2f4d-4e6b-8a9c-7d1e2f3a4b5c"
OTHERS = ["1b5e3c1a-2f4d-4e6b-8a9c-7d1e2f3a4b5c", "2b5e3c1a-2f4d-4e6b-8a9c-7d1e2f3a4b5c"]
REASON = "x-mockgraph-reason"
HINT = "(objects are per tenant: seed the caller's tenant, or call with a token for one that holds them)"


@pytest.fixture(params=["memory", "sqlite"])
def app(request: pytest.FixtureRequest, tmp_path: Path) -> Flask:
    config: dict[str, object] = {"auth_mode": "permissive"}
    if request.param == "sqlite":
        config["state_path"] = tmp_path / "state.db"
    return create_app(config)


def mine(app: Flask) -> dict[str, str]:
    return Tokens(app, tenant_id=MINE).headers()


def test_a_seed_answer_names_the_tenants_it_filled(app: Flask) -> None:
    seed = {
        "connectors": [connector_body("a"), connector_body("b")],
        "data": {MINE: {"b2xUserFlows": [{"id": "x"}]}},
    }
    answer = app.test_client().post("/_mockgraph/seed", json=seed).get_json()
    assert answer["objectsByTenant"] == {DEFAULT_TENANT_ID: {"apiConnectors": 2}, MINE: {"b2xUserFlows": 1}}
    assert answer["defaultTenant"] == DEFAULT_TENANT_ID
    assert answer["summary"] == (
        f"2 apiConnectors in tenant {DEFAULT_TENANT_ID} (the default tenant); 1 b2xUserFlows in tenant {MINE}"
    )
    assert answer["added"] == {"tenants": 0, "apps": 0, "users": 0, "objects": 3, "servicePrincipals": 0}


def test_the_seed_command_says_where_the_objects_landed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text('{"connectors": [{"displayName": "a", "targetUrl": "https://x.example", '
                    '"authenticationConfiguration": {"@odata.type": "#microsoft.graph.basicAuthentication", '
                    '"username": "u", "password": "p"}}]}')  # fmt: skip
    with live_server(create_app()) as url:
        assert main(["seed", "--url", url, str(seed)]) == 0
    captured = capsys.readouterr()
    assert captured.err == (
        f"mockgraph seed: added 1 apiConnectors in tenant {DEFAULT_TENANT_ID} (the default tenant)\n"
    )
    assert '"objectsByTenant"' in captured.out  # standard output stays the server's JSON answer


def test_an_empty_list_in_the_callers_tenant_says_where_the_objects_are(app: Flask) -> None:
    Connectors(app).seed_many([connector_body("a"), connector_body("b"), connector_body("c")])
    response = app.test_client().get(COLLECTION_PATH, headers=mine(app))
    assert response.status_code == 200
    assert response.get_json()["value"] == []  # the body stays Graph's
    note = f"0 apiConnectors in the caller's tenant {MINE}; 3 in tenant {DEFAULT_TENANT_ID} {HINT}"
    assert response.headers[REASON] == note
    (entry,) = journal_of(app).entries()
    assert entry.reason == note


def test_count_and_get_say_so_too_and_a_404_keeps_its_own_reason(app: Flask) -> None:
    seeded = Connectors(app).seed()
    client = app.test_client()
    count = client.get(f"{COLLECTION_PATH}/$count", headers=mine(app))
    assert (count.status_code, count.get_data(as_text=True)) == (200, "0")
    assert count.headers[REASON].startswith(f"0 apiConnectors in the caller's tenant {MINE}; 1 in tenant ")
    missing = client.get(f"{COLLECTION_PATH}/{seeded['id']}", headers=mine(app))
    assert_graph_error(missing, 404, None)
    rule, _, note = missing.headers[REASON].partition("; ")
    assert rule  # the refusal's own reason comes first
    assert note.startswith(f"0 apiConnectors in the caller's tenant {MINE}; 1 in tenant {DEFAULT_TENANT_ID}")
    assert journal_of(app).entries()[-1].reason == missing.headers[REASON]


def test_many_tenants_are_summed_up(app: Flask) -> None:
    for tenant, count in [(DEFAULT_TENANT_ID, 1), (OTHERS[0], 3), (OTHERS[1], 2)]:
        Connectors(app, tenant_id=tenant).seed_many([connector_body()] * count)
    response = app.test_client().get(COLLECTION_PATH, headers=mine(app))
    assert response.headers[REASON] == (
        f"0 apiConnectors in the caller's tenant {MINE}; 3 in tenant {OTHERS[0]}, 2 in tenant {OTHERS[1]} "
        f"and 1 in 1 more tenant(s) {HINT}"
    )


def test_no_note_when_the_caller_holds_some_or_nobody_holds_any(app: Flask) -> None:
    client = app.test_client()
    assert REASON not in client.get(COLLECTION_PATH, headers=mine(app)).headers  # empty everywhere
    Connectors(app, tenant_id=MINE).seed()
    Connectors(app).seed()
    listed = client.get(COLLECTION_PATH, headers=mine(app))
    assert (len(listed.get_json()["value"]), REASON in listed.headers) == (1, False)
    # A filter that matches nothing in a tenant that does hold connectors: nothing to explain.
    filtered = client.get(f"{COLLECTION_PATH}?$filter=displayName eq 'none'", headers=mine(app))
    assert (filtered.get_json()["value"], REASON in filtered.headers) == ([], False)
    # Writes are never annotated, even when they find nothing.
    other = Connectors(app, tenant_id=OTHERS[0]).seed()
    deleted = client.delete(
        f"{COLLECTION_PATH}/{other['id']}", headers=Tokens(app, tenant_id=OTHERS[1]).headers()
    )
    assert deleted.status_code == 404
    assert deleted.headers[REASON] == "no such object in the caller's tenant"


def test_every_read_names_a_collection() -> None:
    # Resources name their store collection after the Graph segment; the note relies on it.
    reads = [op for op in CATALOG if op.method == "GET"]
    for operation in reads:
        collection = collection_of(operation)
        assert collection is not None, operation.name
        assert collection in operation.path.split("/"), operation.name
    assert {collection_of(op) for op in reads} >= {"apiConnectors", "b2xUserFlows", "b2cUserFlows"}
