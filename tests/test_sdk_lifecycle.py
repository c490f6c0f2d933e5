"""Microsoft's own SDK, unmodified and with its default base URL, runs the whole connector lifecycle in-process.

The token comes from ``azure.identity.ClientSecretCredential`` (sync) through the intercepted login host.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential
from cryptography.hazmat.primitives import serialization
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph_beta import GraphServiceClient
from msgraph_beta.generated.identity.api_connectors.api_connectors_request_builder import (
    ApiConnectorsRequestBuilder,
)
from msgraph_beta.generated.identity.api_connectors.item.upload_client_certificate.upload_client_certificate_post_request_body import (
    UploadClientCertificatePostRequestBody,
)
from msgraph_beta.generated.models.basic_authentication import BasicAuthentication
from msgraph_beta.generated.models.client_certificate_authentication import ClientCertificateAuthentication
from msgraph_beta.generated.models.identity_api_connector import IdentityApiConnector
from msgraph_beta.generated.models.o_data_errors.o_data_error import ODataError
from msgraph_beta.generated.models.pkcs12_certificate import Pkcs12Certificate

from mockgraph import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID, make_pkcs12
from mockgraph.core.certificates import GeneratedPkcs12
from mockgraph.testing.interceptor import GraphMock

SCOPES = ["https://graph.microsoft.com/.default"]
ANY_TENANT = "4b1d7c3e-8f7a-4c55-9d0e-2f6b8a9c0d11"
# The generated request builders warn about their own deprecated configuration classes at call time.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
QueryParameters = ApiConnectorsRequestBuilder.ApiConnectorsRequestBuilderGetQueryParameters


def thumbprint(generated: GeneratedPkcs12) -> str:
    return hashlib.sha1(generated.certificate.public_bytes(serialization.Encoding.DER)).hexdigest().upper()


def sdk_client(tenant: str, client_id: str, secret: str) -> GraphServiceClient:
    credential = ClientSecretCredential(tenant, client_id, secret)
    return GraphServiceClient(credentials=credential, scopes=SCOPES)


async def lifecycle(client: GraphServiceClient) -> dict[str, Any]:
    """Every operation once; returns what the test checks."""
    seen: dict[str, Any] = {}
    connectors = client.identity.api_connectors
    basic = await connectors.post(
        IdentityApiConnector(
            display_name="Basic API",
            target_url="https://api.contoso.example/validate",
            authentication_configuration=BasicAuthentication(username="svc", password="s3cret!"),
        )
    )
    first_pfx = make_pkcs12(password="pfx-one", common_name="first.contoso.example")
    with_cert = await connectors.post(
        IdentityApiConnector(
            display_name="Certificate API",
            target_url="https://api.contoso.example/enrich",
            authentication_configuration=Pkcs12Certificate(pkcs12_value=first_pfx.base64, password="pfx-one"),
        )
    )
    assert basic is not None
    assert basic.id
    assert with_cert is not None
    assert with_cert.id
    seen.update(basic=basic, with_cert=with_cert, first_pfx=first_pfx)
    seen["page"] = await connectors.get(
        RequestConfiguration(query_parameters=QueryParameters(select=["id", "displayName"], top=1))
    )
    seen["fetched"] = await connectors.by_identity_api_connector_id(basic.id).get()
    await connectors.by_identity_api_connector_id(basic.id).patch(
        IdentityApiConnector(display_name="Basic API (renamed)")
    )
    seen["renamed"] = await connectors.by_identity_api_connector_id(basic.id).get()
    second_pfx = make_pkcs12(password="pfx-two", common_name="second.contoso.example")
    seen["second_pfx"] = second_pfx
    seen["uploaded"] = await connectors.by_identity_api_connector_id(
        with_cert.id
    ).upload_client_certificate.post(
        UploadClientCertificatePostRequestBody(pkcs12_value=second_pfx.base64, password="pfx-two")
    )
    await connectors.by_identity_api_connector_id(basic.id).delete()
    try:
        await connectors.by_identity_api_connector_id(basic.id).get()
    except ODataError as error:
        seen["error"] = error
    seen["remaining"] = await connectors.get()
    return seen


@pytest.mark.parametrize(
    ("auth_mode", "tenant", "client_id", "secret"),
    [
        ("permissive", ANY_TENANT, "my-own-app-id", "any-secret-will-do"),
        ("enforce", DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
    ],
)
def test_the_sdk_runs_the_whole_lifecycle(auth_mode: str, tenant: str, client_id: str, secret: str) -> None:
    with GraphMock(config={"auth_mode": auth_mode}, strict=True) as graph:
        seen = asyncio.run(lifecycle(sdk_client(tenant, client_id, secret)))

    basic, with_cert = seen["basic"], seen["with_cert"]
    assert isinstance(basic.authentication_configuration, BasicAuthentication)
    assert basic.authentication_configuration.password == "******"
    certificates = with_cert.authentication_configuration
    assert isinstance(certificates, ClientCertificateAuthentication)
    assert [c.thumbprint for c in certificates.certificate_list] == [thumbprint(seen["first_pfx"])]

    page = seen["page"]
    assert len(page.value) == 1
    assert page.value[0].display_name == "Basic API"
    assert page.value[0].target_url is None
    assert page.odata_next_link is not None
    assert seen["fetched"].target_url == "https://api.contoso.example/validate"
    assert seen["renamed"].display_name == "Basic API (renamed)"

    uploaded = seen["uploaded"].authentication_configuration
    assert [c.thumbprint for c in uploaded.certificate_list] == [
        thumbprint(seen["first_pfx"]),
        thumbprint(seen["second_pfx"]),
    ]
    assert sum(bool(c.is_active) for c in uploaded.certificate_list) == 1

    error = seen["error"]
    assert isinstance(error, ODataError)
    assert error.response_status_code == 404
    assert error.error is not None
    assert error.error.code == "Request_ResourceNotFound"
    assert [c.id for c in seen["remaining"].value] == [with_cert.id]

    journal = graph.journal
    journal.assert_called_once("POST", f"/{tenant}/oauth2/v2.0/token")
    created = journal.assert_called("POST", "/beta/identity/apiConnectors", status=201, times=2)
    # The SDK's own URL, double slash included, reached the emulator unmodified.
    assert {entry.path for entry in created} == {"/beta//identity/apiConnectors"}
    assert created[0].json["authenticationConfiguration"]["password"] == "<redacted>"
    journal.assert_called(
        "GET", "/beta/identity/apiConnectors", query={"$select": "id,displayName", "$top": "1"}
    )
    journal.assert_called_once(
        "PATCH", "/beta/identity/apiConnectors/{id}", json={"displayName": "Basic API (renamed)"}
    )
    journal.assert_called_once(
        "POST", "/beta/identity/apiConnectors/{id}/uploadClientCertificate", status=200
    )
    journal.assert_called_once("DELETE", "/beta/identity/apiConnectors/{id}", status=204)
    principal = journal.assert_called_once("DELETE", "/beta/identity/apiConnectors/{id}").principal
    assert principal is not None
    assert principal["tenantId"] == tenant
    assert principal["appId"] == client_id


def test_the_sdk_retries_a_throttled_create_after_retry_after() -> None:
    async def create(client: GraphServiceClient) -> IdentityApiConnector | None:
        return await client.identity.api_connectors.post(
            IdentityApiConnector(
                display_name="Throttled",
                target_url="https://api.contoso.example/t",
                authentication_configuration=BasicAuthentication(username="u", password="p"),
            )
        )

    with GraphMock() as graph:
        graph.faults.fail_next(1, status=429, operation="CREATE_CONNECTOR", retry_after=1)
        created = asyncio.run(create(sdk_client(ANY_TENANT, "throttled-app", "secret")))

    assert created is not None
    assert created.display_name == "Throttled"
    statuses = [e.status for e in graph.journal.calls("POST", "/beta/identity/apiConnectors")]
    assert statuses == [429, 201]
    graph.journal.assert_retries_honoured()
    assert graph.faults.describe()["rules"][0]["remaining"] == 0


def test_a_refused_token_request_surfaces_entras_error_code() -> None:
    async def list_all(client: GraphServiceClient) -> None:
        await client.identity.api_connectors.get()

    # enforce mode, default tenant, but an app that was never registered: Entra refuses the token request.
    graph = GraphMock(config={"auth_mode": "enforce"})
    with graph, pytest.raises(ClientAuthenticationError, match="AADSTS700016"):
        asyncio.run(list_all(sdk_client(DEFAULT_TENANT_ID, "not-registered", "x")))
    graph.journal.assert_not_called("GET", "/beta/identity/apiConnectors")
