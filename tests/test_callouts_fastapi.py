"""A FastAPI endpoint, as teams write them, tested in-process: it validates the token and answers per event."""

from __future__ import annotations

from typing import Any

import jwt
import pytest
import requests

from mockgraph.callouts import Action, CalloutSettings, ErrorCode, Session, TokenFlaw, try_extension
from mockgraph.core.config import DEFAULT_TENANT_ID
from mockgraph.testing.interceptor import GraphMock

fastapi = pytest.importorskip("fastapi")  # in the test extra

METADATA = (
    f"https://{DEFAULT_TENANT_ID}.ciamlogin.com/{DEFAULT_TENANT_ID}/v2.0/.well-known/openid-configuration"
)
API_APP_ID = "00000000-0000-4000-8000-00000000e0a1"  # the GUID of try_extension's default resourceId


def make_api() -> Any:
    api = fastapi.FastAPI()

    def verify(authorization: str) -> dict[str, Any]:
        config = requests.get(METADATA, timeout=5).json()
        keys = jwt.PyJWKSet.from_dict(requests.get(config["jwks_uri"], timeout=5).json())
        token = authorization.removeprefix("Bearer ")
        try:
            key = keys[jwt.get_unverified_header(token)["kid"]]
            claims: dict[str, Any] = jwt.decode(
                token, key, algorithms=["RS256"], audience=API_APP_ID, issuer=config["issuer"]
            )
        except (jwt.PyJWTError, KeyError) as error:
            raise fastapi.HTTPException(status_code=401, detail=str(error)) from None
        if claims.get("azp") != "99045fe1-7639-4a75-9d4a-577b6ca3810f":
            raise fastapi.HTTPException(status_code=403, detail="not Entra")
        return claims

    @api.post("/api/submit")
    async def submit(body: dict[str, Any], authorization: str = fastapi.Header()) -> dict[str, Any]:
        verify(authorization)
        city = body["data"]["userSignUpInfo"]["attributes"]["city"]["value"]
        if any(ch.isdigit() for ch in city):
            action = {
                "@odata.type": "microsoft.graph.attributeCollectionSubmit.showValidationError",
                "message": "Please fix the below errors to proceed.",
                "attributeErrors": {"city": "City cannot contain any numbers"},
            }
        else:
            action = {"@odata.type": "microsoft.graph.attributeCollectionSubmit.continueWithDefaultBehavior"}
        return {
            "data": {
                "@odata.type": "microsoft.graph.onAttributeCollectionSubmitResponseData",
                "actions": [action],
            }
        }

    return api


def submit(api: Any, city: str, **settings: Any) -> Any:
    return try_extension(
        api,
        "attributeCollectionSubmit",
        Session(attributes={"city": city}),
        url="https://contoso-functions.azurewebsites.net/api/submit",
        issuer_host="tenantId",
        settings=CalloutSettings(**settings),
    )


def test_a_fastapi_endpoint_validates_the_token_and_answers() -> None:
    api = make_api()
    with GraphMock():
        good = submit(api, "Seattle")
        bad = submit(api, "Seattle 2")
    assert good.action is Action.CONTINUE
    assert (bad.action, bad.user_view.errors) == (
        Action.SHOW_VALIDATION_ERROR,
        {"city": "City cannot contain any numbers"},
    )


@pytest.mark.parametrize("flaw", list(TokenFlaw))
def test_a_fastapi_endpoint_refuses_each_flawed_token(flaw: TokenFlaw) -> None:
    with GraphMock():
        refused = submit(make_api(), "Seattle", token_flaw=flaw)
    assert (refused.action, refused.error_code) == (Action.FAILURE, ErrorCode.INVALID_HTTP_STATUS)
    assert refused.status in (401, 403)
