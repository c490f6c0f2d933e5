"""Scenarios for authentication event listeners and External ID user flows (``mockgraph verify``).

They read, and they check refusals; they never create a listener or a flow on purpose, since either changes what
a real tenant's users go through when they sign up or sign in. A body that should be refused but is accepted is
deleted again (by its URL). Graph's error codes for these CPIM-owned resources are not documented (reference
section 12.2), so refusals are checked by status only.
"""

from __future__ import annotations

import uuid
from typing import Any

from mockgraph.verify.probe import Probe

LISTENERS = "authenticationEventListeners"
FLOWS = "authenticationEventsFlows"
FLOW_TYPE = "#microsoft.graph.externalUsersSelfServiceSignUpEventsFlow"
# The deprecated handler navigation of each custom-extension listener (beta only).
HANDLER_PATHS = (
    "microsoft.graph.onTokenIssuanceStartListener/handler/microsoft.graph.onTokenIssuanceStartCustomExtensionHandler",
    "microsoft.graph.onAttributeCollectionStartListener/handler/"
    "microsoft.graph.onAttributeCollectionStartCustomExtensionHandler",
    "microsoft.graph.onAttributeCollectionSubmitListener/handler/"
    "microsoft.graph.onAttributeCollectionSubmitCustomExtensionHandler",
    "microsoft.graph.onEmailOtpSendListener/handler/microsoft.graph.onOtpSendCustomExtensionHandler",
    "microsoft.graph.onPasswordSubmitListener/handler/microsoft.graph.onPasswordMigrationCustomExtensionHandler",
    "microsoft.graph.onVerifiedIdClaimValidationListener/handler/"
    "microsoft.graph.onVerifiedIdClaimValidationCustomExtensionHandler",
)


def url(probe: Probe, path: str) -> str:
    return f"{probe.target.base_url.rstrip('/')}/{probe.target.version}/identity/{path}"


def contract(probe: Probe, name: str) -> str:
    """The version's contract: beta answers carry beta's extra properties."""
    return f"{name}Beta" if probe.target.version == "beta" else name


def refuse_create(probe: Probe, collection: str, label: str, body: dict[str, Any]) -> None:
    """POST ``body`` expecting 400; whatever is created anyway is deleted again."""
    reply = probe.call(
        "POST", url(probe, collection), status=400, json_body=body, step=f"POST {collection} ({label})"
    )
    if reply is not None and reply.status == 201 and isinstance(reply.document, dict):
        probe.created.append(url(probe, f"{collection}/{reply.document.get('id')}"))


# --- listeners ------------------------------------------------------------------------------------------


def listeners_read(probe: Probe) -> None:
    listed = probe.call(
        "GET",
        url(probe, LISTENERS),
        status=200,
        contract=contract(probe, "authenticationEventListenerCollectionResponse"),
        step="GET (list listeners)",
    )
    context = str(((listed.document if listed else None) or {}).get("@odata.context", ""))
    wanted = f"/{probe.target.version}/$metadata#identity/{LISTENERS}"
    if listed is not None and listed.status == 200 and not context.endswith(wanted):
        probe.diverge(
            "GET (list listeners)", "value", f"@odata.context ending in {wanted}", context or "none"
        )
    probe.call(
        "GET", url(probe, f"{LISTENERS}/$count"), status=200, contract="count", step="GET (count listeners)"
    )


def listeners_unknown_id(probe: Probe) -> None:
    unknown = url(probe, f"{LISTENERS}/{uuid.uuid4()}")
    probe.call("GET", unknown, status=404, step="GET an unknown listener")
    applications = f"{unknown}/conditions/applications/includeApplications"
    probe.call("GET", applications, status=404, step="GET includeApplications of an unknown listener")
    probe.call(
        "GET", f"{applications}/{uuid.uuid4()}", status=404, step="GET an application of an unknown listener"
    )
    if probe.target.version == "beta":  # the deprecated handler navigation is documented on beta only
        for path in HANDLER_PATHS:
            probe.call(
                "GET", f"{unknown}/{path}/customExtension", status=404, step=f"GET .../{path.split('/')[0]}"
            )


def listener_body(probe: Probe) -> dict[str, Any]:
    """A valid token-issuance listener body naming an extension that does not exist."""
    body: dict[str, Any] = {
        "@odata.type": "#microsoft.graph.onTokenIssuanceStartListener",
        "displayName": probe.name("listener"),
        "conditions": {"applications": {"includeApplications": [{"appId": str(uuid.uuid4())}]}},
        "handler": {
            "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtensionHandler",
            "customExtension": {"id": str(uuid.uuid4())},
        },
    }
    if probe.target.version == "beta":
        body["priority"] = 500
    return body


def listeners_refuse_bad_bodies(probe: Probe) -> None:
    good = listener_body(probe)
    handler = good["handler"]
    bodies: dict[str, dict[str, Any]] = {
        "an extension that does not exist": good,
        "missing handler": {k: v for k, v in good.items() if k != "handler"},
        "missing @odata.type": {k: v for k, v in good.items() if k != "@odata.type"},
        "abstract @odata.type": {**good, "@odata.type": "#microsoft.graph.authenticationEventListener"},
        "unknown @odata.type": {**good, "@odata.type": "#microsoft.graph.onNothingListener"},
        "unknown property": {**good, "colour": "blue"},
        "wrong type": {**good, "displayName": 42},
        "another listener's handler": {
            **good,
            "handler": {**handler, "@odata.type": "#microsoft.graph.onOtpSendCustomExtensionHandler"},
        },
    }
    for label, body in bodies.items():
        refuse_create(probe, LISTENERS, label, body)


# --- user flows -----------------------------------------------------------------------------------------


def flows_read(probe: Probe) -> None:
    collection = contract(probe, "authenticationEventsFlowCollectionResponse")
    probe.call("GET", url(probe, FLOWS), status=200, contract=collection, step="GET (list user flows)")
    cast = url(probe, f"{FLOWS}/{FLOW_TYPE.lstrip('#')}")
    probe.call("GET", cast, status=200, contract=collection, step="GET (list user flows, cast)")
    probe.call(
        "GET", url(probe, f"{FLOWS}/$count"), status=200, contract="count", step="GET (count user flows)"
    )


def flows_unknown_id(probe: Probe) -> None:
    unknown = url(probe, f"{FLOWS}/{uuid.uuid4()}")
    probe.call("GET", unknown, status=404, step="GET an unknown user flow")
    probe.call(
        "GET", f"{unknown}/{FLOW_TYPE.lstrip('#')}", status=404, step="GET an unknown user flow (cast)"
    )
    applications = f"{unknown}/conditions/applications/includeApplications"
    probe.call("GET", applications, status=404, step="GET includeApplications of an unknown user flow")
    probe.call(
        "GET", f"{applications}/{uuid.uuid4()}", status=404, step="GET an application of an unknown user flow"
    )


def flow_body(probe: Probe) -> dict[str, Any]:
    return {
        "@odata.type": FLOW_TYPE,
        "displayName": probe.name("flow"),
        "onAuthenticationMethodLoadStart": {
            "@odata.type": "#microsoft.graph.onAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp",
            "identityProviders": [{"id": "EmailPassword-OAUTH"}],
        },
        "onInteractiveAuthFlowStart": {
            "@odata.type": "#microsoft.graph.onInteractiveAuthFlowStartExternalUsersSelfServiceSignUp",
            "isSignUpAllowed": True,
        },
    }


def flows_refuse_bad_bodies(probe: Probe) -> None:
    good = flow_body(probe)
    method_load = good["onAuthenticationMethodLoadStart"]
    page = {"views": [{"inputs": [{"attribute": "email", "label": "Email", "inputType": "colour"}]}]}
    bodies: dict[str, dict[str, Any]] = {
        "missing displayName": {k: v for k, v in good.items() if k != "displayName"},
        "missing onInteractiveAuthFlowStart": {
            k: v for k, v in good.items() if k != "onInteractiveAuthFlowStart"
        },
        "no identity provider": {
            **good,
            "onAuthenticationMethodLoadStart": {**method_load, "identityProviders": []},
        },
        "abstract @odata.type": {**good, "@odata.type": "#microsoft.graph.authenticationEventsFlow"},
        "unknown property": {**good, "colour": "blue"},
        "unknown inputType": {
            **good,
            "onAttributeCollection": {
                "@odata.type": "#microsoft.graph.onAttributeCollectionExternalUsersSelfServiceSignUp",
                "attributes": [{"id": "email"}],
                "attributeCollectionPage": page,
            },
        },
    }
    for label, body in bodies.items():
        refuse_create(probe, FLOWS, label, body)
