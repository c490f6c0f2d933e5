"""Bad bodies of every kind get Graph's 400 naming the property, and leave the store unchanged."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from mockgraph import create_app, make_pkcs12
from mockgraph.web.state import EmulatorState, state_of
from tests.support import BASIC_BODY, assert_graph_error, new_pkcs12_auth


def with_auth(configuration: dict[str, Any]) -> dict[str, Any]:
    return {**BASIC_BODY, "authenticationConfiguration": configuration}


BASIC = BASIC_BODY["authenticationConfiguration"]

INVALID_CREATE_BODIES: list[tuple[str, dict[str, Any], str]] = [
    ("missing displayName", {k: v for k, v in BASIC_BODY.items() if k != "displayName"}, "'displayName'"),
    ("missing targetUrl", {k: v for k, v in BASIC_BODY.items() if k != "targetUrl"}, "'targetUrl'"),
    (
        "missing authenticationConfiguration",
        {k: v for k, v in BASIC_BODY.items() if k != "authenticationConfiguration"},
        "'authenticationConfiguration'",
    ),
    ("displayName not a string", {**BASIC_BODY, "displayName": 42}, "'displayName'"),
    ("displayName null", {**BASIC_BODY, "displayName": None}, "'displayName'"),
    ("targetUrl an array", {**BASIC_BODY, "targetUrl": ["https://a"]}, "'targetUrl'"),
    (
        "configuration a string",
        {**BASIC_BODY, "authenticationConfiguration": "basic"},
        "'authenticationConfiguration'",
    ),
    ("unknown top-level property", {**BASIC_BODY, "timeoutSeconds": 10}, "'timeoutSeconds'"),
    ("unknown property in basic", with_auth({**BASIC, "domain": "x"}), "'domain'"),
    ("missing password", with_auth({k: v for k, v in BASIC.items() if k != "password"}), "'password'"),
    ("missing username", with_auth({k: v for k, v in BASIC.items() if k != "username"}), "'username'"),
    (
        "password not a string",
        with_auth({**BASIC, "password": 1234}),
        "'authenticationConfiguration.password'",
    ),
    ("missing @odata.type", with_auth({"username": "u", "password": "p"}), "'@odata.type'"),
    (
        "unknown @odata.type",
        with_auth({**BASIC, "@odata.type": "#microsoft.graph.digestAuthentication"}),
        "digestAuthentication",
    ),
    (
        "misspelled @odata.type",
        with_auth({**BASIC, "@odata.type": "#microsoft.graph.BasicAuthentication"}),
        "BasicAuthentication",
    ),
    (
        "abstract base type",
        with_auth({"@odata.type": "#microsoft.graph.apiAuthenticationConfigurationBase"}),
        "apiAuthenticationConfigurationBase",
    ),
    (
        "output-only type on input",
        with_auth({"@odata.type": "#microsoft.graph.clientCertificateAuthentication", "certificateList": []}),
        "clientCertificateAuthentication",
    ),
    ("@odata.type not a string", with_auth({**BASIC, "@odata.type": 7}), "'@odata.type'"),
    ("wrong entity type", {**BASIC_BODY, "@odata.type": "#microsoft.graph.user"}, "microsoft.graph.user"),
    (
        "pkcs12 missing password",
        with_auth({"@odata.type": "#microsoft.graph.pkcs12Certificate", "pkcs12Value": "AAAA"}),
        "'password'",
    ),
    (
        "pkcs12 bad base64",
        with_auth(
            {
                "@odata.type": "#microsoft.graph.pkcs12Certificate",
                "pkcs12Value": "not*base64!",
                "password": "",
            }
        ),
        "base-64",
    ),
    (
        "pkcs12 not PKCS#12",
        with_auth(
            {
                "@odata.type": "#microsoft.graph.pkcs12Certificate",
                "pkcs12Value": base64.b64encode(b"just some bytes").decode(),
                "password": "",
            }
        ),
        "PKCS 12",
    ),
    (
        "pkcs12 the docs' placeholder",
        with_auth(
            {
                "@odata.type": "#microsoft.graph.pkcs12Certificate",
                "pkcs12Value": "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkEyNTZHQ00ifQ...kDJ04sJShkkgjL9Bm49plA",
                "password": "<password>",
            }
        ),
        "base-64",
    ),
    (
        "pkcs12 wrong password",
        with_auth({**new_pkcs12_auth("right"), "password": "wrong"}),
        "password is incorrect",
    ),
    (
        "pkcs12 password missing for protected blob",
        with_auth({**new_pkcs12_auth("right"), "password": ""}),
        "password is incorrect",
    ),
]


@pytest.mark.parametrize(
    ("kind", "body", "named"), INVALID_CREATE_BODIES, ids=[c[0] for c in INVALID_CREATE_BODIES]
)
def test_invalid_create_body_is_400_naming_the_property(
    client: FlaskClient, state: EmulatorState, kind: str, body: dict[str, Any], named: str
) -> None:
    response = client.post("/beta/identity/apiConnectors", json=body)
    error = assert_graph_error(response, 400, "BadRequest")
    assert named in error["message"], (kind, error["message"])
    assert response.headers["x-mockgraph-reason"]
    assert state.store.dump() == {}


@pytest.mark.parametrize(
    ("kind", "body", "named"),
    [
        case
        for case in INVALID_CREATE_BODIES
        if not case[0].startswith("missing ")
        or "@odata" in case[0]
        or "password" in case[0]
        or "username" in case[0]
    ],
)
def test_invalid_update_body_is_400_and_changes_nothing(
    client: FlaskClient,
    state: EmulatorState,
    create_connector: Callable[..., dict[str, Any]],
    kind: str,
    body: dict[str, Any],
    named: str,
) -> None:
    created = create_connector()
    before = state.store.dump()
    response = client.patch(f"/beta/identity/apiConnectors/{created['id']}", json=body)
    error = assert_graph_error(response, 400, "BadRequest")
    assert named in error["message"], (kind, error["message"])
    assert state.store.dump() == before


def test_update_needs_no_property(
    client: FlaskClient, state: EmulatorState, create_connector: Callable[..., dict[str, Any]]
) -> None:
    created = create_connector()
    before = state.store.dump()
    assert client.patch(f"/beta/identity/apiConnectors/{created['id']}", json={}).status_code == 204
    assert state.store.dump() == before


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"pkcs12Value": make_pkcs12().base64}, "'password'"),
        ({"password": ""}, "'pkcs12Value'"),
        ({"pkcs12Value": make_pkcs12().base64, "password": "", "extra": True}, "'extra'"),
        ({"pkcs12Value": 12, "password": ""}, "'pkcs12Value'"),
        ({"pkcs12Value": "%%%", "password": ""}, "base-64"),
        ({"pkcs12Value": make_pkcs12(password="x").base64, "password": "y"}, "password is incorrect"),
    ],
)
def test_invalid_upload_body_is_400_and_changes_nothing(
    client: FlaskClient,
    state: EmulatorState,
    create_connector: Callable[..., dict[str, Any]],
    body: dict[str, Any],
    named: str,
) -> None:
    created = create_connector()
    before = state.store.dump()
    response = client.post(f"/beta/identity/apiConnectors/{created['id']}/uploadClientCertificate", json=body)
    assert named in assert_graph_error(response, 400, "BadRequest")["message"]
    assert state.store.dump() == before


def test_client_supplied_id_is_ignored(client: FlaskClient) -> None:
    response = client.post("/beta/identity/apiConnectors", json={**BASIC_BODY, "id": "my-own-id"})
    assert response.status_code == 201
    assert response.get_json()["id"] != "my-own-id"


def test_entity_odata_type_is_accepted_on_input(client: FlaskClient) -> None:
    for annotation in ("#microsoft.graph.identityApiConnector", "microsoft.graph.identityApiConnector"):
        response = client.post("/beta/identity/apiConnectors", json={**BASIC_BODY, "@odata.type": annotation})
        assert response.status_code == 201


def test_pkcs12_without_password_uses_empty_string(client: FlaskClient) -> None:
    response = client.post("/beta/identity/apiConnectors", json=with_auth(new_pkcs12_auth(password="")))
    assert response.status_code == 201
    assert response.get_json()["authenticationConfiguration"]["certificateList"][0]["isActive"] is True


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
near_valid = st.fixed_dictionaries(
    {},
    optional={
        "displayName": json_values,
        "targetUrl": json_values,
        "authenticationConfiguration": json_values
        | st.fixed_dictionaries(
            {
                "@odata.type": st.sampled_from(
                    ["#microsoft.graph.basicAuthentication", "microsoft.graph.pkcs12Certificate", "x"]
                )
            },
            optional={"username": json_values, "password": json_values, "pkcs12Value": json_values},
        ),
        "@odata.type": json_values,
        "id": json_values,
    },
)


@settings(max_examples=150, deadline=None)
@given(body=json_values | near_valid)
def test_arbitrary_json_never_500s_and_refusals_change_nothing(body: Any) -> None:
    app = create_app({"auth_mode": "off"})
    client = app.test_client()
    store = state_of(app).store
    seeded = client.post("/beta/identity/apiConnectors", json=BASIC_BODY).get_json()
    for method, path in (
        ("POST", "/beta/identity/apiConnectors"),
        ("PATCH", f"/beta/identity/apiConnectors/{seeded['id']}"),
        ("POST", f"/v1.0/identity/apiConnectors/{seeded['id']}/uploadClientCertificate"),
    ):
        before = store.dump()
        response = client.open(path, method=method, data=json.dumps(body), content_type="application/json")
        assert response.status_code < 500, response.get_json()
        if response.status_code >= 400:
            assert set(response.get_json()) == {"error"}
            assert store.dump() == before
        else:
            assert "<PASSWORD>" not in response.get_data(as_text=True)
    assert copy.deepcopy(store.dump())  # still readable
