"""The strategies' promises: valid values are accepted by the emulator, invalid ones refused without effect."""

from __future__ import annotations

import datetime as dt
import inspect
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from mockgraph import create_app, read_pkcs12
from mockgraph import strategies as mgst
from mockgraph.core.certificates import GeneratedPkcs12
from mockgraph.core.contracts import shared_contracts
from mockgraph.identity import mint_token
from mockgraph.web.state import state_of
from tests.support import connector_body

COLLECTION = "/beta/identity/apiConnectors"
SMALL_LIMIT = 64 * 1024
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# A token of the default app: enforce mode, the permission the default app holds.
AUTH = {"Authorization": f"Bearer {mint_token()}"}


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app({"max_body_bytes": SMALL_LIMIT})


def fresh(app: Flask) -> FlaskClient:
    """A client of an emptied emulator (the app is shared by every Hypothesis example)."""
    state_of(app).store.reset()
    return app.test_client()


def check_contract(name: str, document: Any) -> None:
    error = shared_contracts().first_error(name, document)
    assert error is None, f"{name}: {error.message} at {error.json_path}"


def create(client: FlaskClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(COLLECTION, json=body, headers=AUTH)
    assert response.status_code == 201, response.get_json()
    created: dict[str, Any] = response.get_json()
    return created


def test_all_lists_every_public_strategy() -> None:
    public = {
        name
        for name, value in vars(mgst).items()
        if not name.startswith("_") and (inspect.isfunction(value) or inspect.isclass(value))
    }
    assert set(mgst.__all__) == public
    assert mgst.__all__ == sorted(mgst.__all__)


@pytest.mark.parametrize(
    "build",
    [
        lambda: mgst.pkcs12_bundles(validities=("yesterday",)),
        lambda: mgst.pkcs12_bundles(validities=()),
        lambda: mgst.pkcs12_bundles(key_types="rsa"),
        lambda: mgst.pkcs12_bundles(with_password="yes"),
        lambda: mgst.basic_authentications(hash_prefix=1),
        lambda: mgst.authentication_configurations(kinds=("oauth",)),
        lambda: mgst.api_connectors(version="v2.0"),
        lambda: mgst.invalid_create_bodies(kind="typo"),
        lambda: mgst.invalid_upload_bodies(kind=mgst.InvalidBodyKind.BAD_ODATA_TYPE),
        lambda: mgst.invalid_update_bodies(max_body_bytes=0),
        lambda: mgst.access_tokens(kinds=("robot",)),
        lambda: mgst.access_tokens(tenants=()),
        lambda: mgst.invalid_authorizations(kind="stale"),
    ],
)
def test_bad_options_are_refused_when_the_strategy_is_built(build: Any) -> None:
    with pytest.raises(InvalidArgument):
        build()


@FAST
@given(body=mgst.create_bodies(key_types=("ec",)))
def test_every_create_body_is_accepted_and_answered_per_contract(app: Flask, body: dict[str, Any]) -> None:
    client = fresh(app)
    created = create(client, body)
    check_contract("identityApiConnectorFull", created)
    assert (created["displayName"], created["targetUrl"]) == (body["displayName"], body["targetUrl"])
    sent = body["authenticationConfiguration"]
    returned = created["authenticationConfiguration"]
    if "pkcs12Value" in sent:
        facts = read_pkcs12(sent["pkcs12Value"], sent["password"])
        assert [c["thumbprint"] for c in returned["certificateList"]] == [facts.thumbprint]
    else:
        assert returned == {
            "@odata.type": "#microsoft.graph.basicAuthentication",
            "username": sent["username"],
            "password": "******",
        }
    fetched = client.get(f"{COLLECTION}/{created['id']}", headers=AUTH)
    assert fetched.status_code == 200
    check_contract("identityApiConnectorFull", fetched.get_json())


@FAST
@given(
    original=mgst.create_bodies(authentication_kinds=("basic",)),
    patch=mgst.update_bodies(key_types=("ec",)),
)
def test_every_update_body_is_accepted_and_only_changes_what_it_names(
    app: Flask, original: dict[str, Any], patch: dict[str, Any]
) -> None:
    client = fresh(app)
    created = create(client, original)
    response = client.patch(f"{COLLECTION}/{created['id']}", json=patch, headers=AUTH)
    assert response.status_code == 204, response.get_json()
    assert response.get_data() == b""
    after = client.get(f"{COLLECTION}/{created['id']}", headers=AUTH).get_json()
    check_contract("identityApiConnectorFull", after)
    for name in ("displayName", "targetUrl"):
        assert after[name] == patch.get(name, original[name])
    expected_type = {
        "basicAuthentication": "#microsoft.graph.basicAuthentication",
        "pkcs12Certificate": "#microsoft.graph.clientCertificateAuthentication",
    }
    configuration = patch.get("authenticationConfiguration", original["authenticationConfiguration"])
    kind = configuration["@odata.type"].rsplit(".", 1)[-1]
    assert after["authenticationConfiguration"]["@odata.type"] == expected_type[kind]


@FAST
@given(uploads=st.lists(mgst.upload_bodies(key_types=("ec",)), min_size=1, max_size=3))
def test_every_upload_body_is_accepted_and_the_newest_current_certificate_is_active(
    app: Flask, uploads: list[dict[str, Any]]
) -> None:
    client = fresh(app)
    created = create(client, connector_body("c", "https://x.example/"))
    for body in uploads:
        response = client.post(
            f"{COLLECTION}/{created['id']}/uploadClientCertificate", json=body, headers=AUTH
        )
        assert response.status_code == 200, response.get_json()
        check_contract("identityApiConnectorFull", response.get_json())
    listed = response.get_json()["authenticationConfiguration"]["certificateList"]
    facts = [read_pkcs12(body["pkcs12Value"], body["password"]) for body in uploads]
    assert [entry["thumbprint"] for entry in listed] == [fact.thumbprint for fact in facts]
    now = dt.datetime.now(dt.UTC).timestamp()
    current = [i for i, fact in enumerate(facts) if fact.not_before <= now < fact.not_after]
    expected_active = current[-1] if current else None
    assert [entry["isActive"] for entry in listed] == [i == expected_active for i in range(len(facts))]


@settings(max_examples=40, deadline=None)
@given(connector=mgst.api_connectors())
def test_connectors_as_graph_returns_them_satisfy_the_contract(connector: dict[str, Any]) -> None:
    check_contract("identityApiConnectorFull", connector)
    certificates = connector["authenticationConfiguration"].get("certificateList", [])
    assert sum(entry["isActive"] for entry in certificates) <= 1
    assert connector["authenticationConfiguration"].get("password", "******") == "******"


@settings(max_examples=30, deadline=None)
@given(bundle=mgst.pkcs12_bundles(), data=st.data())
def test_bundles_are_real_pkcs12_with_the_promised_window(bundle: GeneratedPkcs12, data: Any) -> None:
    facts = read_pkcs12(bundle.base64, bundle.password)
    assert facts == bundle.facts
    now = dt.datetime.now(dt.UTC).timestamp()
    assert facts.not_before < facts.not_after
    window = "expired" if facts.not_after <= now else "future" if facts.not_before > now else "current"
    assert window in ("expired", "current", "future")


@pytest.mark.parametrize("validity", ["expired", "current", "future"])
@pytest.mark.parametrize("with_password", [True, False])
def test_bundle_options_are_honoured(validity: str, with_password: bool) -> None:
    @settings(max_examples=5, deadline=None)
    @given(mgst.pkcs12_bundles(validities=(validity,), with_password=with_password))  # type: ignore[arg-type]
    def check(bundle: GeneratedPkcs12) -> None:
        now = dt.datetime.now(dt.UTC).timestamp()
        facts = bundle.facts
        assert (bundle.password != "") is with_password
        if validity == "expired":
            assert facts.not_after < now - 3000
        elif validity == "future":
            assert facts.not_before > now + 3000
        else:
            assert facts.not_before < now - 3000
            assert facts.not_after > now + 3000

    check()


@pytest.mark.parametrize("hash_prefix", [True, False])
def test_hash_prefix_fixes_the_odata_type_spelling(hash_prefix: bool) -> None:
    @settings(max_examples=10, deadline=None)
    @given(mgst.authentication_configurations(hash_prefix=hash_prefix, key_types=("ec",)))
    def check(configuration: dict[str, Any]) -> None:
        assert configuration["@odata.type"].startswith("#") is hash_prefix

    check()
