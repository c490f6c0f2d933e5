"""Microsoft's beta SDK, unmodified and with its default base URL, manages listeners and user flows in-process.

The custom extension a listener references is put into the store directly (the extensions resource is another
branch's); everything else goes through the SDK's own request builders and models.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from azure.identity import ClientSecretCredential
from msgraph_beta import GraphServiceClient
from msgraph_beta.generated.models.authentication_condition_application import (
    AuthenticationConditionApplication,
)
from msgraph_beta.generated.models.authentication_conditions import AuthenticationConditions
from msgraph_beta.generated.models.authentication_conditions_applications import (
    AuthenticationConditionsApplications,
)
from msgraph_beta.generated.models.external_users_self_service_sign_up_events_flow import (
    ExternalUsersSelfServiceSignUpEventsFlow,
)
from msgraph_beta.generated.models.identity_provider_base import IdentityProviderBase
from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_beta.generated.models.on_authentication_method_load_start_external_users_self_service_sign_up import (
    OnAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp,
)
from msgraph_beta.generated.models.on_interactive_auth_flow_start_external_users_self_service_sign_up import (
    OnInteractiveAuthFlowStartExternalUsersSelfServiceSignUp,
)
from msgraph_beta.generated.models.on_token_issuance_start_custom_extension import (
    OnTokenIssuanceStartCustomExtension,
)
from msgraph_beta.generated.models.on_token_issuance_start_custom_extension_handler import (
    OnTokenIssuanceStartCustomExtensionHandler,
)
from msgraph_beta.generated.models.on_token_issuance_start_listener import OnTokenIssuanceStartListener

from mockgraph import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID
from mockgraph.testing.interceptor import GraphMock
from mockgraph.web.state import state_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
EXTENSION = "6fc5012e-7665-43d6-9708-4370863f4e6e"
APP = "a13d0fc1-04ab-4ede-b215-63de0174cbb4"


def sdk_client() -> GraphServiceClient:
    credential = ClientSecretCredential(DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
    return GraphServiceClient(credentials=credential, scopes=["https://graph.microsoft.com/.default"])


async def listener_lifecycle(client: GraphServiceClient) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    listeners = client.identity.authentication_event_listeners
    created = await listeners.post(
        OnTokenIssuanceStartListener(
            priority=500,
            conditions=AuthenticationConditions(
                applications=AuthenticationConditionsApplications(
                    include_all_applications=False,
                    include_applications=[AuthenticationConditionApplication(app_id=APP)],
                )
            ),
            handler=OnTokenIssuanceStartCustomExtensionHandler(
                custom_extension=OnTokenIssuanceStartCustomExtension(id=EXTENSION)
            ),
        )
    )
    assert created is not None
    assert created.id
    seen["created"] = created
    item = listeners.by_authentication_event_listener_id(created.id)
    await item.patch(OnTokenIssuanceStartListener(display_name="renamed", priority=10))
    seen["fetched"] = await item.get()
    seen["listed"] = await listeners.get()
    await item.delete()
    try:
        await item.get()
    except ODataError as error:
        seen["error"] = error
    return seen


def test_the_sdk_creates_patches_lists_and_deletes_a_listener_that_references_an_extension() -> None:
    with GraphMock(config={"auth_mode": "enforce"}, strict=True) as graph:
        record = {"id": EXTENSION, "@odata.type": "#microsoft.graph.onTokenIssuanceStartCustomExtension"}
        state_of(graph.app).store.insert(DEFAULT_TENANT_ID, "customAuthenticationExtensions", record)
        seen = asyncio.run(listener_lifecycle(sdk_client()))

    created = seen["created"]
    assert isinstance(created, OnTokenIssuanceStartListener)
    assert isinstance(created.handler, OnTokenIssuanceStartCustomExtensionHandler)
    assert created.handler.custom_extension is not None
    assert created.handler.custom_extension.id == EXTENSION
    assert created.conditions.applications.include_applications[0].app_id == APP
    fetched = seen["fetched"]
    assert (fetched.display_name, fetched.priority) == ("renamed", 10)
    assert [listener.id for listener in seen["listed"].value] == [created.id]
    assert seen["error"].response_status_code == 404
    sent = graph.journal.assert_called_once("POST", "/beta/identity/authenticationEventListeners", status=201)
    # The SDK sends the extension as a typed object; the emulator takes its id.
    assert sent.json["handler"]["customExtension"]["id"] == EXTENSION


async def flow_lifecycle(client: GraphServiceClient) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    flows = client.identity.authentication_events_flows
    created = await flows.post(
        ExternalUsersSelfServiceSignUpEventsFlow(
            display_name="SDK flow",
            on_authentication_method_load_start=OnAuthenticationMethodLoadStartExternalUsersSelfServiceSignUp(
                identity_providers=[IdentityProviderBase(id="EmailPassword-OAUTH")]
            ),
            on_interactive_auth_flow_start=OnInteractiveAuthFlowStartExternalUsersSelfServiceSignUp(
                is_sign_up_allowed=True
            ),
        )
    )
    assert created is not None
    assert created.id
    seen["created"] = created
    item = flows.by_authentication_events_flow_id(created.id)
    applications = item.conditions.applications.include_applications
    seen["linked"] = await applications.post(AuthenticationConditionApplication(app_id=APP))
    seen["applications"] = await applications.get()
    await applications.by_authentication_condition_application_app_id(APP).delete()
    seen["after"] = await applications.get()
    seen["fetched"] = await item.get()
    # The SDK writes casts with the namespace's alias: .../graph.externalUsersSelfServiceSignUpEventsFlow
    seen["cast"] = await item.graph_external_users_self_service_sign_up_events_flow.get()
    seen["all of the type"] = await flows.graph_external_users_self_service_sign_up_events_flow.get()
    await item.delete()
    return seen


def test_the_sdk_creates_a_user_flow_and_links_an_application() -> None:
    with GraphMock(config={"auth_mode": "enforce"}, strict=True):
        seen = asyncio.run(flow_lifecycle(sdk_client()))

    assert isinstance(seen["created"], ExternalUsersSelfServiceSignUpEventsFlow)
    assert seen["created"].on_interactive_auth_flow_start.is_sign_up_allowed is True
    assert seen["linked"].app_id == APP
    assert [a.app_id for a in seen["applications"].value] == [APP]
    assert seen["after"].value == []
    assert seen["fetched"].display_name == "SDK flow"
    assert seen["cast"].id == seen["created"].id
    assert [flow.id for flow in seen["all of the type"].value] == [seen["created"].id]
