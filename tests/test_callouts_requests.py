"""Each documented request example of reference §9 is what the endpoint receives, ids and times apart.

The examples are transcribed from the reference; where the reference elides the authentication context
("as in §9.1") it is filled in from §9.1, and two typos of the sources are corrected (the attribute start
example's trailing comma and its ``@odata.Type``). Key order is compared too: it is the documented order.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto import jwe, jwk

from mockgraph.callouts import (
    CalloutSettings,
    Event,
    ExtensionTarget,
    PasswordEncryption,
    ServicePrincipal,
    Session,
    try_extension,
)
from mockgraph.callouts.payloads import BodyOptions
from mockgraph.signup import Identity
from tests._callout_endpoints import (
    OTP_DATA,
    PASSWORD_DATA,
    START_DATA,
    SUBMIT_DATA,
    Endpoint,
    provide_claims,
    response,
)

APP = ServicePrincipal("<appId>", "My Test application", "<spId>")
CLIENT = {"ip": "30.51.176.110", "locale": "en-us", "market": "en-us"}
SP = {
    "id": "<spId>",
    "appId": "<appId>",
    "appDisplayName": "My Test application",
    "displayName": "My Test application",
}
USER = {
    "companyName": "Casey Jensen",
    "createdDateTime": "2016-03-01T15:23:40Z",
    "displayName": "Casey Jensen",
    "givenName": "Casey",
    "id": "90847c2a-e29d-4d2f-9f54-c5b4d3f26471",
    "mail": "casey@contoso.com",
    "onPremisesSamAccountName": "caseyjensen",
    "onPremisesSecurityIdentifier": "<Enter Security Identifier>",
    "onPremisesUserPrincipalName": "Casey Jensen",
    "preferredLanguage": "en-us",
    "surname": "Jensen",
    "userPrincipalName": "casey@contoso.com",
    "userType": "Member",
}
CONTEXT = {
    "correlationId": "<GUID>",
    "client": CLIENT,
    "protocol": "OAUTH2.0",
    "clientServicePrincipal": SP,
    "resourceServicePrincipal": SP,
}
ENVELOPE_IDS = {
    "tenantId": "<tenantId>",
    "authenticationEventListenerId": "<listenerId>",
    "customAuthenticationExtensionId": "<extensionId>",
}
SOURCE = "/tenants/<tenantId>/applications/<appId>"

# §9.1 [E2]
TOKEN_ISSUANCE_START = {
    "type": "microsoft.graph.authenticationEvent.tokenIssuanceStart",
    "source": SOURCE,
    "data": {
        "@odata.type": "microsoft.graph.onTokenIssuanceStartCalloutData",
        **ENVELOPE_IDS,
        "authenticationContext": {**CONTEXT, "user": USER},
    },
}
ATTRIBUTES = {
    "givenName": {
        "@odata.type": "microsoft.graph.stringDirectoryAttributeValue",
        "value": "Larissa Price",
        "attributeType": "builtIn",
    },
    "companyName": {
        "@odata.type": "microsoft.graph.stringDirectoryAttributeValue",
        "value": "Contoso University",
        "attributeType": "builtIn",
    },
    "extension_<appid>_universityGroups": {
        "@odata.type": "microsoft.graph.stringDirectoryAttributeValue",  # "@odata.Type" in the source
        "value": "Alumni,Faculty",
        "attributeType": "directorySchemaExtension",
    },
    "extension_<appid>_graduationYear": {
        "@odata.type": "microsoft.graph.int64DirectoryAttributeValue",
        "value": 2010,
        "attributeType": "directorySchemaExtension",
    },
    "extension_<appid>_onMailingList": {
        "@odata.type": "microsoft.graph.booleanDirectoryAttributeValue",
        "value": False,
        "attributeType": "directorySchemaExtension",
    },
}
IDENTITIES = [
    {
        "signInType": "email",
        "issuer": "contoso.onmicrosoft.com",
        "issuerAssignedId": "larissa.price@contoso.onmicrosoft.com",
    }
]
# §9.2 [E3]
ATTRIBUTE_COLLECTION_START = {
    "type": "microsoft.graph.authenticationEvent.attributeCollectionStart",
    "source": SOURCE,
    "data": {
        "@odata.type": "microsoft.graph.onAttributeCollectionStartCalloutData",
        **ENVELOPE_IDS,
        "authenticationContext": CONTEXT,
        "userSignUpInfo": {"attributes": ATTRIBUTES, "identities": IDENTITIES},
    },
}
# §9.3 [E4]: "byte-for-byte the §9.2 example" with the submit names.
ATTRIBUTE_COLLECTION_SUBMIT = {
    "type": "microsoft.graph.authenticationEvent.attributeCollectionSubmit",
    "source": SOURCE,
    "data": {
        **ATTRIBUTE_COLLECTION_START["data"],  # type: ignore[dict-item]
        "@odata.type": "microsoft.graph.onAttributeCollectionSubmitCalloutData",
    },
}
# §9.4 [E5]
EMAIL_OTP_SEND = {
    "type": "microsoft.graph.authenticationEvent.emailOtpSend",
    "source": SOURCE,
    "data": {
        "@odata.type": "microsoft.graph.onOtpSendCalloutData",
        "otpContext": {"identifier": "someone@example.com", "oneTimeCode": "12345678"},
        **ENVELOPE_IDS,
        "authenticationContext": {
            "correlationId": "<GUID>",
            "client": {"ip": "192.168.0.0", "locale": "en-us", "market": "en-us"},
            "protocol": "OAUTH2.0",
            "requestType": "signUp",
            "clientServicePrincipal": SP,
            "resourceServicePrincipal": SP,
        },
    },
}
# §9.5 [E10]: the authentication context is the token-issuance shape, with the user.
PASSWORD_SUBMIT = {
    "type": "microsoft.graph.authenticationEvent.passwordSubmit",
    "source": SOURCE,
    "data": {
        "@odata.type": "microsoft.graph.onPasswordSubmitCalloutData",
        **ENVELOPE_IDS,
        "encryptedPasswordContext": "<5-part-JWE>",
        "authenticationContext": {**CONTEXT, "user": USER},
    },
}
SIGN_UP_ATTRIBUTES = {
    "givenName": "Larissa Price",
    "companyName": "Contoso University",
    "extension_<appid>_universityGroups": ["Alumni", "Faculty"],  # multi-valued: sent comma-delimited
    "extension_<appid>_graduationYear": 2010,
    "extension_<appid>_onMailingList": False,
}
SIGN_UP_IDENTITY = Identity("contoso.onmicrosoft.com", "larissa.price@contoso.onmicrosoft.com", "email")
CASES: dict[Event, tuple[dict[str, Any], Session]] = {
    Event.TOKEN_ISSUANCE_START: (TOKEN_ISSUANCE_START, Session(client=APP, user=USER, ip="30.51.176.110")),
    Event.ATTRIBUTE_COLLECTION_START: (
        ATTRIBUTE_COLLECTION_START,
        Session(
            client=APP, attributes=SIGN_UP_ATTRIBUTES, identities=(SIGN_UP_IDENTITY,), ip="30.51.176.110"
        ),
    ),
    Event.ATTRIBUTE_COLLECTION_SUBMIT: (
        ATTRIBUTE_COLLECTION_SUBMIT,
        Session(
            client=APP, attributes=SIGN_UP_ATTRIBUTES, identities=(SIGN_UP_IDENTITY,), ip="30.51.176.110"
        ),
    ),
    Event.EMAIL_OTP_SEND: (
        EMAIL_OTP_SEND,
        Session(client=APP, identifier="someone@example.com", one_time_code="12345678", ip="192.168.0.0"),
    ),
    Event.PASSWORD_SUBMIT: (
        PASSWORD_SUBMIT,
        Session(client=APP, user=USER, password="P@ssw0rd-typed", ip="30.51.176.110"),
    ),
}
ANSWERS = {
    Event.TOKEN_ISSUANCE_START: provide_claims({}),
    Event.ATTRIBUTE_COLLECTION_START: response(
        START_DATA, {"@odata.type": "microsoft.graph.attributeCollectionStart.continueWithDefaultBehavior"}
    ),
    Event.ATTRIBUTE_COLLECTION_SUBMIT: response(
        SUBMIT_DATA, {"@odata.type": "microsoft.graph.attributeCollectionSubmit.continueWithDefaultBehavior"}
    ),
    Event.EMAIL_OTP_SEND: response(
        OTP_DATA, {"@odata.type": "microsoft.graph.OtpSend.continueWithDefaultBehavior"}
    ),
    Event.PASSWORD_SUBMIT: response(
        PASSWORD_DATA, {"@odata.type": "microsoft.graph.passwordSubmit.MigratePassword"}
    ),
}
PRIVATE_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
URL = "https://exampleazurefunction.azurewebsites.net/api/functionName?code=function-key&function=OnTokenIssuanceStart"


def normalised(body: dict[str, Any]) -> dict[str, Any]:
    """The body with the ids (and the password's JWE) replaced by the example's placeholders."""
    data = dict(body["data"])
    data.update({key: value for key, value in ENVELOPE_IDS.items() if key in data})
    if "encryptedPasswordContext" in data:
        data["encryptedPasswordContext"] = "<5-part-JWE>"
    context = dict(data["authenticationContext"])
    context["correlationId"] = "<GUID>"
    data["authenticationContext"] = context
    return {"type": body["type"], "source": SOURCE, "data": data}


def received(event: Event, session: Session, **options: Any) -> tuple[Endpoint, Any]:
    endpoint = Endpoint(lambda body: (200, ANSWERS[event], "application/json"))
    outcome = try_extension(
        endpoint.app("/api/functionName"),
        event,
        session,
        url=URL,
        tenant_id="<tenantId>",
        listener_id="<listenerId>",
        extension_id="<extensionId>",
        password_encryption=PasswordEncryption.of(PRIVATE_KEY),
        **options,
    )
    return endpoint, outcome


@pytest.mark.parametrize("event", list(Event))
def test_the_endpoint_receives_the_documented_request(event: Event) -> None:
    example, session = CASES[event]
    endpoint, outcome = received(event, session)
    assert outcome.error_code is None, outcome.rule
    (request,) = endpoint.requests
    assert json.dumps(normalised(request["body"])) == json.dumps(
        example
    )  # the same members, in the same order
    assert request["body"]["source"] == f"/tenants/<tenantId>/applications/{APP.app_id}"
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["Authorization"].startswith("Bearer ey")
    # The function key stays in the query string.
    assert request["query"] == "code=function-key&function=OnTokenIssuanceStart"
    assert request["body"]["data"]["authenticationContext"]["correlationId"] == outcome.correlation_id


def test_attribute_events_name_the_resource_app_in_source_and_the_rest_the_client() -> None:
    graph = ServicePrincipal("00000003-0000-0000-c000-000000000000", "Microsoft Graph")
    for event in Event:
        _, session = CASES[event]
        endpoint, _ = received(event, Session(**{**session.__dict__, "resource": graph}))
        body = endpoint.requests[0]["body"]
        expected = graph if event.value.startswith("attributeCollection") else APP
        assert body["source"].endswith(f"/applications/{expected.app_id}"), event
        assert body["data"]["authenticationContext"]["resourceServicePrincipal"]["appId"] == graph.app_id


def test_absent_user_properties_are_left_out_and_submit_may_omit_identities() -> None:
    endpoint, _ = received(
        Event.TOKEN_ISSUANCE_START, Session(user={"id": "u1", "mail": None, "userType": "Member"})
    )
    assert endpoint.requests[0]["body"]["data"]["authenticationContext"]["user"] == {
        "id": "u1",
        "userType": "Member",
    }
    _, session = CASES[Event.ATTRIBUTE_COLLECTION_SUBMIT]
    settings = CalloutSettings(body=BodyOptions(submit_sends_identities=False))
    endpoint, _ = received(Event.ATTRIBUTE_COLLECTION_SUBMIT, session, settings=settings)
    assert endpoint.requests[0]["body"]["data"]["userSignUpInfo"].keys() == {"attributes"}


@pytest.mark.parametrize(
    ("algorithm", "encryption"),
    [
        ("RSA-OAEP-256", "A256GCM"),
        ("RSA-OAEP", "A128GCM"),
        ("RSA-OAEP-256", "A256CBC-HS512"),
        ("RSA-OAEP", "A128CBC-HS256"),
    ],
)
def test_the_password_arrives_as_a_jwe_the_endpoint_decrypts_with_its_private_key(
    algorithm: str, encryption: str
) -> None:
    _, session = CASES[Event.PASSWORD_SUBMIT]
    endpoint = Endpoint(lambda body: (200, ANSWERS[Event.PASSWORD_SUBMIT], "application/json"))
    key = PasswordEncryption.of(PRIVATE_KEY, algorithm=algorithm, encryption=encryption, key_id="enc-1")
    outcome = try_extension(endpoint.app(), Event.PASSWORD_SUBMIT, session, password_encryption=key)
    context = endpoint.requests[0]["body"]["data"]["encryptedPasswordContext"]
    assert len(context.split(".")) == 5
    assert "P@ssw0rd" not in json.dumps(endpoint.requests[0]["body"])
    # An independent JOSE implementation (jwcrypto) decrypts it, as Microsoft's sample does with jose-jwt.
    private = jwk.JWK.from_pem(
        PRIVATE_KEY.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    token = jwe.JWE(algs=[algorithm, encryption])
    token.deserialize(context, key=private)
    header = json.loads(token.objects["protected"])
    assert header == {"alg": algorithm, "enc": encryption, "kid": "enc-1", "cty": "JWT"}
    inner_header, inner_payload, signature = token.payload.decode().split(".")
    assert (json.loads(_unb64(inner_header))["alg"], signature) == ("none", "")
    claims = json.loads(_unb64(inner_payload))
    assert claims == {"user-password": "P@ssw0rd-typed", "nonce": outcome.nonce}
    # A password submit needs the key and the password.
    with pytest.raises(ValueError, match="password"):
        try_extension(endpoint.app(), Event.PASSWORD_SUBMIT, Session())


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_the_target_reads_keys_from_pem_certificates_and_jwks() -> None:
    public = PRIVATE_KEY.public_key()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    numbers = public.public_numbers()
    jwk_dict = json.loads(jwk.JWK.from_pem(pem).export_public())
    for source in (pem, pem.decode(), jwk_dict, PRIVATE_KEY):
        assert PasswordEncryption.of(source).public_key.public_numbers() == numbers
    with pytest.raises(ValueError, match="alg"):
        PasswordEncryption.of(pem, algorithm="RSA1_5")
    with pytest.raises(ValueError, match="give api_app_id"):
        ExtensionTarget(Event.PASSWORD_SUBMIT, URL, "not-an-app-id")
