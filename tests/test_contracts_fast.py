"""The compiled fast path of ``Contracts.is_valid`` never accepts a body that jsonschema refuses."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockgraph.core.contracts import Contracts, fast_validator, schema_keywords, shared_contracts
from mockgraph.strategies import (
    create_bodies,
    invalid_create_bodies,
    invalid_update_bodies,
    invalid_upload_bodies,
    update_bodies,
    upload_bodies,
)

CONTRACTS = shared_contracts()
JSON_LEAVES = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
FAST_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def agree(contracts: Contracts, name: str, document: Any) -> None:
    assert contracts.is_valid(name, document) == contracts.validator(name).is_valid(document), document


def mutated(document: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """``document`` with one property replaced, at the top level or inside its authentication."""
    changed = dict(document)
    inner = changed.get("authenticationConfiguration")
    if isinstance(inner, dict) and key.startswith("auth."):
        changed["authenticationConfiguration"] = {**inner, key.removeprefix("auth."): value}
    else:
        changed[key] = value
    return changed


def test_the_request_contracts_take_the_fast_path() -> None:
    for name in ("identityApiConnectorCreate", "identityApiConnectorUpdate", "uploadClientCertificate"):
        assert name in CONTRACTS._fast


def test_a_schema_with_a_pattern_or_format_gets_no_fast_validator() -> None:
    assert fast_validator({"type": "string", "pattern": "^a"}) is None
    assert fast_validator({"properties": {"url": {"type": "string", "format": "uri"}}}) is None
    assert fast_validator({"properties": {"x": {"$ref": "other.json"}}}) is None
    # A property merely named like a keyword is not a keyword.
    assert "pattern" not in schema_keywords({"properties": {"pattern": {"type": "string"}}})


@FAST_SETTINGS
@given(
    create_bodies(),
    st.sampled_from(["displayName", "targetUrl", "auth.username", "auth.password", "x"]),
    JSON_VALUES,
)
def test_create_bodies_and_their_mutations_agree(body: dict[str, Any], key: str, value: Any) -> None:
    agree(CONTRACTS, "identityApiConnectorCreate", body)
    agree(CONTRACTS, "identityApiConnectorCreate", mutated(body, key, value))


@FAST_SETTINGS
@given(update_bodies(), st.sampled_from(["displayName", "targetUrl", "auth.@odata.type", "id"]), JSON_VALUES)
def test_update_bodies_and_their_mutations_agree(body: dict[str, Any], key: str, value: Any) -> None:
    agree(CONTRACTS, "identityApiConnectorUpdate", body)
    agree(CONTRACTS, "identityApiConnectorUpdate", mutated(body, key, value))


@FAST_SETTINGS
@given(upload_bodies(), st.sampled_from(["pkcs12Value", "password", "extra"]), JSON_VALUES)
def test_upload_bodies_and_their_mutations_agree(body: dict[str, Any], key: str, value: Any) -> None:
    agree(CONTRACTS, "uploadClientCertificate", body)
    agree(CONTRACTS, "uploadClientCertificate", mutated(body, key, value))


@FAST_SETTINGS
@given(
    st.one_of(
        invalid_create_bodies().map(lambda b: ("identityApiConnectorCreate", b)),
        invalid_update_bodies().map(lambda b: ("identityApiConnectorUpdate", b)),
        invalid_upload_bodies().map(lambda b: ("uploadClientCertificate", b)),
    )
)
def test_invalid_bodies_agree(case: tuple[str, Any]) -> None:
    name, body = case
    agree(CONTRACTS, name, body)


@pytest.mark.parametrize("name", sorted(CONTRACTS._fast))
@FAST_SETTINGS
@given(document=JSON_VALUES)
def test_any_json_agrees(name: str, document: Any) -> None:
    agree(CONTRACTS, name, document)


@pytest.mark.parametrize("value", [10**30, -(10**30), 1.0, True, [1] * 3])
def test_values_the_compiled_validator_cannot_hold_still_get_a_verdict(value: Any) -> None:
    body = {"displayName": value, "targetUrl": "https://x.example", "authenticationConfiguration": {}}
    assert CONTRACTS.is_valid("identityApiConnectorCreate", body) is False
    agree(CONTRACTS, "identityApiConnectorCreate", {"displayName": "a", "targetUrl": "b", "id": value})
