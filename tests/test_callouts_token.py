"""The callout's bearer token validates from the emulator's published metadata alone, and each flawed one fails.

The endpoint is a team's: PyJWT, the production metadata URL of the tenant's kind, and the key set that
document names, fetched with requests (which GraphMock answers in process, ciamlogin hosts included).
"""

from __future__ import annotations

from collections.abc import Iterator

import jwt
import pytest

from mockgraph.callouts import (
    AUTHENTICATION_EVENTS_APP_ID,
    Action,
    CalloutOutcome,
    CalloutSettings,
    ErrorCode,
    Event,
    ExtensionSimulator,
    ExtensionTarget,
    IssuerHost,
    Session,
    TenantKind,
    TokenFlaw,
    transport_for,
)
from mockgraph.callouts.tokens import OTHER_AUDIENCE, service_principal_id
from mockgraph.core.config import DEFAULT_TENANT_ID
from mockgraph.testing.interceptor import GraphMock
from tests._callout_endpoints import Endpoint, provide_claims

TID = DEFAULT_TENANT_ID
API_APP_ID = "a13d0fc1-04ab-4ede-b215-63de0174cbb4"
RESOURCE_ID = f"api://authenticationeventsapi.contoso.net/{API_APP_ID}"
URL = "https://authenticationeventsapi.contoso.net/api/callout"
# (tenant kind, issuer host, the metadata URL a team configures, the issuer it must carry)
FORMS = {
    "workforce": (
        TenantKind.WORKFORCE,
        IssuerHost.DOMAIN,
        f"https://login.microsoftonline.com/{TID}/v2.0/.well-known/openid-configuration",
        f"https://login.microsoftonline.com/{TID}/v2.0",
    ),
    "external-domain": (
        TenantKind.EXTERNAL,
        IssuerHost.DOMAIN,
        f"https://mockgraph.ciamlogin.com/{TID}/v2.0/.well-known/openid-configuration",
        f"https://mockgraph.ciamlogin.com/{TID}/v2.0",
    ),
    "external-tenant-id": (
        TenantKind.EXTERNAL,
        IssuerHost.TENANT_ID,
        f"https://{TID}.ciamlogin.com/{TID}/v2.0/.well-known/openid-configuration",
        f"https://{TID}.ciamlogin.com/{TID}/v2.0",
    ),
}


@pytest.fixture
def graph() -> Iterator[GraphMock]:
    with GraphMock() as mock:
        yield mock


def call(
    graph: GraphMock, form: str, *, flaw: TokenFlaw | None = None, version: int = 2
) -> tuple[Endpoint, CalloutOutcome]:
    kind, host, metadata, _ = FORMS[form]
    audience = API_APP_ID if version == 2 else RESOURCE_ID
    endpoint = Endpoint(
        lambda body: (200, provide_claims({"role": "Writer"}), "application/json"),
        metadata,
        audience,
        version,
    )
    target = ExtensionTarget(
        Event.TOKEN_ISSUANCE_START,
        URL,
        RESOURCE_ID,
        tenant_kind=kind,
        issuer_host=host,
        access_token_version=version,
    )
    simulator = ExtensionSimulator.for_app(graph.app, transport=transport_for(endpoint.app()))
    outcome = simulator.call(target, Session(user={"id": "u1"}), settings=CalloutSettings(token_flaw=flaw))
    return endpoint, outcome


@pytest.mark.parametrize("form", list(FORMS))
def test_the_endpoint_validates_the_token_from_the_published_metadata(graph: GraphMock, form: str) -> None:
    endpoint, outcome = call(graph, form)
    assert endpoint.refusals == []
    assert outcome.action is Action.PROVIDE_CLAIMS
    (claims,) = endpoint.claims
    assert claims["iss"] == FORMS[form][3]
    assert (claims["aud"], claims["azp"], claims["tid"], claims["ver"]) == (
        API_APP_ID,
        AUTHENTICATION_EVENTS_APP_ID,
        TID,
        "2.0",
    )
    assert "appid" not in claims
    assert claims["idtyp"] == "app"
    assert claims["oid"] == claims["sub"] == service_principal_id(TID)
    assert claims["iat"] == claims["nbf"]
    assert claims["exp"] - claims["iat"] == 3600


@pytest.mark.parametrize("version", [1, None])
def test_a_v1_api_gets_appid_and_its_application_id_uri_from_the_v1_issuer(
    graph: GraphMock, version: int | None
) -> None:
    # accessTokenAcceptedVersion 1 or null: a v1 token, validated from the tenant's v1 metadata document.
    endpoint = Endpoint(
        lambda body: (200, provide_claims({}), "application/json"),
        f"https://login.microsoftonline.com/{TID}/.well-known/openid-configuration",
        RESOURCE_ID,
        1,
    )
    target = ExtensionTarget(
        Event.TOKEN_ISSUANCE_START,
        URL,
        RESOURCE_ID,
        tenant_kind=TenantKind.WORKFORCE,
        access_token_version=version,
    )
    outcome = ExtensionSimulator.for_app(graph.app, transport=transport_for(endpoint.app())).call(target)
    assert endpoint.refusals == []
    assert outcome.action is Action.PROVIDE_CLAIMS
    (claims,) = endpoint.claims
    assert (claims["aud"], claims["appid"], claims["ver"]) == (
        RESOURCE_ID,
        AUTHENTICATION_EVENTS_APP_ID,
        "1.0",
    )
    assert claims["iss"] == f"https://sts.windows.net/{TID}/"
    assert "azp" not in claims


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("flaw", list(TokenFlaw))
def test_the_endpoint_refuses_each_flawed_token(graph: GraphMock, form: str, flaw: TokenFlaw) -> None:
    endpoint, outcome = call(graph, form, flaw=flaw)
    (refusal,) = endpoint.refusals
    expected = {
        TokenFlaw.WRONG_AZP: "not the authentication events service",
        TokenFlaw.WRONG_ISSUER_KIND: "InvalidIssuerError",
        TokenFlaw.WRONG_AUDIENCE: "InvalidAudienceError",
        TokenFlaw.EXPIRED: "ExpiredSignatureError",
        TokenFlaw.UNKNOWN_KEY: "no key",
    }[flaw]
    assert expected in refusal
    # A 401 from the API is an invalid status to Entra: the sign-in log says 1003002, the user AADSTS1100001.
    assert outcome.error_code is ErrorCode.INVALID_HTTP_STATUS
    assert outcome.attempts[0].status == 401
    assert "AADSTS1100001" in (outcome.user_view.message or "")


def test_each_flaw_spoils_only_its_own_claim(graph: GraphMock) -> None:
    target = ExtensionTarget(Event.TOKEN_ISSUANCE_START, URL, RESOURCE_ID, tenant_kind=TenantKind.EXTERNAL)
    tokens = ExtensionSimulator.for_app(graph.app).tokens
    good = jwt.decode(tokens.mint(target), options={"verify_signature": False})
    for flaw in TokenFlaw:
        bad = jwt.decode(tokens.mint(target, flaw=flaw), options={"verify_signature": False})
        changed = {k for k in good if k not in ("uti",) and good[k] != bad.get(k)}
        expected = {
            TokenFlaw.WRONG_AZP: {"azp"},
            TokenFlaw.WRONG_ISSUER_KIND: {"iss"},
            TokenFlaw.WRONG_AUDIENCE: {"aud"},
            TokenFlaw.EXPIRED: {"iat", "nbf", "exp"},
            TokenFlaw.UNKNOWN_KEY: set(),
        }[flaw]
        assert changed == expected, flaw
    wrong = jwt.decode(
        tokens.mint(target, flaw=TokenFlaw.WRONG_AUDIENCE), options={"verify_signature": False}
    )
    assert wrong["aud"] == OTHER_AUDIENCE
    kind = jwt.decode(
        tokens.mint(target, flaw=TokenFlaw.WRONG_ISSUER_KIND), options={"verify_signature": False}
    )
    assert kind["iss"] == f"https://login.microsoftonline.com/{TID}/v2.0"


def test_the_ciamlogin_discovery_names_its_own_host_and_keys(graph: GraphMock) -> None:
    import requests

    document = requests.get(
        f"https://contoso.ciamlogin.com/{TID}/v2.0/.well-known/openid-configuration", timeout=5
    ).json()
    assert document["issuer"] == f"https://contoso.ciamlogin.com/{TID}/v2.0"
    assert document["jwks_uri"] == f"https://contoso.ciamlogin.com/{TID}/discovery/v2.0/keys"
    keys = requests.get(document["jwks_uri"], timeout=5).json()["keys"]
    assert {key["issuer"] for key in keys} == {document["issuer"]}
    # Graph is not served on a login host.
    assert (
        requests.get("https://contoso.ciamlogin.com/v1.0/identity/apiConnectors", timeout=5).status_code
        == 404
    )
