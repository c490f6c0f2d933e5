"""Seed and snapshot for listeners and user flows: bodies seeded as POST /beta builds them, references to the seed's
own data, refusals that write nothing, and a snapshot that seeds back as it is (over the admin API)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from mockgraph import create_app
from mockgraph.core.config import DEFAULT_TENANT_ID
from mockgraph.web.state import state_of
from tests.events_support import FLOWS, LISTENERS, flow_body, listener_body
from tests.support import assert_graph_error

EXTENSION = {
    "id": "6fc5012e-7665-43d6-9708-4370863f4e6e",
    "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtension",
    "displayName": "seeded extension",
}
OTHER_TENANT = "5eed7e7e-0000-4000-8000-00000000000b"


def seed(app: Flask, document: Any) -> Any:
    return app.test_client().post("/_mockgraph/seed", json=document)


def listed(app: Flask, path: str, version: str = "beta") -> list[dict[str, Any]]:
    value: list[dict[str, Any]] = app.test_client().get(f"/{version}/{path}").get_json()["value"]
    return value


@pytest.fixture
def app() -> Flask:
    return create_app({"auth_mode": "off"})


def test_listener_and_flow_bodies_seed_as_post_builds_them(app: Flask) -> None:
    v1_body = listener_body(EXTENSION["id"])
    beta_body = {**listener_body(EXTENSION["id"], version="beta"), "priority": 7}
    response = seed(
        app,
        {
            "data": {DEFAULT_TENANT_ID: {"customAuthenticationExtensions": [EXTENSION]}},
            "authenticationEventsFlows": [flow_body("Seeded flow", apps=("app-1",))],
            "authenticationEventListeners": [v1_body, beta_body],
        },
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["added"]["objects"] == 4
    listeners = listed(app, LISTENERS)
    assert [item["priority"] for item in listeners] == [500, 7]
    assert all(item["handler"]["customExtension"] == {"id": EXTENSION["id"]} for item in listeners)
    (flow,) = listed(app, FLOWS)
    assert flow["displayName"] == "Seeded flow"
    applications = app.test_client().get(
        f"/v1.0/{FLOWS}/{flow['id']}/conditions/applications/includeApplications"
    )
    assert applications.get_json()["value"] == [{"appId": "app-1"}]


def test_a_seeded_listener_may_name_a_flow_of_the_seeds_data(app: Flask) -> None:
    state = state_of(app)
    # A flow record as the store keeps it (made through the API, then taken out), under an id the seed chooses.
    client = app.test_client()
    made = client.post(f"/beta/{FLOWS}", json=flow_body("Exported")).get_json()
    record = state.store.get(DEFAULT_TENANT_ID, "authenticationEventsFlows", made["id"])
    assert record is not None
    state.store.reset()
    stored_flow = {**record, "id": "f10a0000-0000-4000-8000-000000000001"}
    body = {**listener_body(EXTENSION["id"], version="beta"), "authenticationEventsFlowId": stored_flow["id"]}
    data = {
        DEFAULT_TENANT_ID: {
            "customAuthenticationExtensions": [EXTENSION],
            "authenticationEventsFlows": [stored_flow],
        }
    }
    assert seed(app, {"data": data, "authenticationEventListeners": [body]}).status_code == 200
    assert listed(app, LISTENERS)[0]["authenticationEventsFlowId"] == stored_flow["id"]


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ({"authenticationEventListeners": [listener_body(EXTENSION["id"])]}, "does not exist in this tenant"),
        (
            {
                "data": {DEFAULT_TENANT_ID: {"customAuthenticationExtensions": [EXTENSION]}},
                "authenticationEventListeners": [
                    listener_body(EXTENSION["id"]),
                    {"@odata.type": "#microsoft.graph.authenticationEventListener"},
                ],
            },
            "authenticationEventListeners[1]",
        ),
        ({"authenticationEventsFlows": [flow_body("Twice"), flow_body("twice")]}, "already exists"),
        (
            {"authenticationEventsFlows": [flow_body("A", apps=("x",)), flow_body("B", apps=("x",))]},
            "one user flow",
        ),
        ({"authenticationEventsFlows": {DEFAULT_TENANT_ID: "not a list"}}, "must be a list"),
    ],
    ids=["missing extension", "abstract type", "duplicate name", "app in two flows", "not a list"],
)
def test_a_bad_seed_is_refused_and_writes_nothing(
    app: Flask, document: dict[str, Any], fragment: str
) -> None:
    before = state_of(app).store.dump()
    error = assert_graph_error(seed(app, document), 400, "BadRequest")
    assert fragment in error["message"], error
    assert state_of(app).store.dump() == before


def test_a_seed_over_the_listener_limit_adds_nothing() -> None:
    app = create_app({"auth_mode": "off", "listener_limit": 2})
    body = listener_body(EXTENSION["id"])
    document = {
        "data": {DEFAULT_TENANT_ID: {"customAuthenticationExtensions": [EXTENSION]}},
        "authenticationEventListeners": [body, body, body],
    }
    error = assert_graph_error(seed(app, document), 400, "BadRequest")
    assert "the limit is 2" in error["message"]
    assert state_of(app).store.dump() == {}


def test_bodies_may_name_their_tenant(app: Flask) -> None:
    document = {
        "tenants": [{"tenantId": OTHER_TENANT}],
        "authenticationEventsFlows": {OTHER_TENANT: [flow_body("Theirs")]},
    }
    assert seed(app, document).status_code == 200
    assert state_of(app).store.list(OTHER_TENANT, "authenticationEventsFlows")[0]["displayName"] == "Theirs"
    assert listed(app, FLOWS) == []


def test_a_snapshot_seeds_back_as_it_is(app: Flask) -> None:
    client = app.test_client()
    state_of(app).store.insert(DEFAULT_TENANT_ID, "customAuthenticationExtensions", EXTENSION)
    flow = client.post(f"/beta/{FLOWS}", json=flow_body("Round trip", apps=("app-9",))).get_json()
    listener = client.post(
        f"/beta/{LISTENERS}", json=listener_body(EXTENSION["id"], version="beta")
    ).get_json()
    snapshot = client.get("/_mockgraph/snapshot").get_json()
    collections = snapshot["data"][DEFAULT_TENANT_ID]
    assert [r["id"] for r in collections["authenticationEventListeners"]] == [listener["id"]]
    assert [r["id"] for r in collections["authenticationEventsFlows"]] == [flow["id"]]
    fresh = create_app({"auth_mode": "off"})
    assert seed(fresh, snapshot).status_code == 200
    again = fresh.test_client()
    for path in (f"{LISTENERS}/{listener['id']}", f"{FLOWS}/{flow['id']}"):
        for version in ("beta", "v1.0"):
            assert again.get(f"/{version}/{path}").get_json() == client.get(f"/{version}/{path}").get_json()
