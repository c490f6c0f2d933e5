"""The extension simulator's other entry points: the admin API, the CLI and the pytest fixture."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _signup_servers import wsgi_server

from mockgraph import create_app
from mockgraph.admin.simulate import EXTENSION_PATH
from mockgraph.cli.main import main
from mockgraph.core.config import DEFAULT_TENANT_ID
from mockgraph.testing.interceptor import GraphMock
from tests._callout_endpoints import START_DATA, Endpoint, provide_claims, response
from tests.support import assert_graph_error, live_server

TID = DEFAULT_TENANT_ID
API_APP_ID = "a13d0fc1-04ab-4ede-b215-63de0174cbb4"
RESOURCE_ID = f"api://api.contoso.com/{API_APP_ID}"
CIAM_METADATA = f"https://mockgraph.ciamlogin.com/{TID}/v2.0/.well-known/openid-configuration"


def claims_endpoint(metadata_url: str | None = None) -> Endpoint:
    return Endpoint(
        lambda body: (200, provide_claims({"role": "Writer"}), "application/json"), metadata_url, API_APP_ID
    )


def test_the_admin_api_calls_an_extension_with_a_token_its_own_key_signs() -> None:
    emulator = create_app({"auth_mode": "permissive"})
    endpoint = claims_endpoint(CIAM_METADATA)
    # The endpoint runs on loopback; its token validation reaches the emulator through the interceptor.
    with GraphMock(emulator, allow_hosts=["127.0.0.1"]), wsgi_server(endpoint.app()) as url:
        answer = emulator.test_client().post(
            EXTENSION_PATH,
            json={
                "target": {
                    "event": "tokenIssuanceStart",
                    "targetUrl": f"{url}/api/callout",
                    "resourceId": RESOURCE_ID,
                },
                "session": {"user": {"id": "u1", "displayName": "Ada"}},
            },
        )
    assert answer.status_code == 200, answer.get_json()
    document = answer.get_json()
    assert endpoint.refusals == []
    assert (document["action"], document["claims"], document["errorCode"]) == (
        "provideClaimsForToken",
        {"role": "Writer"},
        None,
    )
    (record,) = document["journal"]
    assert record["handlerResult"]["httpStatus"] == 200
    assert record["mockgraph"]["request"]["headers"]["Authorization"] == "<redacted>"
    token = endpoint.requests[0]["headers"]["Authorization"].removeprefix("Bearer ")
    assert token not in answer.get_data(as_text=True)


def test_the_admin_api_walks_a_flow_and_takes_graph_records() -> None:
    emulator = create_app({"auth_mode": "off"})
    endpoint = Endpoint(
        lambda body: (
            200,
            response(
                START_DATA,
                {
                    "@odata.type": "microsoft.graph.attributeCollectionStart.setPrefillValues",
                    "inputs": {"city": "Oslo"},
                },
            ),
            "application/json",
        )
    )
    extension = {
        "@odata.type": "#microsoft.graph.onAttributeCollectionStartCustomExtension",
        "id": "2d9c3e8d-88a9-444e-8c4c-f0c6c4fe1c02",
        "authenticationConfiguration": {
            "resourceId": "api://contoso.com/fb96de85-2abe-4b02-b45f-64ba122c509e"
        },
        "clientConfiguration": {"timeoutInMilliseconds": 2000, "maximumRetries": 1},
    }
    with wsgi_server(endpoint.app()) as url:
        target = {"extension": {**extension, "endpointConfiguration": {"targetUrl": f"{url}/api/callout"}}}
        answer = emulator.test_client().post(
            EXTENSION_PATH,
            json={
                "flow": {"extensions": [target]},
                "journey": {"email": "a@example.com", "defaults": {"city": ""}},
            },
        )
    assert answer.status_code == 200, answer.get_json()
    document = answer.get_json()
    assert document["completed"]
    # No OTP extension: Microsoft sends the code, then the start extension runs before the page renders.
    assert [step["step"] for step in document["steps"]][:3] == [
        "verifyOneTimeCode",
        "attributeCollectionStart",
        "attributeCollectionPage",
    ]
    assert document["user"]["city"] == "Oslo"
    assert document["journal"][0]["handlerResult"]["customExtensionId"] == extension["id"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Give either 'target'"),
        ({"target": {"event": "tokenIssuanceStart"}}, "'target.targetUrl' is required"),
        ({"target": {"event": "nope", "targetUrl": "https://x", "resourceId": RESOURCE_ID}}, "unknown event"),
        ({"target": {"event": "tokenIssuanceStart", "targetUrl": "https://x", "resourceId": RESOURCE_ID,
                     "timeoutInMilliseconds": 5000}}, "timeout_ms"),
        ({"target": {"event": "tokenIssuanceStart", "targetUrl": "https://x", "resourceId": RESOURCE_ID},
          "settings": {"tokenFlaw": "sideways"}}, "not a valid TokenFlaw"),
        ({"target": {"event": "tokenIssuanceStart", "targetUrl": "https://x", "resourceId": RESOURCE_ID},
          "session": {"bogus": 1}}, "Unknown property 'session.bogus'"),
        ({"target": {"event": "emailOtpSend", "targetUrl": "https://x", "resourceId": RESOURCE_ID}}, "one_time_code"),
    ],
)  # fmt: skip
def test_the_admin_api_refuses_a_bad_simulation_with_graphs_envelope(
    body: dict[str, Any], message: str
) -> None:
    answer = create_app({"auth_mode": "off"}).test_client().post(EXTENSION_PATH, json=body)
    error = assert_graph_error(answer, 400, None)
    assert message in error["message"]


def test_the_cli_calls_an_extension_through_a_running_emulator(capsys: pytest.CaptureFixture[str]) -> None:
    emulator = create_app({"auth_mode": "permissive"})
    with live_server(emulator) as server:
        endpoint = claims_endpoint(f"{server}/{TID}/v2.0/.well-known/openid-configuration")
        with wsgi_server(endpoint.app()) as url:
            args = ["simulate", "--event", "tokenIssuanceStart", "--target-url", f"{url}/api/callout?code=k",
                    "--resource-id", RESOURCE_ID, "--target", '{"tenantKind": "workforce"}', "--server", server]  # fmt: skip
            assert main(args) == 0
            printed = json.loads(capsys.readouterr().out)
            assert endpoint.refusals == []
            assert printed["claims"] == {"role": "Writer"}
            assert main([*args, "--token-flaw", "expired"]) == 1
            printed = json.loads(capsys.readouterr().out)
            assert (printed["errorCode"], printed["errorName"]) == (
                1003002,
                "CustomExtensionInvalidHTTPStatus",
            )
            assert "ExpiredSignatureError" in endpoint.refusals[0]


def test_the_cli_calls_an_extension_directly_signing_with_a_key_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "key.pem"
    emulator = create_app({"auth_mode": "permissive", "signing_key_path": key})
    session = tmp_path / "session.json"
    session.write_text(json.dumps({"user": {"id": "u1"}}))
    with live_server(emulator) as server:
        endpoint = claims_endpoint(f"{server}/{TID}/v2.0/.well-known/openid-configuration")
        with wsgi_server(endpoint.app()) as url:
            args = ["simulate", "--event", "tokenIssuanceStart", "--target-url", f"{url}/api/callout", "--resource-id",
                    RESOURCE_ID, "--target", '{"tenantKind": "workforce"}', "--session", f"@{session}"]  # fmt: skip
            assert main([*args, "--key-file", str(key)]) == 0
            assert json.loads(capsys.readouterr().out)["action"] == "provideClaimsForToken"
            assert main(args) == 1  # the process's key: this emulator does not publish it
            assert "no key" in endpoint.refusals[0]
    assert main(["simulate", "--event", "tokenIssuanceStart"]) == 2
    assert "required" in capsys.readouterr().err


def test_the_pytest_fixture_gives_a_simulator_signing_with_the_tests_emulator(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import jwt
        from flask import Flask, request

        from mockgraph.callouts import ExtensionTarget, Event

        api = Flask(__name__)
        tokens = []

        @api.post("/api/callout")
        def callout():
            tokens.append(request.headers["Authorization"].split()[1])
            return {"data": {"@odata.type": "microsoft.graph.OnOtpSendResponseData",
                             "actions": [{"@odata.type": "microsoft.graph.OtpSend.continueWithDefaultBehavior"}]}}

        def test_otp(mockgraph_callouts, mockgraph_app):
            from mockgraph.callouts import Session, transport_for
            mockgraph_callouts.transport = transport_for(api)
            target = ExtensionTarget(Event.EMAIL_OTP_SEND, "https://otp.example/api/callout",
                                     "api://otp.example/fb96de85-2abe-4b02-b45f-64ba122c509e")
            outcome = mockgraph_callouts.call(target, Session(identifier="a@example.com", one_time_code="1234"))
            assert outcome.proceeds
            key = mockgraph_app.test_client().get(
                "/a7c0ffee-0000-4000-8000-000000000001/discovery/v2.0/keys").get_json()["keys"][0]
            jwt.decode(tokens[0], jwt.PyJWK(key).key, algorithms=["RS256"], audience=target.app_id)
            assert len(mockgraph_callouts.journal) == 1
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_callout_simulator_loads_without_flask() -> None:
    # It calls endpoints over HTTP, WSGI or ASGI; only ExtensionSimulator.for_app(app) touches an emulator.
    import subprocess
    import sys

    code = "import sys, mockgraph.callouts; print('flask' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
