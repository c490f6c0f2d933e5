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
from mockgraph.core.config import DEFAULT_TENANT_ID
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
from mockgraph.testing.strategies.listeners import InvalidListenerKind, invalid_listener_bodies
from mockgraph.web.state import state_of

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
# Custom authentication extensions are another resource's: the emulator below puts one of each subtype into the
# store, with the ids of the reference's examples where it has them (custom-authentication-extensions.md).
EXTENSION_IDS = {
    "onTokenIssuanceStartCustomExtension": "6fc5012e-7665-43d6-9708-4370863f4e6e",
    "onAttributeCollectionStartCustomExtension": "2d9c3e8d-88a9-444e-8c4c-f0c6c4fe1c02",
    "onAttributeCollectionSubmitCustomExtension": "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb",
    "onOtpSendCustomExtension": "0e7e1e57-0000-4000-8000-00000000a0f1",
    "onPasswordSubmitCustomExtension": "0e7e1e57-0000-4000-8000-00000000a0f2",
    "onVerifiedIdClaimValidationCustomExtension": "0e7e1e57-0000-4000-8000-00000000a0f3",
}
# Each custom-extension listener type and the extension subtype its handler calls.
EXTENSION_LISTENERS = {
    "onTokenIssuanceStartListener": (
        "onTokenIssuanceStartCustomExtensionHandler",
        "onTokenIssuanceStartCustomExtension",
    ),
    "onAttributeCollectionStartListener": (
        "onAttributeCollectionStartCustomExtensionHandler",
        "onAttributeCollectionStartCustomExtension",
    ),
    "onAttributeCollectionSubmitListener": (
        "onAttributeCollectionSubmitCustomExtensionHandler",
        "onAttributeCollectionSubmitCustomExtension",
    ),
    "onEmailOtpSendListener": ("onOtpSendCustomExtensionHandler", "onOtpSendCustomExtension"),
    "onPasswordSubmitListener": (
        "onPasswordMigrationCustomExtensionHandler",
        "onPasswordSubmitCustomExtension",
    ),
    "onVerifiedIdClaimValidationListener": (
        "onVerifiedIdClaimValidationCustomExtensionHandler",
        "onVerifiedIdClaimValidationCustomExtension",
    ),
}
LINKED_APP = "a13d0fc1-04ab-4ede-b215-63de0174cbb4"
FLOW = "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow"


def extension_reference(subtype: str) -> dict[str, str]:
    # The shape of the docs' PUT .../customExtension/$ref bodies.
    return {
        "@odata.id": f"https://graph.microsoft.com/beta/identity/customAuthenticationExtensions/{EXTENSION_IDS[subtype]}"
    }


def upper_name(name: str) -> str:
    return "".join(f"_{c}" if c.isupper() else c.upper() for c in name).lstrip("_")


# The listener and user-flow examples (custom-authentication-extensions.md sections 3 and 4), verbatim.
EXAMPLES.update(
    {
        "CREATE_LISTENER": {
            "@odata.type": "#microsoft.graph.onTokenIssuanceStartListener",
            "conditions": {"applications": {"includeApplications": [{"appId": LINKED_APP}]}},
            "handler": {
                "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtensionHandler",
                "customExtension": {"id": "6fc5012e-7665-43d6-9708-4370863f4e6e"},
            },
        },
        "UPDATE_LISTENER": {
            "@odata.type": "#microsoft.graph.onTokenIssuanceStartListener",
            "conditions": {"applications": {"includeApplications": [{"appId": LINKED_APP}]}},
        },
        "ADD_LISTENER_APPLICATION": {
            "@odata.type": "#microsoft.graph.authenticationConditionApplication",
            "appId": "63856651-13d9-4784-9abf-20758d509e19",
        },
        "CREATE_EVENTS_FLOW": {
            "@odata.type": FLOW,
            "displayName": "Woodgrove Drive User Flow",
            "conditions": {
                "applications": {"includeApplications": [{"appId": "63856651-13d9-4784-9abf-20758d509e19"}]}
            },
            "onAuthenticationMethodLoadStart": {
                "@odata.type": "#microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp",
                "identityProviders": [{"id": "EmailPassword-OAUTH"}],
            },
            "onInteractiveAuthFlowStart": {
                "@odata.type": "#microsoft.graph.onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp",
                "isSignUpAllowed": True,
            },
            "onAttributeCollection": {
                "@odata.type": "#microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp",
                "attributes": [
                    {
                        "id": "email",
                        "displayName": "Email Address",
                        "description": "Email address of the user",
                        "userFlowAttributeType": "builtIn",
                        "dataType": "string",
                    },
                    {
                        "id": "displayName",
                        "displayName": "Display Name",
                        "description": "Display Name of the User.",
                        "userFlowAttributeType": "builtIn",
                        "dataType": "string",
                    },
                ],
                "attributeCollectionPage": {
                    "views": [
                        {
                            "inputs": [
                                {
                                    "attribute": "email",
                                    "label": "Email Address",
                                    "inputType": "Text",
                                    "hidden": True,
                                    "editable": False,
                                    "writeToDirectory": True,
                                    "required": True,
                                    "validationRegEx": "^[a-zA-Z0-9.!#$%&amp;&#8217;'*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(?:.[a-zA-Z0-9-]+)*$",
                                },
                                {
                                    "attribute": "displayName",
                                    "label": "Display Name",
                                    "inputType": "text",
                                    "hidden": False,
                                    "editable": True,
                                    "writeToDirectory": True,
                                    "required": False,
                                    "validationRegEx": "^[a-zA-Z_][0-9a-zA-Z_ ]*[0-9a-zA-Z_]+$",
                                },
                            ]
                        }
                    ]
                },
            },
        },
        "UPDATE_EVENTS_FLOW": {"@odata.type": FLOW, "displayName": "New user flow description"},
        "ADD_EVENTS_FLOW_APPLICATION": {
            "@odata.type": "#microsoft.graph.authenticationConditionApplication",
            "appId": "63856651-13d9-4784-9abf-20758d509e19",
        },
        "ATTACH_FLOW_ATTRIBUTE_COLLECTION_SUBMIT_EXTENSION": extension_reference(
            "onAttributeCollectionSubmitCustomExtension"
        ),
        "ATTACH_FLOW_ATTRIBUTE_COLLECTION_START_EXTENSION": extension_reference(
            "onAttributeCollectionStartCustomExtension"
        ),
        **{
            f"ATTACH_LISTENER_{upper_name(listener.removeprefix('on').removesuffix('Listener'))}_EXTENSION": (
                extension_reference(subtype)
            )
            for listener, (_, subtype) in EXTENSION_LISTENERS.items()
        },
    }
)
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
    """An app with auth off, one connector and one flow of each kind, one custom authentication extension made
    through the API, one listener of each custom-extension type (each with an extension record of its subtype) and
    one External ID user flow, and the paths that reach them."""

    def __init__(self) -> None:
        self.app: Flask = create_app({"auth_mode": "off"})
        self.client = self.app.test_client()
        self.listener_ids: dict[str, str] = {}
        self.events_flow_id = ""
        self._events()
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

    def _events(self) -> None:
        store = state_of(self.app).store
        for subtype, extension_id in EXTENSION_IDS.items():
            record = {
                "id": extension_id,
                "@odata.type": f"#microsoft.graph.{subtype}",
                "displayName": subtype,
            }
            store.insert(DEFAULT_TENANT_ID, "customAuthenticationExtensions", record)
        for listener, (handler, subtype) in EXTENSION_LISTENERS.items():
            body: dict[str, Any] = {
                "@odata.type": f"#microsoft.graph.{listener}",
                "priority": 500,
                "conditions": {"applications": {"includeApplications": [{"appId": LINKED_APP}]}},
                "handler": {
                    "@odata.type": f"#microsoft.graph.{handler}",
                    "customExtension": {"id": EXTENSION_IDS[subtype]},
                },
            }
            if listener == "onPasswordSubmitListener":
                body["handler"]["migrationPropertyId"] = (
                    "extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated"
                )
            made = self.client.post("/beta/identity/authenticationEventListeners", json=body)
            assert made.status_code == 201, made.get_data(as_text=True)
            self.listener_ids[f"microsoft.graph.{listener}"] = made.get_json()["id"]
        flow = {**EXAMPLES["CREATE_EVENTS_FLOW"], "displayName": "Existing"}
        flow["conditions"] = {"applications": {"includeApplications": [{"appId": LINKED_APP}]}}
        made = self.client.post("/v1.0/identity/authenticationEventsFlows", json=flow)
        assert made.status_code == 201, made.get_data(as_text=True)
        self.events_flow_id = made.get_json()["id"]

    def path(self, operation: Operation, version: str | None = None) -> str:
        parts = operation.path.split("/")
        # A listener path casting to a listener type reaches the listener of that type (the token one otherwise).
        listener = next(
            (part for part in parts if part in self.listener_ids),
            "microsoft.graph.onTokenIssuanceStartListener",
        )
        ids = {
            "apiConnectors": self.connector_id,
            "b2xUserFlows": "B2X_1_Existing",
            "b2cUserFlows": "B2C_1_Existing",
            "authenticationEventListeners": self.listener_ids[listener],
            "authenticationEventsFlows": self.events_flow_id,
            "includeApplications": LINKED_APP,
            "customAuthenticationExtensions": self.extension_id,
        }
        concrete = [
            ids[parts[index - 1]] if part.startswith("{") else part for index, part in enumerate(parts)
        ]
        return f"/{version or operation.versions[-1]}/" + "/".join(concrete)

    def verdicts(
        self, operation: Operation, body: Any, query: dict[str, list[str]], version: str | None = None
    ) -> tuple[int, list[str]]:
        path = self.path(operation, version)
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
    "operation", [op for op in CATALOG if op.name.startswith(("SET_", "ATTACH_"))], ids=lambda op: op.name
)
def test_bodies_that_are_not_references_are_refused_by_both(
    operation: Operation, body: dict[str, Any]
) -> None:
    status, problems = Emulator().verdicts(operation, body, {})
    assert status == 400
    assert_agree(status, problems, f"{operation.name} {body}")


@pytest.mark.parametrize("kind", sorted(InvalidListenerKind), ids=str)
@settings(max_examples=6, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_each_invalid_listener_body_kind_is_refused_by_both(
    kind: InvalidListenerKind, data: st.DataObject
) -> None:
    body = data.draw(invalid_listener_bodies(kind=kind, version="v1.0", extension_ids=EXTENSION_IDS))
    operation = CATALOG.find("CREATE_LISTENER")
    assert operation is not None
    status, problems = Emulator().verdicts(operation, body, {})
    assert status == 400
    assert_agree(status, problems, f"{kind}: {body!r}")


@pytest.mark.parametrize(
    ("name", "version", "status"),
    [("v1.0", "beta", 400), ("beta", "v1.0", 400), ("beta", "beta", 201), ("v1.0", "v1.0", 201)],
    ids=["v1.0 body on beta", "beta body on v1.0", "beta body on beta", "v1.0 body on v1.0"],
)
def test_bodies_are_judged_by_their_versions_contract(name: str, version: str, status: int) -> None:
    # Beta requires priority (and v1.0 does not know it): both sides judge a body by the version it is sent to.
    body = dict(EXAMPLES["CREATE_LISTENER"])
    if name == "beta":
        body["priority"] = 500
    operation = CATALOG.find("CREATE_LISTENER")
    assert operation is not None
    got, problems = Emulator().verdicts(operation, body, {}, version)
    assert got == status
    assert_agree(got, problems, f"{name} body on {version}")


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
