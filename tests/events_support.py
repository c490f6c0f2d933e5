"""What the listener and user-flow tests share: paths, extension records in the store, the reference's examples.

Custom authentication extensions are another resource's; these tests put extension records straight into the store,
shaped as Graph renders them (``id`` and ``@odata.type``), as the handlers that reference them read them.
"""

from __future__ import annotations

import copy
import json
import os
import re
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockgraph.core.config import DEFAULT_TENANT_ID
from mockgraph.core.contracts import shared_contracts
from mockgraph.web.state import state_of
from tests.test_contracts_extensions import REFERENCE, Reference, read_reference

LISTENERS = "identity/authenticationEventListeners"
FLOWS = "identity/authenticationEventsFlows"
EXTENSIONS = "customAuthenticationExtensions"
GRAPH = "https://graph.microsoft.com"
FLOW_TYPE = "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Each custom-extension listener type, its handler type and the extension subtype the handler calls.
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


def graph_type(name: str) -> str:
    return f"#microsoft.graph.{name}"


def documented_reference() -> Reference:
    """The shared reference (beside the repository); a skip without it, a failure under CI (as its own tests do)."""
    if not REFERENCE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"the shared reference is not beside the repository ({REFERENCE})")
        pytest.skip(f"the shared reference is not beside the repository ({REFERENCE})")
    return read_reference()


def add_extension(
    app: Flask,
    subtype: str,
    extension_id: str | None = None,
    *,
    tenant: str = DEFAULT_TENANT_ID,
    **extra: Any,
) -> str:
    """Put an extension of ``subtype`` (``onTokenIssuanceStartCustomExtension``) into the store; its id."""
    record = {
        "id": extension_id or str(uuid.uuid4()),
        "@odata.type": graph_type(subtype),
        "displayName": f"{subtype} for tests",
        **extra,
    }
    state_of(app).store.insert(tenant.lower(), EXTENSIONS, record)
    return str(record["id"])


def listener_body(
    extension_id: str,
    listener: str = "onTokenIssuanceStartListener",
    *,
    version: str = "v1.0",
    apps: tuple[str, ...] = ("a13d0fc1-04ab-4ede-b215-63de0174cbb4",),
) -> dict[str, Any]:
    """A valid create body for a custom-extension listener (``priority`` on beta)."""
    handler, _ = EXTENSION_LISTENERS[listener]
    body: dict[str, Any] = {
        "@odata.type": graph_type(listener),
        "conditions": {"applications": {"includeApplications": [{"appId": app} for app in apps]}},
        "handler": {"@odata.type": graph_type(handler), "customExtension": {"id": extension_id}},
    }
    if handler == "onPasswordMigrationCustomExtensionHandler":
        body["handler"]["migrationPropertyId"] = "extension_00001111aaaa2222bbbb3333cccc4444_toBeMigrated"
    if version == "beta":
        body["priority"] = 500
    return body


def create_listener(
    client: FlaskClient, body: dict[str, Any], version: str = "v1.0", **headers: str
) -> dict[str, Any]:
    response = client.post(f"/{version}/{LISTENERS}", json=body, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    created: dict[str, Any] = response.get_json()
    return created


def flow_body(name: str = "Test flow", *, apps: tuple[str, ...] = ()) -> dict[str, Any]:
    """A minimal valid create body (the required handlers, one identity provider)."""
    body: dict[str, Any] = {
        "@odata.type": FLOW_TYPE,
        "displayName": name,
        "onAuthenticationMethodLoadStart": {
            "@odata.type": "#microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp",
            "identityProviders": [{"id": "EmailPassword-OAUTH"}],
        },
        "onInteractiveAuthFlowStart": {
            "@odata.type": "#microsoft.graph.onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp",
            "isSignUpAllowed": True,
        },
    }
    if apps:
        body["conditions"] = {"applications": {"includeApplications": [{"appId": app} for app in apps]}}
    return body


def create_flow(
    client: FlaskClient, body: dict[str, Any], version: str = "v1.0", **headers: str
) -> dict[str, Any]:
    response = client.post(f"/{version}/{FLOWS}", json=body, headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    created: dict[str, Any] = response.get_json()
    return created


def stored(app: Flask, collection: str, tenant: str = DEFAULT_TENANT_ID) -> list[dict[str, Any]]:
    return state_of(app).store.list(tenant.lower(), collection)


def conforms(contract: str, document: Any) -> None:
    """Assert ``document`` satisfies ``contract`` (naming the first violation)."""
    error = shared_contracts().first_error(contract, document)
    assert error is None, (contract, list(error.absolute_path), error.message)


def answer_contract(name: str, version: str) -> str:
    return f"{name}Beta" if version == "beta" else name


def request_path(block: str) -> tuple[str, str]:
    """The method and the path (after the host) of a documented request's first line."""
    method, url = block.splitlines()[0].split()[:2]
    return method, url.removeprefix(GRAPH)


def with_id(document: Any, documented: str, actual: str) -> Any:
    """``document`` with every occurrence of the documented id replaced by the one the emulator chose."""
    return json.loads(json.dumps(document).replace(documented, actual))


def deep(document: Any) -> Any:
    return copy.deepcopy(document)
