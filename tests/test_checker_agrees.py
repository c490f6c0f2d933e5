"""The emulator and ``check_requests`` agree on every request, generated from the operation tables.

For every operation in the catalog: its documented example, each invalid body kind, and bad query options
are sent through the app and through the checker; the app refuses (4xx) exactly when the checker names a
violation. Two kinds are outside the checker's reach by design and are left out, each for its reason:
certificate contents (the checker sees redacted journal bodies, so cannot open a PKCS#12) and the body size
limit (an app setting, not part of any contract).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockgraph import check_requests, create_app, make_pkcs12
from mockgraph.core.operations import Operation
from mockgraph.resources import CATALOG
from mockgraph.testing.strategies.extensions import (
    InvalidExtensionBodyKind,
    extension_create_bodies,
    invalid_extension_create_bodies,
    invalid_extension_update_bodies,
)
from mockgraph.testing.strategies.invalid_bodies import (
    UPLOAD_KINDS,
    InvalidBodyKind,
    invalid_create_bodies,
    invalid_update_bodies,
    invalid_upload_bodies,
)

BASIC = {
    "@odata.type": "#microsoft.graph.basicAuthentication",
    "username": "MyUsername",
    "password": "MyPassword",
}
# The docs' request bodies (reference graph-apiconnectors.md section 2, api-connector-calls.md section 5),
# by operation name; the upload example's blob is replaced by a real one (the docs' is elided).
EXAMPLES: dict[str, Any] = {
    "CREATE_CONNECTOR": {
        "displayName": "Test API",
        "targetUrl": "https://someapi.com/api",
        "authenticationConfiguration": BASIC,
    },
    "UPDATE_CONNECTOR": {
        "displayName": "New Test API",
        "targetUrl": "https://otherapi.com/api/endpoint",
        "authenticationConfiguration": BASIC,
    },
    "UPLOAD_CERTIFICATE": "pkcs12",
    "CREATE_B2X_USER_FLOW": {"id": "Partner", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1},
    "CREATE_B2C_USER_FLOW": {"id": "Customer", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 3},
    "UPDATE_B2C_USER_FLOW": {"isLanguageCustomizationEnabled": True},
    # custom-authentication-extensions.md section 2.2 example 1, 2.4, and 2.6 example 1.
    "CREATE_EXTENSION": {
        "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtension",
        "displayName": "onTokenIssuanceStartCustomExtension",
        "description": "Fetch additional claims from custom user store",
        "endpointConfiguration": {
            "@odata.type": "#microsoft.graph.httpRequestEndpoint",
            "targetUrl": "https://authenticationeventsAPI.contoso.com",
        },
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
            "resourceId": "api://authenticationeventsAPI.contoso.com/a13d0fc1-04ab-4ede-b215-63de0174cbb4",
        },
        "clientConfiguration": {"timeoutInMilliseconds": 2000, "maximumRetries": 1},
        "claimsForTokenConfiguration": [
            {"claimIdInApiResponse": "DateOfBirth"},
            {"claimIdInApiResponse": "CustomRoles"},
        ],
    },
    "UPDATE_EXTENSION": {
        "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtension",
        "displayName": "onTokenIssuanceStartCustomExtension",
        "description": "Fetch additional claims from custom user store",
        "endpointConfiguration": {
            "@odata.type": "#microsoft.graph.httpRequestEndpoint",
            "targetUrl": "https://authenticationeventsAPI.contoso.com",
        },
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
            "resourceId": "api://authenticationeventsAPI.contoso.com/a13d0fc1-04ab-4ede-b215-63de0174cbb4",
        },
        "claimsForTokenConfiguration": [
            {"claimIdInApiResponse": "DateOfBirth"},
            {"claimIdInApiResponse": "CustomRoles"},
        ],
    },
    "VALIDATE_EXTENSION_CONFIGURATION": {
        "endpointConfiguration": {
            "@odata.type": "#microsoft.graph.httpRequestEndpoint",
            "targetUrl": "https://australia.contoso.com/users",
        },
        "authenticationConfiguration": {
            "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
            "resourceId": "api://extensibilityapi.azurwebsites.net/f9c5dc6b-d72b-4226-8ccd-801f7a290428",
        },
    },
}
# b2x flows never run the B2C token step: setting it is refused (400 AADB2C, whatever the body) and reading it
# finds nothing (404), so neither can succeed; both are checked as such below.
NEVER_CONFIGURED = {"SET_B2X_PRE_TOKEN_ISSUANCE_CONNECTOR", "GET_B2X_PRE_TOKEN_ISSUANCE_CONNECTOR"}
OUTSIDE_THE_CHECKER = {InvalidBodyKind.BAD_BASE64, InvalidBodyKind.NOT_PKCS12, InvalidBodyKind.WRONG_PASSWORD}
OUTSIDE_THE_CHECKER |= {InvalidBodyKind.OVERSIZED}
BAD_QUERIES = [
    {"$top": ["abc"]},
    {"$top": ["0"]},
    {"$nope": ["1"]},
    {"$select": ["nope"]},
    {"$expand": ["nope"]},
    {"$filter": ["displayName eq"]},
    {"$orderby": ["authenticationConfiguration"]},
    {"$search": ["x"]},
    {"$count": ["maybe"]},
    {"$skip": ["-1"]},
    {"$select": ["id"], "select": ["id"]},
]
BAD_FLOW_BODIES = [
    {"id": "X"},
    {"id": "X", "userFlowType": 7, "userFlowTypeVersion": 1},
    {"id": "X", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1, "colour": "red"},
    {"id": "", "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1},
    {"id": "X", "userFlowType": "nope", "userFlowTypeVersion": 1},
    {"userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1},
]
BAD_REFERENCES = [
    {"@odata.id": ""},
    {"@odata.id": 5},
    {"colour": "red"},
    {"@odata.id": "https://x/beta/users/1"},
]


class Emulator:
    """An app with auth off, one connector, one flow of each kind and one custom authentication extension, and the
    paths that reach them."""

    def __init__(self) -> None:
        self.app: Flask = create_app({"auth_mode": "off"})
        self.client = self.app.test_client()
        created = self.client.post("/beta/identity/apiConnectors", json=EXAMPLES["CREATE_CONNECTOR"])
        assert created.status_code == 201
        self.connector_id: str = created.get_json()["id"]
        extension = self.client.post(
            "/beta/identity/customAuthenticationExtensions", json=EXAMPLES["CREATE_EXTENSION"]
        )
        assert extension.status_code == 201
        self.extension_id: str = extension.get_json()["id"]
        for kind, body in (
            ("b2x", EXAMPLES["CREATE_B2X_USER_FLOW"]),
            ("b2c", EXAMPLES["CREATE_B2C_USER_FLOW"]),
        ):
            made = self.client.post(f"/beta/identity/{kind}UserFlows", json={**body, "id": "Existing"})
            assert made.status_code == 201, made.get_data(as_text=True)
        # Every step a flow can run has the connector, so reading a step finds one.
        for operation in CATALOG:
            if operation.name.startswith("SET_") and operation.name not in NEVER_CONFIGURED:
                attached = self.client.put(self.path(operation), json={"@odata.id": self.connector_id})
                assert attached.status_code == 204, operation.name

    def path(self, operation: Operation) -> str:
        ids = {
            "apiConnectors": self.connector_id,
            "b2xUserFlows": "B2X_1_Existing",
            "b2cUserFlows": "B2C_1_Existing",
            "customAuthenticationExtensions": self.extension_id,
        }
        parts = operation.path.split("/")
        concrete = [ids[parts[index - 1]] if part == "{id}" else part for index, part in enumerate(parts)]
        return f"/{operation.versions[-1]}/" + "/".join(concrete)

    def verdicts(self, operation: Operation, body: Any, query: dict[str, list[str]]) -> tuple[int, list[str]]:
        path = self.path(operation)
        response = self.client.open(path, method=operation.method, json=body, query_string=query)
        entry = {"method": operation.method, "path": path, "query": query, "json": body}
        return response.status_code, [v.problem for v in check_requests([entry])]


@pytest.fixture(scope="module")
def reads() -> Emulator:
    """One emulator for the operations that change nothing (GET); writers get a fresh one each."""
    return Emulator()


def emulator_for(operation: Operation, reads: Emulator) -> Emulator:
    return reads if operation.method == "GET" else Emulator()


def example(operation: Operation, emulator: Emulator) -> Any:
    if operation.name.startswith("SET_"):
        return {"@odata.id": emulator.connector_id}
    found = EXAMPLES[operation.name]
    if found == "pkcs12":
        bundle = make_pkcs12(password="secret")
        return {"pkcs12Value": bundle.base64, "password": bundle.password}
    return found


def assert_agree(status: int, problems: list[str], what: str) -> None:
    assert (status < 400) == (not problems), f"{what}: app answered {status}, checker said {problems}"


def operations(*, with_body: bool | None = None) -> Iterator[Operation]:
    for operation in CATALOG:
        if with_body is None or (operation.body is not None) is with_body:
            yield operation


def test_every_operation_that_takes_a_body_has_a_documented_example() -> None:
    missing = [
        op.name
        for op in operations(with_body=True)
        if op.name not in EXAMPLES and not op.name.startswith("SET_")
    ]
    assert not missing


@pytest.mark.parametrize("operation", list(operations()), ids=lambda op: op.name)
def test_the_documented_example_passes_both(operation: Operation, reads: Emulator) -> None:
    emulator = emulator_for(operation, reads)
    body = example(operation, emulator) if operation.body is not None else None
    status, problems = emulator.verdicts(operation, body, {})
    if operation.name == "SET_B2X_PRE_TOKEN_ISSUANCE_CONNECTOR":
        assert status == 400  # refused by both, whatever the body
        assert problems
        return
    if operation.name == "GET_B2X_PRE_TOKEN_ISSUANCE_CONNECTOR":
        assert status == 404  # state, not shape: the checker has nothing to say
        assert problems == []
        return
    assert status < 400, status
    assert problems == []


@pytest.mark.parametrize("query", BAD_QUERIES, ids=str)
@pytest.mark.parametrize(
    "operation", [op for op in operations() if op.name not in NEVER_CONFIGURED], ids=lambda op: op.name
)
def test_query_options_are_judged_alike(
    operation: Operation, query: dict[str, list[str]], reads: Emulator
) -> None:
    emulator = emulator_for(operation, reads)
    body = example(operation, emulator) if operation.body is not None else None
    status, problems = emulator.verdicts(operation, body, query)
    assert_agree(status, problems, f"{operation.name} {query}")


CONNECTOR_KINDS = {
    "CREATE_CONNECTOR": (invalid_create_bodies, sorted(set(InvalidBodyKind) - OUTSIDE_THE_CHECKER)),
    "UPDATE_CONNECTOR": (invalid_update_bodies, sorted(set(InvalidBodyKind) - OUTSIDE_THE_CHECKER)),
    "UPLOAD_CERTIFICATE": (invalid_upload_bodies, sorted(UPLOAD_KINDS - OUTSIDE_THE_CHECKER)),
}


@pytest.mark.parametrize(
    ("name", "kind"),
    [(name, kind) for name, (_, kinds) in CONNECTOR_KINDS.items() for kind in kinds],
    ids=lambda value: str(value),
)
@settings(max_examples=8, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_each_invalid_connector_body_kind_is_refused_by_both(
    name: str, kind: InvalidBodyKind, data: st.DataObject
) -> None:
    strategy, _ = CONNECTOR_KINDS[name]
    body = data.draw(strategy(kind=kind))
    operation = CATALOG.find(name)
    assert operation is not None
    status, problems = Emulator().verdicts(operation, body, {})
    assert status >= 400
    assert_agree(status, problems, f"{name} {kind}: {body!r}")


@pytest.mark.parametrize("body", BAD_FLOW_BODIES, ids=str)
@pytest.mark.parametrize("name", ["CREATE_B2X_USER_FLOW", "CREATE_B2C_USER_FLOW"])
def test_invalid_flow_bodies_are_refused_by_both(name: str, body: dict[str, Any]) -> None:
    operation = CATALOG.find(name)
    assert operation is not None
    status, problems = Emulator().verdicts(operation, body, {})
    assert status == 400
    assert_agree(status, problems, f"{name} {body}")


@pytest.mark.parametrize("body", BAD_REFERENCES, ids=str)
@pytest.mark.parametrize(
    "operation", [op for op in CATALOG if op.name.startswith("SET_")], ids=lambda op: op.name
)
def test_bodies_that_are_not_references_are_refused_by_both(
    operation: Operation, body: dict[str, Any]
) -> None:
    status, problems = Emulator().verdicts(operation, body, {})
    assert status == 400
    assert_agree(status, problems, f"{operation.name} {body}")


# The Emulator's extension is an onTokenIssuanceStartCustomExtension: update bodies keep that subtype (changing it
# is refused by the app alone: the checker cannot know the stored type), so the foreign-property kind is create-only.
EXTENSION_KINDS = {
    "CREATE_EXTENSION": sorted(set(InvalidExtensionBodyKind) - {InvalidExtensionBodyKind.OVERSIZED}),
    "UPDATE_EXTENSION": sorted(
        set(InvalidExtensionBodyKind)
        - {InvalidExtensionBodyKind.OVERSIZED, InvalidExtensionBodyKind.FOREIGN_PROPERTY}
    ),
}


@pytest.mark.parametrize(
    ("name", "kind"),
    [(name, kind) for name, kinds in EXTENSION_KINDS.items() for kind in kinds],
    ids=lambda value: str(value),
)
@settings(max_examples=8, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_each_invalid_extension_body_kind_is_refused_by_both(
    name: str, kind: InvalidExtensionBodyKind, data: st.DataObject, reads: Emulator
) -> None:
    if name == "CREATE_EXTENSION":
        body = data.draw(invalid_extension_create_bodies(kind=kind))
    else:
        body = data.draw(
            invalid_extension_update_bodies(kind=kind, subtypes=["onTokenIssuanceStartCustomExtension"])
        )
    operation = CATALOG.find(name)
    assert operation is not None
    # A refused body changes nothing, so one emulator serves every example.
    status, problems = reads.verdicts(operation, body, {})
    assert status == 400
    assert_agree(status, problems, f"{name} {kind}: {body!r}")


@settings(max_examples=20, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=extension_create_bodies(any_case=True))
def test_valid_extension_bodies_in_any_spelling_pass_both(body: dict[str, Any]) -> None:
    operation = CATALOG.find("CREATE_EXTENSION")
    assert operation is not None
    status, problems = Emulator().verdicts(operation, body, {})
    assert (status, problems) == (201, [])
