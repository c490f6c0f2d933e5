"""The simulator's other entry points: the admin API (POST /_mockgraph/simulate) and the CLI."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from _signup_servers import raw_http_server, wsgi_server
from flask import Flask, request

from mockgraph import create_app
from mockgraph.cli.main import main
from tests.support import assert_graph_error, basic_auth, connector_body

USER = {
    "email": "john@fabrikam.com",
    "identities": [{"issuer": "facebook.com", "issuerAssignedId": "0123456789"}],
    "provided": {"displayName": "John Smith"},
    "entered": {"postalCode": "ABC", "loyaltyNumber": "212342"},
}


def connector_app() -> Flask:
    app = Flask("connector")

    @app.post("/api/validate")
    def validate() -> Any:
        body = request.get_json()
        if body.get("step") == "PostFederationSignup" or "postalCode" not in body:
            return {"version": "1.0.0", "action": "Continue", "city": "Oslo"}
        if not body["postalCode"].isdigit():
            return {
                "version": "1.0.0",
                "status": 400,
                "action": "ValidationError",
                "userMessage": "Bad postal code.",
            }, 400
        return {"version": "1.0.0", "action": "Continue"}

    return app


def emulator_with_flow(target: str) -> Flask:
    emulator = create_app({"auth_mode": "off"})
    client = emulator.test_client()
    connector = client.post(
        "/beta/identity/apiConnectors",
        json=connector_body("validate", target, basic_auth(password="never-shown")),
    ).get_json()["id"]
    client.post(
        "/beta/identity/b2cUserFlows",
        json={"id": "SignUp", "userFlowType": "signUp", "userFlowTypeVersion": 3},
    )
    for step in ("postFederationSignup", "postAttributeCollection"):
        ref = f"/beta/identity/b2cUserFlows/B2C_1_SignUp/apiConnectorConfiguration/{step}/$ref"
        assert client.put(ref, json={"@odata.id": connector}).status_code == 204
    return emulator


def test_admin_api_simulates_one_step_and_a_whole_sign_up() -> None:
    with wsgi_server(connector_app()) as base:
        client = emulator_with_flow(f"{base}/api/validate").test_client()
        step = client.post(
            "/_mockgraph/simulate",
            json={"userFlowId": "B2C_1_SignUp", "step": "postAttributeCollection", "user": USER},
        )
        walked = client.post(
            "/_mockgraph/simulate",
            json={
                "userFlowId": "B2C_1_SignUp",
                "user": {**USER, "entered": {"postalCode": "12345"}},
                "settings": {"timeoutSeconds": 5},
            },
        )
    assert step.status_code == 200
    outcome = step.get_json()
    assert (outcome["outcome"], outcome["userMessage"]) == ("validationError", "Bad postal code.")
    assert outcome["requestBody"]["step"] == "PostAttributeCollection"
    assert outcome["requestBody"]["extension_831374b3bd5041bfaa54263ec9e050fc_loyaltyNumber"] == "212342"
    assert "never-shown" not in step.get_data(as_text=True)
    result = walked.get_json()
    assert result["completed"] is True
    assert [s["step"] for s in result["steps"]] == ["PostFederationSignup", "PostAttributeCollection"]
    assert result["steps"][0]["prefilledClaims"] == {"city": "Oslo"}
    assert result["claims"]["city"] == "Oslo"


def test_admin_api_holds_no_thread_longer_than_the_deadlines_on_a_trickling_target() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    answer = head + b'{"version": "1.0.0", "action": "Continue"}'.ljust(100)  # 6 s at one byte per 60 ms
    with raw_http_server(answer, at_once=len(head)) as target:
        client = emulator_with_flow(f"{target.url}/api/validate").test_client()
        started = time.monotonic()
        response = client.post(
            "/_mockgraph/simulate",
            json={
                "userFlowId": "B2C_1_SignUp",
                "step": "postAttributeCollection",
                "user": USER,
                "settings": {"timeoutSeconds": 1},
            },
        )
        elapsed = time.monotonic() - started
    outcome = response.get_json()
    assert (outcome["outcome"], outcome["failure"], outcome["attempts"]) == ("failure", "timeout", 2)
    assert len(target.accepted) == 2
    assert elapsed < 2 + 0.75  # two attempts of one second each, and a margin for a loaded machine


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"user": USER}, 400, "BadRequest"),
        ({"userFlowId": "B2C_1_SignUp", "step": "afterwards", "user": USER}, 400, "BadRequest"),
        ({"userFlowId": "B2C_1_SignUp", "user": {"identities": "facebook"}}, 400, "BadRequest"),
        ({"userFlowId": "B2C_1_SignUp", "user": USER, "settings": {"timeoutSeconds": -1}}, 400, "BadRequest"),
        ({"userFlowId": "B2C_1_SignUp", "user": USER, "settings": {"colour": "red"}}, 400, "BadRequest"),
        ({"userFlowId": "B2C_1_Nope", "user": USER}, 404, "Request_ResourceNotFound"),
        (
            {"userFlowId": "B2C_1_SignUp", "user": USER, "tenantId": "b7c0ffee-0000-4000-8000-000000000002"},
            404,
            "Request_ResourceNotFound",
        ),
        ({"userFlowId": "B2C_1_SignUp", "step": "PreTokenIssuance", "user": USER}, 400, "BadRequest"),
    ],
)
def test_admin_api_refusals_are_graph_shaped(body: dict[str, Any], status: int, code: str) -> None:
    client = emulator_with_flow("http://127.0.0.1:9/unused").test_client()
    response = client.post("/_mockgraph/simulate", json=body)
    assert_graph_error(response, status, code)


def test_cli_calls_an_endpoint_directly(capsys: pytest.CaptureFixture[str]) -> None:
    with wsgi_server(connector_app()) as base:
        bad = main(
            [
                "simulate",
                "--target-url",
                f"{base}/api/validate",
                "--product",
                "b2c",
                "--user",
                json.dumps(USER),
            ]
        )
        bad_output = json.loads(capsys.readouterr().out)
        good_user = json.dumps({**USER, "entered": {"postalCode": "12345"}})
        good = main(["simulate", "--target-url", f"{base}/api/validate?code=1", "--user", good_user])
        good_output = json.loads(capsys.readouterr().out)
    assert (bad, bad_output["outcome"], bad_output["userMessage"]) == (
        1,
        "validationError",
        "Bad postal code.",
    )
    assert (good, good_output["outcome"]) == (0, "continue")


def test_cli_asks_a_running_emulator(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    user_file = tmp_path / "user.json"
    user_file.write_text(json.dumps({**USER, "entered": {"postalCode": "12345"}}))
    with (
        wsgi_server(connector_app()) as base,
        wsgi_server(emulator_with_flow(f"{base}/api/validate")) as emulator,
    ):
        walked = main(
            ["simulate", "--server", emulator, "--user-flow", "B2C_1_SignUp", "--user", f"@{user_file}"]
        )
        walked_output = json.loads(capsys.readouterr().out)
        missing = main(["simulate", "--server", emulator, "--user-flow", "B2C_1_Nope", "--user", "{}"])
        capsys.readouterr()
    assert walked == 0
    assert walked_output["completed"] is True
    assert missing == 2
    assert main(["simulate", "--user", "{}"]) == 2
