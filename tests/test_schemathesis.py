"""schemathesis against the running emulator, driven by the document it serves at /_mockgraph/openapi.json.

Every operation (connectors and user flows) is fuzzed with the default app's token: no server error, every
response conforms to the document (status, content type, schema), every request the document calls valid is
accepted (schemathesis's ``positive_data_acceptance``: a 400 to a valid-by-the-document request fails), and
every operation answers 2xx at least once.

What JSON Schema cannot say is supplied here, never loosened: a generated body that names a connector (a
user flow's step, a ``$ref``) is pointed at a connector that exists, and a PKCS#12 configuration gets a real
archive and its password. Generated ids rarely name anything, so for half the examples the path id is swapped
for a freshly created connector or flow (a flow with a connector on each of its steps), and bodies are
sometimes swapped for known-good ones (connector bodies from ``mockgraph.strategies``). An operation whose
documented body admits no value (a step Graph routes and the service refuses) is checked to refuse instead.
Deterministic (derandomized, no example database) and capped per operation, so it runs in well under 3
minutes on two cores.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from mockgraph import create_app, make_pkcs12
from mockgraph import strategies as mgst
from mockgraph.admin.openapi import OPENAPI_PATH
from mockgraph.identity import mint_token
from mockgraph.server.threaded import MockGraphServer
from tests.support import connector_body

AUTH = {"Authorization": f"Bearer {mint_token()}"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    positive_data_acceptance,
]
EXAMPLES_PER_OPERATION = 50
ID = "identityApiConnector-id"
FLOW_IDS = {"b2xIdentityUserFlow-id": "b2x", "b2cIdentityUserFlow-id": "b2c"}
# Ids that name another route rather than an item ($count, the collection itself, dot segments).
NOT_AN_ITEM = re.compile(r"^(|\.|\.\.|\$count)$", re.IGNORECASE)
CERTIFICATE = make_pkcs12(key_type="ec")
STEPS = {"b2x": ("postFederationSignup", "postAttributeCollection")}
STEPS["b2c"] = (*STEPS["b2x"], "preTokenIssuance")
FLOW_TYPES = {"b2x": ("signUpOrSignIn", 1), "b2c": ("signUpOrSignIn", 3)}


Prepare = Callable[[Any, bool, bool, Any, str], None]


@pytest.fixture(scope="module")
def server() -> Iterator[MockGraphServer]:
    live = MockGraphServer(create_app({"connector_limit": 100_000})).start()
    yield live
    live.stop()


def fresh_connector(base: str) -> str:
    created = requests.post(
        f"{base}/identity/apiConnectors",
        json=connector_body("fuzz", "https://fuzz.example/"),
        headers=AUTH,
        timeout=10,
    )
    assert created.status_code == 201
    return str(created.json()["id"])


def flow_body(kind: str, connector: str | None = None) -> dict[str, Any]:
    flow_type, version = FLOW_TYPES[kind]
    body: dict[str, Any] = {
        "id": f"fuzz{uuid.uuid4().hex}",
        "userFlowType": flow_type,
        "userFlowTypeVersion": version,
    }
    if connector is not None:
        body["apiConnectorConfiguration"] = {step: {"@odata.id": connector} for step in STEPS[kind]}
    return body


def fresh_flow(base: str, kind: str) -> str:
    """A new flow with one new connector on every step of its kind; its id carries the B2X_1_/B2C_1_ prefix."""
    body = flow_body(kind, fresh_connector(base))
    created = requests.post(f"{base}/identity/{kind}UserFlows", json=body, headers=AUTH, timeout=10)
    assert created.status_code == 201, created.text
    flow_id = str(created.json()["id"])
    assert flow_id.startswith(f"{kind.upper()}_1_")
    return flow_id


def with_real_certificates(body: Any) -> Any:
    """``body`` with every PKCS#12 configuration holding a real archive and its password (JSON Schema can say
    "a string", not "a PKCS#12 archive this password opens")."""
    if isinstance(body, dict):
        if str(body.get("@odata.type", "")).lstrip("#") == "microsoft.graph.pkcs12Certificate":
            return {**body, "pkcs12Value": CERTIFICATE.base64, "password": ""}
        return {key: with_real_certificates(value) for key, value in body.items()}
    return body


def prepare_connector_case(case: Any, existing: bool, known_good: bool, data: Any, base: str) -> None:
    if case.path_parameters and ID in case.path_parameters:
        if existing:
            case.path_parameters[ID] = fresh_connector(base)
        elif NOT_AN_ITEM.match(str(case.path_parameters[ID])):
            case.path_parameters[ID] = str(uuid.uuid4())
    if known_good and case.method == "POST" and case.path.endswith("uploadClientCertificate"):
        case.body = {"pkcs12Value": CERTIFICATE.base64, "password": ""}
    elif known_good and case.method == "POST":
        case.body = data.draw(mgst.create_bodies(key_types=("ec",)))
    elif case.path.endswith("uploadClientCertificate") and isinstance(case.body, dict):
        case.body = {**case.body, "pkcs12Value": CERTIFICATE.base64, "password": ""}
    elif case.method in ("POST", "PATCH"):
        case.body = with_real_certificates(case.body)


def pointed_at(reference: Any, connector: str) -> Any:
    """A generated connector reference in the same form (id, ``@odata.id`` id or URL), naming ``connector``."""
    if not isinstance(reference, dict):
        return reference
    pointed = dict(reference)
    for key in ("@odata.id", "id"):
        value = pointed.get(key)
        if isinstance(value, str):
            pointed[key] = value.rsplit("/", 1)[0] + "/" + connector if "/" in value else connector
    return pointed


def prepare_user_flow_case(case: Any, existing: bool, known_good: bool, data: Any, base: str) -> None:
    kind = "b2c" if "/b2cUserFlows" in case.path else "b2x"
    for name in set(FLOW_IDS) & set(case.path_parameters or {}):
        if existing:
            case.path_parameters[name] = fresh_flow(base, kind)
        elif NOT_AN_ITEM.match(str(case.path_parameters[name])):
            case.path_parameters[name] = f"{kind.upper()}_1_missing{uuid.uuid4().hex}"
    if not known_good:
        # References must name connectors that exist (the service refuses others with 400 AADB2C).
        if case.method == "POST" and isinstance(case.body, dict):
            configuration = case.body.get("apiConnectorConfiguration")
            if isinstance(configuration, dict) and configuration:
                connector = fresh_connector(base)
                case.body["apiConnectorConfiguration"] = {
                    step: pointed_at(reference, connector) for step, reference in configuration.items()
                }
        elif case.method == "PUT":
            case.body = pointed_at(case.body, fresh_connector(base))
        return
    if case.method == "POST":
        case.body = flow_body(kind, fresh_connector(base) if data.draw(st.booleans()) else None)
    elif case.method == "PUT":
        connector = fresh_connector(base)
        case.body = data.draw(
            st.sampled_from(
                [
                    {"@odata.id": connector},
                    {"@odata.id": f"https://graph.microsoft.com/beta/identity/apiConnectors/{connector}"},
                    {"id": connector},
                    {},
                ]
            )
        )
    elif case.method == "PATCH":
        case.body = {"isLanguageCustomizationEnabled": data.draw(st.booleans()), "defaultLanguageTag": "fr"}


def fuzz(operation: Any, base: str, prepare: Prepare) -> int:
    """Run the operation's examples through every check; the number of 2xx answers."""
    successes = 0

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), existing=st.booleans(), known_good=st.booleans(), data=st.data())
    def run(case: Any, existing: bool, known_good: bool, data: Any) -> None:
        nonlocal successes
        prepare(case, existing, known_good, data, base)
        response = case.call(base_url=base, headers=AUTH)
        case.validate_response(response, checks=CHECKS)
        if 200 <= response.status_code < 300:
            successes += 1

    run()
    return successes


@pytest.mark.parametrize(
    ("prefix", "expected_operations", "prepare"),
    [
        ("/identity/apiConnectors", 7, prepare_connector_case),
        ("/identity/b2", 23, prepare_user_flow_case),  # b2xUserFlows (11) and b2cUserFlows (12)
    ],
    ids=["connectors", "user-flows"],
)
def test_schemathesis_finds_no_fault_and_every_operation_succeeds(
    server: MockGraphServer, prefix: str, expected_operations: int, prepare: Prepare
) -> None:
    document = requests.get(server.url + OPENAPI_PATH, timeout=10).json()
    schema = schemathesis.openapi.from_dict(document)
    base = f"{server.url}/beta"
    operations = [result.ok() for result in schema.get_all_operations()]
    chosen = [operation for operation in operations if operation.path.startswith(prefix)]
    assert len(chosen) == expected_operations
    refused = refused_operations(document)
    successes = {
        operation.label: fuzz(operation, base, prepare)
        for operation in chosen
        if operation.label not in refused
    }
    for label in refused & {operation.label for operation in chosen}:
        assert_refused(label, base)
    # b2x flows never run the B2C token step: the GET of that step never finds a connector (404) either.
    never = {label.removesuffix("/$ref").replace("PUT ", "GET ", 1) for label in refused}
    assert all(count > 0 for label, count in successes.items() if label not in never), successes
    assert all(successes[label] == 0 for label in never if label in successes), successes


def refused_operations(document: dict[str, Any]) -> set[str]:
    """``METHOD path`` of each operation whose documented body admits no value (``{"not": {}}``)."""
    schemas = document["components"]["schemas"]
    found = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            content = (
                operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            )
            for media in content.values():
                name = media["schema"].get("$ref", "").rsplit("/", 1)[-1]
                if schemas.get(name, {}).get("not") == {}:
                    found.add(f"{method.upper()} {path}")
    return found


def assert_refused(label: str, base: str) -> None:
    """The emulator refuses the operation whatever the body, as its document says (no body is valid)."""
    method, path = label.split(" ", 1)
    kind = "b2c" if "/b2cUserFlows/" in path else "b2x"
    concrete = re.sub(r"\{[^}]+\}", fresh_flow(base, kind), path, count=1)
    for body in ({}, {"@odata.id": fresh_connector(base)}):
        response = requests.request(method, base + concrete, json=body, headers=AUTH, timeout=10)
        assert response.status_code == 400, (label, body, response.text)
