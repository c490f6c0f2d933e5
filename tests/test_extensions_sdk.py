"""Microsoft's own SDKs, unmodified and with their default base URLs, manage custom authentication extensions
in-process: the beta ``msgraph-beta-sdk`` and the v1.0 ``msgraph-sdk`` (both in the test extra).

Create, list with an ``isOf`` filter, get, PATCH, validate (bound and unbound) and delete, each SDK through its own
generated request builders and models; the token comes from ``azure.identity.ClientSecretCredential``.
"""

from __future__ import annotations

import asyncio
import importlib
from typing import Any

import pytest
from azure.identity import ClientSecretCredential

from mockgraph import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID
from mockgraph.core.config import RECEIVE_PAYLOAD
from mockgraph.testing.interceptor import GraphMock

SCOPES = ["https://graph.microsoft.com/.default"]
API_APP = "b7a3c1d2-5e4f-4a6b-8c9d-0e1f2a3b4c5d"
HOST = "claims.contoso.example"
RESOURCE_ID = f"api://{HOST}/{API_APP}"
ISOF = "isOf('microsoft.graph.onTokenIssuanceStartCustomExtension')"
# The generated request builders warn about their own deprecated configuration classes at call time.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
SEED = {
    "apps": [
        {
            "clientId": API_APP,
            "clientSecret": "unused",
            "identifierUris": [RESOURCE_ID],
            "applicationPermissions": [RECEIVE_PAYLOAD],
        }
    ]
}


def credential() -> ClientSecretCredential:
    return ClientSecretCredential(DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)


def _sdk_class(package: str, module: str) -> Any:
    """A class of the SDK ``package`` (``msgraph_beta`` or ``msgraph``): both generate the same modules and
    names, one per class (``models.http_request_endpoint`` holds ``HttpRequestEndpoint``)."""
    name = "".join(part.capitalize() for part in module.rsplit(".", 1)[-1].split("_"))
    return getattr(importlib.import_module(f"{package}.generated.{module}"), name)


async def lifecycle(package: str) -> dict[str, Any]:
    """Create, filter, get, PATCH, validate and delete through the SDK ``package``'s own builders and models."""
    from kiota_abstractions.base_request_configuration import RequestConfiguration

    GraphServiceClient = importlib.import_module(package).GraphServiceClient
    builders = "identity.custom_authentication_extensions"
    CustomAuthenticationExtensionsRequestBuilder = _sdk_class(
        package, f"{builders}.custom_authentication_extensions_request_builder"
    )
    ValidateAuthenticationConfigurationPostRequestBody = _sdk_class(
        package,
        f"{builders}.validate_authentication_configuration.validate_authentication_configuration_post_request_body",
    )
    AzureAdTokenAuthentication = _sdk_class(package, "models.azure_ad_token_authentication")
    CustomExtensionClientConfiguration = _sdk_class(package, "models.custom_extension_client_configuration")
    HttpRequestEndpoint = _sdk_class(package, "models.http_request_endpoint")
    ODataError = _sdk_class(package, "models.o_data_errors.o_data_error")
    OnOtpSendCustomExtension = _sdk_class(package, "models.on_otp_send_custom_extension")
    OnTokenIssuanceStartCustomExtension = _sdk_class(
        package, "models.on_token_issuance_start_custom_extension"
    )
    OnTokenIssuanceStartReturnClaim = _sdk_class(package, "models.on_token_issuance_start_return_claim")

    client = GraphServiceClient(credentials=credential(), scopes=SCOPES)
    extensions = client.identity.custom_authentication_extensions
    seen: dict[str, Any] = {}
    seen["created"] = await extensions.post(
        OnTokenIssuanceStartCustomExtension(
            display_name="Claims from HR",
            description="Fetch additional claims",
            endpoint_configuration=HttpRequestEndpoint(target_url=f"https://{HOST}/api/start"),
            authentication_configuration=AzureAdTokenAuthentication(resource_id=RESOURCE_ID),
            client_configuration=CustomExtensionClientConfiguration(
                timeout_in_milliseconds=2000, maximum_retries=1
            ),
            claims_for_token_configuration=[
                OnTokenIssuanceStartReturnClaim(claim_id_in_api_response="DateOfBirth")
            ],
        )
    )
    seen["other"] = await extensions.post(
        OnOtpSendCustomExtension(
            display_name="Codes",
            endpoint_configuration=HttpRequestEndpoint(target_url="https://elsewhere.example/otp"),
            authentication_configuration=AzureAdTokenAuthentication(resource_id=RESOURCE_ID),
        )
    )
    parameters = CustomAuthenticationExtensionsRequestBuilder.CustomAuthenticationExtensionsRequestBuilderGetQueryParameters
    seen["filtered"] = await extensions.get(
        RequestConfiguration(query_parameters=parameters(filter=ISOF, count=True, top=5))
    )
    object_id = seen["created"].id
    item = extensions.by_custom_authentication_extension_id(object_id)
    seen["fetched"] = await item.get()
    await item.patch(OnTokenIssuanceStartCustomExtension(display_name="Claims from HR (renamed)"))
    seen["renamed"] = await item.get()
    seen["bound"] = await item.validate_authentication_configuration.post()
    seen["other_bound"] = await extensions.by_custom_authentication_extension_id(
        seen["other"].id
    ).validate_authentication_configuration.post()
    seen["unbound"] = await extensions.validate_authentication_configuration.post(
        ValidateAuthenticationConfigurationPostRequestBody(
            endpoint_configuration=HttpRequestEndpoint(target_url="https://australia.contoso.com/users"),
            authentication_configuration=AzureAdTokenAuthentication(
                resource_id="api://extensibilityapi.azurwebsites.net/f9c5dc6b-d72b-4226-8ccd-801f7a290428"
            ),
        )
    )
    await item.delete()
    try:
        await item.get()
    except ODataError as error:
        seen["error"] = error
    seen["remaining"] = await extensions.get()
    return seen


@pytest.mark.parametrize(("version", "package"), [("beta", "msgraph_beta"), ("v1.0", "msgraph")])
def test_the_sdk_runs_the_extension_lifecycle(version: str, package: str) -> None:
    with GraphMock(config={"auth_mode": "enforce"}, strict=True) as graph:
        seeded = graph.app.test_client().post("/_mockgraph/seed", json=SEED)
        assert seeded.status_code == 200
        seen = asyncio.run(lifecycle(package))

    created, other = seen["created"], seen["other"]
    assert type(created).__name__ == "OnTokenIssuanceStartCustomExtension"
    assert created.odata_type == "#microsoft.graph.onTokenIssuanceStartCustomExtension"
    assert created.authentication_configuration.resource_id == RESOURCE_ID
    assert type(created.endpoint_configuration).__name__ == "HttpRequestEndpoint"
    assert created.client_configuration.timeout_in_milliseconds == 2000
    assert [c.claim_id_in_api_response for c in created.claims_for_token_configuration] == ["DateOfBirth"]
    assert type(other).__name__ == "OnOtpSendCustomExtension"

    filtered = seen["filtered"]
    assert [e.id for e in filtered.value] == [created.id]
    assert type(filtered.value[0]).__name__ == "OnTokenIssuanceStartCustomExtension"
    assert filtered.odata_count == 1
    assert seen["fetched"].display_name == "Claims from HR"
    renamed = seen["renamed"]
    assert renamed.display_name == "Claims from HR (renamed)"
    assert renamed.description == "Fetch additional claims"  # PATCH kept what it did not send

    assert (seen["bound"].errors, seen["bound"].warnings) == ([], [])
    assert [e.code for e in seen["other_bound"].errors] == ["DomainNameDoesNotMatch"]
    unbound = seen["unbound"]
    assert [e.code for e in unbound.errors] == [
        "IncorrectResourceIdFormat",
        "DomainNameDoesNotMatch",
        "ServicePrincipalNotFound",
    ]
    assert [w.code for w in unbound.warnings] == ["PermissionNotGrantedToServicePrincipal"]

    assert seen["error"].response_status_code == 404
    assert seen["error"].error.code == "Request_ResourceNotFound"
    assert [e.id for e in seen["remaining"].value] == [other.id]

    journal = graph.journal
    created_calls = journal.assert_called(
        "POST", f"/{version}/identity/customAuthenticationExtensions", status=201, times=2
    )
    # The SDK sends the subtype's @odata.type, which chooses the contract.
    assert created_calls[0].json["@odata.type"] == "#microsoft.graph.onTokenIssuanceStartCustomExtension"
    patch = journal.assert_called_once(
        "PATCH", f"/{version}/identity/customAuthenticationExtensions/{{id}}", status=204
    )
    assert patch.json["@odata.type"] == "#microsoft.graph.onTokenIssuanceStartCustomExtension"
    journal.assert_called(
        "GET", f"/{version}/identity/customAuthenticationExtensions", query={"$filter": ISOF}, status=200
    )
    journal.assert_called(
        "POST",
        f"/{version}/identity/customAuthenticationExtensions/{{id}}/validateAuthenticationConfiguration",
        status=200,
        times=2,
    )
    journal.assert_called_once(
        "POST",
        f"/{version}/identity/customAuthenticationExtensions/validateAuthenticationConfiguration",
        status=200,
    )
    journal.assert_called_once(
        "DELETE", f"/{version}/identity/customAuthenticationExtensions/{{id}}", status=204
    )
