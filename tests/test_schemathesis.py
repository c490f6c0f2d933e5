"""schemathesis against the running emulator, driven by the document it serves at /_mockgraph/openapi.json.

Every operation is fuzzed with the default app's token: no server error, every response conforms to the
document (status, content type, schema), and every operation answers 2xx at least once. Generated ids
rarely name a connector, so for half the examples the path id is swapped for a freshly created one, and
the upload and create bodies are sometimes swapped for known-good ones (from ``mockgraph.strategies``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mockgraph import create_app, make_pkcs12
from mockgraph import strategies as mgst
from mockgraph.identity import mint_token
from mockgraph.live import LiveServer
from mockgraph.openapi import OPENAPI_PATH

AUTH = {"Authorization": f"Bearer {mint_token()}"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 30
ID = "identityApiConnector-id"
# Ids that name another route rather than an item ($count, the collection itself, dot segments).
NOT_AN_ITEM = re.compile(r"^(|\.|\.\.|\$count)$", re.IGNORECASE)
CERTIFICATE = make_pkcs12(key_type="ec")


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    live = LiveServer(create_app({"connector_limit": 100_000})).start()
    yield live
    live.stop()


def fresh_connector(base: str) -> str:
    body = {
        "displayName": "fuzz",
        "targetUrl": "https://fuzz.example/",
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.basicAuthentication",
            "username": "u",
            "password": "p",
        },
    }
    created = requests.post(f"{base}/identity/apiConnectors", json=body, headers=AUTH, timeout=10)
    assert created.status_code == 201
    return str(created.json()["id"])


def test_schemathesis_finds_no_fault_and_every_operation_succeeds(server: LiveServer) -> None:
    schema = schemathesis.openapi.from_url(server.url + OPENAPI_PATH)
    base = f"{server.url}/beta"
    successes: dict[str, int] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 7

    for operation in operations:
        label = operation.label
        successes[label] = 0

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), existing=st.booleans(), known_good=st.booleans(), data=st.data())
        def fuzz(case: Any, existing: bool, known_good: bool, data: Any) -> None:
            if case.path_parameters and ID in case.path_parameters:
                if existing:
                    case.path_parameters[ID] = fresh_connector(base)
                elif NOT_AN_ITEM.match(str(case.path_parameters[ID])):
                    case.path_parameters[ID] = str(uuid.uuid4())
            if known_good and case.method == "POST" and case.path.endswith("uploadClientCertificate"):
                case.body = {"pkcs12Value": CERTIFICATE.base64, "password": ""}
            elif known_good and case.method == "POST":
                case.body = data.draw(mgst.create_bodies(key_types=("ec",)))
            response = case.call(base_url=base, headers=AUTH)
            case.validate_response(response, checks=CHECKS)
            if 200 <= response.status_code < 300:
                successes[label] += 1  # noqa: B023  (the loop variable is the operation under test)

        fuzz()

    assert all(count > 0 for count in successes.values()), successes
