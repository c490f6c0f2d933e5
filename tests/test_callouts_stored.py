"""The callout built from the emulator's own state: the extension and listener configured through Graph, and the
API app's accessTokenAcceptedVersion from the directory, decide what Entra sends and how long it waits."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from mockgraph import AppRegistration, create_app
from mockgraph.callouts.simulator import ExtensionSimulator
from mockgraph.core.config import DEFAULT_TENANT_ID
from mockgraph.core.errors import ResourceNotFound
from mockgraph.signup.transport import WsgiTransport
from tests._callout_endpoints import EVENTS_APP_ID, Endpoint

API_APP_ID = "00001111-aaaa-2222-bbbb-3333cccc4444"
API_URI = "api://authenticationevents.example.com/00001111-aaaa-2222-bbbb-3333cccc4444"
EXTENSION = {
    "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtension",
    "displayName": "Stored token extension",
    "endpointConfiguration": {
        "@odata.type": "#microsoft.graph.httpRequestEndpoint",
        "targetUrl": "https://authenticationevents.example.com/api/callout?code=key",
    },
    "authenticationConfiguration": {
        "@odata.type": "#microsoft.graph.azureAdTokenAuthentication",
        "resourceId": API_URI,
    },
    "clientConfiguration": {"timeoutInMilliseconds": 2000, "maximumRetries": 1},
    "claimsForTokenConfiguration": [{"claimIdInApiResponse": "loyaltyNumber"}],
}


def answer(body: dict[str, Any]) -> tuple[int, Any, str]:
    action = {
        "@odata.type": "microsoft.graph.tokenIssuanceStart.provideClaimsForToken",
        "claims": {"loyaltyNumber": "42"},
    }
    document = {
        "data": {"@odata.type": "microsoft.graph.onTokenIssuanceStartResponseData", "actions": [action]}
    }
    return 200, document, "application/json"


@pytest.mark.parametrize("version", [1, 2])
def test_the_stored_extension_and_listener_decide_the_call(version: int) -> None:
    app = create_app(
        {
            "auth_mode": "off",
            "apps": [
                AppRegistration(
                    API_APP_ID,
                    "api-secret",
                    identifier_uris=(API_URI,),
                    access_token_accepted_version=version,
                )
            ],
        }
    )
    client = app.test_client()
    created = client.post("/v1.0/identity/customAuthenticationExtensions", json=EXTENSION)
    assert created.status_code == 201, created.get_data(as_text=True)
    extension_id = created.get_json()["id"]
    listener = client.post(
        "/v1.0/identity/authenticationEventListeners",
        json={
            "@odata.type": "#microsoft.graph.onTokenIssuanceStartListener",
            "conditions": {"applications": {"includeApplications": [{"appId": "client-app"}]}},
            "handler": {
                "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtensionHandler",
                "customExtension": {"id": extension_id},
                "configuration": {"clientConfiguration": {"timeoutInMilliseconds": 500, "maximumRetries": 0}},
            },
        },
    )
    assert listener.status_code == 201, listener.get_data(as_text=True)

    target = ExtensionSimulator.target_in(app, extension_id, app_id="client-app")
    assert (target.timeout_ms, target.maximum_retries) == (
        500,
        0,
    )  # the listener's handler configuration wins
    assert target.listener_id == listener.get_json()["id"]
    assert target.target_url == EXTENSION["endpointConfiguration"]["targetUrl"]

    endpoint = Endpoint(answer)
    simulator = ExtensionSimulator.for_app(app, transport=WsgiTransport(endpoint.app()))
    outcome = simulator.call(target)
    assert outcome.error_code is None, outcome.rule
    (request,) = endpoint.requests
    assert request["query"] == "code=key"
    token = request["headers"]["Authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, options={"verify_signature": False})
    if version == 2:
        assert (claims["aud"], claims["azp"]) == (API_APP_ID, EVENTS_APP_ID)
    else:
        assert (claims["aud"], claims["appid"]) == (API_URI, EVENTS_APP_ID)
    assert request["body"]["data"]["customAuthenticationExtensionId"] == extension_id


def test_an_extension_the_tenant_does_not_hold_is_not_found() -> None:
    app = create_app({"auth_mode": "off"})
    with pytest.raises(ResourceNotFound):
        ExtensionSimulator.target_in(app, "no-such-extension", tenant_id=DEFAULT_TENANT_ID)
