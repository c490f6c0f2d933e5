"""Sign-ups through user flows stored in the emulator: Basic auth and mutual TLS over real loopback servers, walks."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from _signup_servers import make_server_identity, mutual_tls_server, wsgi_server
from flask import Flask, request
from flask.testing import FlaskClient

from mockgraph import make_pkcs12
from mockgraph.core.errors import InvalidRequest, ResourceNotFound
from mockgraph.signup import (
    FailureKind,
    HttpTransport,
    Identity,
    OutcomeKind,
    SignUpUser,
    Simulator,
    Step,
    WsgiTransport,
)
from tests.support import basic_auth, connector_body

BETA = "/beta/identity"
USER = SignUpUser(
    email="johnsmith@fabrikam.onmicrosoft.com",
    identities=(Identity("facebook.com", "0123456789"),),
    provided={"displayName": "John Smith", "givenName": "John"},
    entered={"jobTitle": "Supplier", "city": "Seattle"},
)


def basic_connector(
    client: FlaskClient, url: str, username: str = "api-user", password: str = "s3cret"
) -> str:
    response = client.post(
        f"{BETA}/apiConnectors", json=connector_body("Sign-up API", url, basic_auth(username, password))
    )
    assert response.status_code == 201
    connector_id: str = response.get_json()["id"]
    return connector_id


def flow(client: FlaskClient, kind: str, name: str, **steps: str) -> str:
    prefix = "B2X_1_" if kind == "b2x" else "B2C_1_"
    body = {"id": name, "userFlowType": "signUpOrSignIn", "userFlowTypeVersion": 1 if kind == "b2x" else 3}
    assert client.post(f"{BETA}/{kind}UserFlows", json=body).status_code == 201
    for step, connector_id in steps.items():
        ref = f"{BETA}/{kind}UserFlows/{prefix}{name}/apiConnectorConfiguration/{step}/$ref"
        assert client.put(ref, json={"@odata.id": connector_id}).status_code == 204
    return prefix + name


class SignUpApi:
    """A connector app with one route per step; checks the Basic credentials and the query string."""

    def __init__(self) -> None:
        self.bodies: dict[str, dict[str, Any]] = {}
        self.app = Flask("signup-api")
        self.app.add_url_rule("/api/<step>", "step", self.handle, methods=["POST"])

    def handle(self, step: str) -> Any:
        expected = "Basic " + base64.b64encode(b"api-user:s3cret").decode()
        if request.headers.get("Authorization") != expected or request.args.get("code") != "0123456789":
            return {"error": "unauthorized"}, 401
        body = request.get_json()
        self.bodies[step] = body
        if step == "federation":
            return {
                "version": "1.0.0",
                "action": "Continue",
                "postalCode": "98052",
                "jobTitle": "Engineer",
                "favouriteColour": "blue",
            }
        if step == "collection":
            if body.get("city") == "Nowhere":
                return {
                    "version": "1.0.0",
                    "status": 400,
                    "action": "ValidationError",
                    "userMessage": "Unknown city.",
                }, 400
            return {"version": "1.0.0", "action": "Continue", "city": "Redmond"}
        return {"version": "1.0.0", "action": "Continue", "displayName": "VIP John", "email": "other@x.com"}


def test_entra_sign_up_over_http_with_basic_auth_carries_claims_forward(
    client: FlaskClient, app: Flask
) -> None:
    api = SignUpApi()
    with wsgi_server(api.app) as base:
        federation = basic_connector(client, f"{base}/api/federation?code=0123456789")
        collection = basic_connector(client, f"{base}/api/collection?code=0123456789")
        flow_id = flow(
            client, "b2x", "SignUp", postFederationSignup=federation, postAttributeCollection=collection
        )
        result = Simulator.for_app(app).sign_up(flow_id, USER)
    assert result.completed
    first, second = result.outcomes
    assert first.step is Step.POST_FEDERATION_SIGNUP
    assert first.prefilled == {"postalCode": "98052", "jobTitle": "Engineer"}
    assert first.ignored == {"favouriteColour": "not collected by the user flow"}
    assert "step" not in api.bodies["federation"]  # Entra's docs do not send step/client_id
    # The page was prefilled with postalCode; the user's own jobTitle beat the prefill.
    assert api.bodies["collection"]["postalCode"] == "98052"
    assert api.bodies["collection"]["jobTitle"] == "Supplier"
    assert second.overwritten == {"city": "Redmond"}
    assert result.claims == {
        "displayName": "John Smith",
        "givenName": "John",
        "postalCode": "98052",
        "jobTitle": "Supplier",
        "city": "Redmond",
    }


def test_wrong_basic_credentials_fail_with_401(client: FlaskClient, app: Flask) -> None:
    api = SignUpApi()
    with wsgi_server(api.app) as base:
        collection = basic_connector(client, f"{base}/api/collection?code=0123456789", password="wrong")
        flow_id = flow(client, "b2x", "Flow", postAttributeCollection=collection)
        outcome = Simulator.for_app(app).simulate_step(flow_id, "postAttributeCollection", USER)
    assert (outcome.failure, outcome.status) == (FailureKind.WRONG_STATUS, 401)
    assert "Code 'Unauthorized' and Reason 'Unauthorized'" in (outcome.user_message or "")


def test_b2c_walk_ends_with_the_token_step_in_process(client: FlaskClient, app: Flask) -> None:
    api = SignUpApi()
    url = "https://signup.contoso.example/api/{}?code=0123456789"
    steps = {
        name: basic_connector(client, url.format(path))
        for name, path in [
            ("postFederationSignup", "federation"),
            ("postAttributeCollection", "collection"),
            ("preTokenIssuance", "token"),
        ]
    }
    flow_id = flow(client, "b2c", "SignUpSignIn", **steps)
    simulator = Simulator.for_app(app, transport=WsgiTransport(api.app))
    result = simulator.sign_up(flow_id, USER)
    assert result.completed
    assert [o.step for o in result.outcomes] == list(Step)
    assert api.bodies["token"]["step"] == "PreTokenIssuance"
    assert api.bodies["token"]["objectId"]
    assert api.bodies["collection"]["client_id"] == USER.client_id
    assert result.token_claims["displayName"] == "VIP John"
    assert (
        result.claims["displayName"] == "John Smith"
    )  # the directory keeps its value; only the token changes
    assert result.outcomes[-1].ignored == {"email": "email cannot be overwritten in the token"}
    assert result.to_json()["steps"][2]["overwrittenClaims"] == {"displayName": "VIP John"}


def test_walk_stops_at_a_validation_error_and_local_accounts_skip_federation(
    client: FlaskClient, app: Flask
) -> None:
    api = SignUpApi()
    url = "https://signup.contoso.example/api/{}?code=0123456789"
    federation = basic_connector(client, url.format("federation"))
    collection = basic_connector(client, url.format("collection"))
    flow_id = flow(client, "b2x", "F", postFederationSignup=federation, postAttributeCollection=collection)
    simulator = Simulator.for_app(app, transport=WsgiTransport(api.app))
    local = SignUpUser(email="local@x.com", entered={"city": "Nowhere"}, local_account=True)
    result = simulator.sign_up(flow_id, local)
    assert not result.completed
    (only,) = result.outcomes
    assert (only.step, only.kind, only.user_message) == (
        Step.POST_ATTRIBUTE_COLLECTION,
        OutcomeKind.VALIDATION_ERROR,
        "Unknown city.",
    )


def test_missing_flow_unconfigured_step_and_deleted_connector(client: FlaskClient, app: Flask) -> None:
    api = SignUpApi()
    collection = basic_connector(client, "https://signup.contoso.example/api/collection?code=0123456789")
    flow_id = flow(client, "b2x", "F", postAttributeCollection=collection)
    simulator = Simulator.for_app(app, transport=WsgiTransport(api.app))
    with pytest.raises(ResourceNotFound):
        simulator.sign_up("B2X_1_Nope", USER)
    with pytest.raises(InvalidRequest):
        simulator.simulate_step(flow_id, Step.POST_FEDERATION_SIGNUP, USER)
    assert client.delete(f"{BETA}/apiConnectors/{collection}").status_code == 204
    result = simulator.sign_up(flow_id, USER)
    assert result.completed
    assert result.outcomes == ()
    with pytest.raises(InvalidRequest):
        simulator.simulate_step(flow_id, Step.POST_ATTRIBUTE_COLLECTION, USER)


def test_mutual_tls_with_a_certificate_uploaded_through_graph(
    client: FlaskClient, app: Flask, tmp_path: Path
) -> None:
    server = make_server_identity(tmp_path)
    trusted = make_pkcs12(password="pfx-pw", common_name="signup client")
    untrusted = make_pkcs12(password="pfx-pw", common_name="someone else")
    seen: list[str | None] = []

    def answer(thumbprint: str | None, body: dict[str, Any], path: str) -> tuple[int, dict[str, Any]]:
        seen.append(thumbprint)
        if thumbprint != graph_thumbprint or path != "/api/check?code=abc":
            return 403, {"error": "wrong client"}
        return 200, {"version": "1.0.0", "action": "Continue", "city": body["city"].upper()}

    from cryptography.hazmat.primitives.serialization import Encoding

    with mutual_tls_server(server, trusted.certificate.public_bytes(Encoding.PEM), answer) as base:
        connector = basic_connector(client, f"{base}/api/check?code=abc")
        uploaded = client.post(
            f"{BETA}/apiConnectors/{connector}/uploadClientCertificate",
            json={"pkcs12Value": trusted.base64, "password": "pfx-pw"},
        )
        assert uploaded.status_code == 200
        (active,) = [
            c for c in uploaded.get_json()["authenticationConfiguration"]["certificateList"] if c["isActive"]
        ]
        graph_thumbprint = active["thumbprint"]
        flow_id = flow(client, "b2x", "Mtls", postAttributeCollection=connector)
        simulator = Simulator.for_app(app, transport=HttpTransport(verify=str(server.ca_path)))
        outcome = simulator.simulate_step(flow_id, Step.POST_ATTRIBUTE_COLLECTION, USER)
        assert outcome.kind is OutcomeKind.CONTINUE, outcome
        assert outcome.overwritten == {"city": "SEATTLE"}
        assert seen == [graph_thumbprint]
        # A newer certificate the server does not trust becomes the active one: the handshake fails, twice.
        client.post(
            f"{BETA}/apiConnectors/{connector}/uploadClientCertificate",
            json={"pkcs12Value": untrusted.base64, "password": "pfx-pw"},
        )
        refused = simulator.simulate_step(flow_id, Step.POST_ATTRIBUTE_COLLECTION, USER)
        assert (refused.failure, refused.attempts) == (FailureKind.TLS_ERROR, 2)
        # A server certificate the caller cannot verify is a TLS error too.
        unverified = Simulator.for_app(app).simulate_step(flow_id, Step.POST_ATTRIBUTE_COLLECTION, USER)
        assert unverified.failure is FailureKind.TLS_ERROR
    assert seen == [graph_thumbprint]
