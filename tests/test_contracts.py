"""The contracts: well-formed, loadable from a wheel (with the dashboard's files), and satisfied by every response."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

from mockgraph import make_pkcs12
from mockgraph.core.contracts import contract_names, contracts_dir, load_schema, shared_contracts
from tests.support import BASIC_BODY, basic_auth, new_pkcs12_auth

REPO = Path(__file__).resolve().parents[1]
EXPECTED = {
    "identityApiConnector",
    "identityApiConnectorFull",
    "identityApiConnectorCreate",
    "identityApiConnectorUpdate",
    "identityApiConnectorCollectionResponse",
    "basicAuthentication",
    "basicAuthenticationInput",
    "pkcs12Certificate",
    "clientCertificateAuthentication",
    "pkcs12CertificateInformation",
    "uploadClientCertificate",
    "odataError",
}


def test_every_contract_is_a_valid_2020_12_schema_with_an_id() -> None:
    assert set(contract_names()) >= EXPECTED
    for name in contract_names():
        schema = load_schema(name)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"].endswith(f"/{name}.json")
        Draft202012Validator.check_schema(schema)


def test_contracts_reject_what_graph_never_returns() -> None:
    contracts = shared_contracts()
    leaked = {
        "id": "0b7f2c1e-1111-4222-8333-444455556666",
        "displayName": "x",
        "targetUrl": "https://x",
        "authenticationConfiguration": basic_auth(password="clear-text"),
    }
    assert not contracts.is_valid("identityApiConnector", leaked)
    no_type = {**leaked, "authenticationConfiguration": {"username": "u", "password": "******"}}
    assert not contracts.is_valid("identityApiConnector", no_type)


def test_the_wheel_ships_the_contracts(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("mockgraph-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped = {Path(n).stem for n in names if n.startswith("mockgraph/_contracts/") and n.endswith(".json")}
    assert shipped == set(contract_names())
    assert "mockgraph/py.typed" in names
    # The dashboard's pages and files are served from the package: each must be in the wheel (checked here,
    # where the wheel is built once).
    dashboard = REPO / "mockgraph" / "admin" / "dashboard"
    served = {
        path.relative_to(REPO).as_posix()
        for folder in ("templates", "static")
        for path in (dashboard / folder).rglob("*")
        if path.is_file()
    }
    assert served >= {
        "mockgraph/admin/dashboard/static/dashboard.js",
        "mockgraph/admin/dashboard/static/dashboard.css",
    }
    assert served <= set(names)


def test_editable_install_finds_the_repository_contracts() -> None:
    assert (contracts_dir() / "identityApiConnector.json").is_file()


def responses_of_a_full_session(client: FlaskClient) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []
    basic = client.post("/beta/identity/apiConnectors", json=BASIC_BODY)
    seen.append(("identityApiConnectorFull", basic.get_json()))
    cert = client.post(
        "/v1.0/identity/apiConnectors", json={**BASIC_BODY, "authenticationConfiguration": new_pkcs12_auth()}
    )
    seen.append(("identityApiConnectorFull", cert.get_json()))
    upload = client.post(
        f"/beta/identity/apiConnectors/{cert.get_json()['id']}/uploadClientCertificate",
        json={"pkcs12Value": make_pkcs12().base64, "password": ""},
    )
    seen.append(("identityApiConnectorFull", upload.get_json()))
    seen.append(
        (
            "identityApiConnectorFull",
            client.get(f"/beta/identity/apiConnectors/{basic.get_json()['id']}").get_json(),
        )
    )
    seen.append(
        (
            "identityApiConnector",
            client.get(
                f"/beta/identity/apiConnectors/{basic.get_json()['id']}?$select=displayName"
            ).get_json(),
        )
    )
    for query in (
        "",
        "?$top=1&$count=true",
        "?$select=id,authenticationConfiguration",
        "?$filter=displayName eq 'x'",
    ):
        seen.append(
            (
                "identityApiConnectorCollectionResponse",
                client.get(f"/beta/identity/apiConnectors{query}").get_json(),
            )
        )
    for bad in (
        client.get("/beta/identity/nothing"),
        client.post("/beta/identity/apiConnectors", json={}),
        client.get("/beta/identity/apiConnectors/missing"),
        client.put("/beta/identity/apiConnectors"),
        client.post("/beta/identity/apiConnectors", data="{", content_type="application/json"),
    ):
        seen.append(("odataError", bad.get_json()))
    return seen


def test_every_response_validates_against_its_contract(client: FlaskClient) -> None:
    contracts = shared_contracts()
    for contract, document in responses_of_a_full_session(client):
        error = contracts.first_error(contract, document)
        assert error is None, (contract, json.dumps(document)[:300], error and error.message)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_contract_compiles_once_and_is_shared(name: str) -> None:
    assert shared_contracts() is shared_contracts()
    assert shared_contracts().validator(name) is shared_contracts().validator(name)
