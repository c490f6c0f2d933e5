"""Every invalid body the strategies make is refused with Graph's error, and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockgraph import create_app
from mockgraph import strategies as mgst
from mockgraph.core.contracts import shared_contracts
from mockgraph.identity import mint_token
from mockgraph.web.state import state_of
from tests.support import assert_graph_error, connector_body

COLLECTION = "/beta/identity/apiConnectors"
SMALL_LIMIT = 16 * 1024
AUTH = {"Authorization": f"Bearer {mint_token()}"}
EXISTING = connector_body("existing", "https://existing.example/api")
# Written from the reference, not from the emulator: an oversized body is 413, every other mistake 400.
EXPECTED = {kind: (400, "BadRequest") for kind in mgst.InvalidBodyKind}
EXPECTED[mgst.InvalidBodyKind.OVERSIZED] = (413, "RequestEntityTooLarge")
UPLOAD_KINDS = [
    kind
    for kind in mgst.InvalidBodyKind
    if kind not in {"bad-odata-type", "missing-odata-type", "output-only-type"}
]
SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app({"max_body_bytes": SMALL_LIMIT})


@pytest.fixture
def seeded(app: Flask) -> tuple[FlaskClient, str]:
    state_of(app).store.reset()
    client = app.test_client()
    created = client.post(COLLECTION, json=EXISTING, headers=AUTH)
    assert created.status_code == 201
    return client, created.get_json()["id"]


# Each write: the strategy making its invalid bodies, its method, and its path below the connector collection.
WRITES: dict[str, tuple[Callable[..., st.SearchStrategy[dict[str, Any]]], str, str]] = {
    "create": (mgst.invalid_create_bodies, "POST", ""),
    "update": (mgst.invalid_update_bodies, "PATCH", "/{id}"),
    "upload": (mgst.invalid_upload_bodies, "POST", "/{id}/uploadClientCertificate"),
}
CASES = [
    pytest.param(write, kind, id=f"{write}-{kind}")
    for write in WRITES
    for kind in (UPLOAD_KINDS if write == "upload" else list(mgst.InvalidBodyKind))
]


@pytest.mark.parametrize(("write", "kind"), CASES)
def test_invalid_bodies_are_refused_and_change_nothing(
    app: Flask, seeded: tuple[FlaskClient, str], write: str, kind: mgst.InvalidBodyKind
) -> None:
    client, object_id = seeded
    bodies, method, path = WRITES[write]

    @SETTINGS
    @given(bodies(kind=kind, max_body_bytes=SMALL_LIMIT, key_types=("ec",)))
    def check(body: dict[str, Any]) -> None:
        before = state_of(app).store.dump()
        response = client.open(COLLECTION + path.format(id=object_id), method=method, json=body, headers=AUTH)
        assert_graph_error(response, *EXPECTED[kind])
        assert state_of(app).store.dump() == before

    check()


@settings(max_examples=30, deadline=None)
@given(body=mgst.invalid_create_bodies(key_types=("ec",), max_body_bytes=SMALL_LIMIT))
def test_invalid_create_bodies_never_satisfy_the_create_contract_or_the_size_limit(
    body: dict[str, Any],
) -> None:
    # The contract alone cannot see certificate defects; those bodies must carry a pkcs12Certificate.
    import json

    contract_ok = shared_contracts().is_valid("identityApiConnectorCreate", body)
    oversized = len(json.dumps(body).encode()) > SMALL_LIMIT
    certificate = isinstance(body.get("authenticationConfiguration"), dict) and "pkcs12Value" in body.get(
        "authenticationConfiguration", {}
    )
    assert not contract_ok or oversized or certificate


@settings(max_examples=20, deadline=None)
@given(kind=st.sampled_from(list(mgst.InvalidBodyKind)), data=st.data())
def test_any_kind_strategy_draws_from_every_kind(kind: mgst.InvalidBodyKind, data: Any) -> None:
    body = data.draw(mgst.invalid_update_bodies(kind=kind, key_types=("ec",), max_body_bytes=1024))
    assert isinstance(body, dict)
