"""``mockgraph verify`` against small deviating servers: it exits non-zero and names each deviation.

Each server is the emulator behind a few lines of WSGI middleware that break one promise, so every
other answer stays right and the report must point at exactly that promise.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.wrappers import Request, Response

from mockgraph import create_app
from mockgraph.cli.main import main
from mockgraph.identity import mint_token
from mockgraph.server.threaded import MockGraphServer

TOKEN = mint_token()
Transform = Callable[[Request, Any, Response], None]


def deviating(transform: Transform) -> Flask:
    """The emulator, with ``transform(request, request_json, response)`` applied to every answer."""
    app = create_app()
    inner = app.wsgi_app

    def middleware(environ: dict[str, Any], start_response: Any) -> Any:
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(raw)
        request = Request(dict(environ, **{"wsgi.input": io.BytesIO(raw)}))
        try:
            sent = json.loads(raw) if raw else None
        except ValueError:
            sent = None
        response = Response.from_app(inner, environ, buffered=True)
        transform(request, sent, response)
        return response(environ, start_response)

    app.wsgi_app = middleware  # type: ignore[method-assign]
    return app


def edit_json(response: Response, change: Callable[[Any], None]) -> None:
    if response.mimetype == "application/json" and response.get_data():
        document = json.loads(response.get_data())
        change(document)
        response.set_data(json.dumps(document))


def echo_password(request: Request, sent: Any, response: Response) -> None:
    configuration = (sent or {}).get("authenticationConfiguration") if isinstance(sent, dict) else None
    if isinstance(configuration, dict) and "password" in configuration:

        def change(document: Any) -> None:
            if isinstance(document.get("authenticationConfiguration"), dict):
                document["authenticationConfiguration"]["password"] = configuration["password"]

        edit_json(response, change)


def patch_answers_200(request: Request, sent: Any, response: Response) -> None:
    if request.method == "PATCH" and response.status_code == 204:
        response.status_code = 200


def drop_odata_type(request: Request, sent: Any, response: Response) -> None:
    def change(document: Any) -> None:
        for item in [document, *document.get("value", [])]:
            if isinstance(item, dict) and isinstance(item.get("authenticationConfiguration"), dict):
                item["authenticationConfiguration"].pop("@odata.type", None)

    edit_json(response, change)


def html_errors(request: Request, sent: Any, response: Response) -> None:
    if response.status_code >= 400:
        response.set_data(f"<html><body><h1>{response.status_code}</h1></body></html>")
        response.headers["Content-Type"] = "text/html; charset=utf-8"


def no_request_id(request: Request, sent: Any, response: Response) -> None:
    del response.headers["request-id"]


def other_not_found_code(request: Request, sent: Any, response: Response) -> None:
    if response.status_code == 404:
        edit_json(response, lambda document: document["error"].update(code="itemNotFound"))


def create_answers_200(request: Request, sent: Any, response: Response) -> None:
    if request.method == "POST" and response.status_code == 201:
        response.status_code = 200


def leaks_the_token(request: Request, sent: Any, response: Response) -> None:
    if response.status_code == 401 or request.method != "GET":
        return
    edit_json(
        response,
        lambda document: document.update({"@odata.context": request.headers.get("Authorization", "")}),
    )


def ignores_unknown_properties(request: Request, sent: Any, response: Response) -> None:
    # Pretend the unknown property was accepted: a refusal that should have happened did not.
    if request.method == "POST" and isinstance(sent, dict) and "colour" in sent:
        response.status_code = 201
        response.set_data(json.dumps({"id": "00000000-0000-4000-8000-000000000000", **sent}))
        response.headers["Content-Type"] = "application/json"


DEVIATIONS = [
    pytest.param(
        echo_password,
        ["secret: expected no secret sent in the request echoed back", "password"],
        id="password-in-clear",
    ),
    pytest.param(patch_answers_200, ["PATCH", "status: expected 204, got 200"], id="wrong-status-on-patch"),
    pytest.param(
        drop_odata_type, ["schema: expected", "'@odata.type' is a required property"], id="missing-odata-type"
    ),
    pytest.param(
        html_errors,
        ["content-type: expected application/json, got text/html", "a body that is not JSON"],
        id="html-error-page",
    ),
    pytest.param(no_request_id, ["header: expected a request-id header, got none"], id="missing-request-id"),
    pytest.param(
        other_not_found_code,
        ["error-code: expected Request_ResourceNotFound, got itemNotFound"],
        id="other-error-code",
    ),
    pytest.param(create_answers_200, ["POST", "status: expected 201, got 200"], id="wrong-status-on-create"),
    pytest.param(
        leaks_the_token, ["secret: expected no secret sent in the request echoed back"], id="token-echoed"
    ),
    pytest.param(
        ignores_unknown_properties,
        ["POST (unknown property): status: expected 400, got 201"],
        id="accepts-unknown-property",
    ),
]


@pytest.fixture
def serve() -> Iterator[Callable[[Flask], MockGraphServer]]:
    started: list[MockGraphServer] = []

    def start(app: Flask) -> MockGraphServer:
        started.append(MockGraphServer(app).start())
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.mark.parametrize(("transform", "named"), DEVIATIONS)
def test_each_deviation_is_named(
    serve: Callable[[Flask], MockGraphServer],
    capsys: pytest.CaptureFixture[str],
    transform: Transform,
    named: list[str],
) -> None:
    server = serve(deviating(transform))
    code = main(["verify", "--base-url", server.url, "--token", TOKEN])
    out = capsys.readouterr().out
    assert code == 1, out
    for fragment in named:
        assert fragment in out, out
    assert TOKEN not in out


def test_an_untouched_emulator_behind_the_same_middleware_passes(
    serve: Callable[[Flask], MockGraphServer], capsys: pytest.CaptureFixture[str]
) -> None:
    # The middleware itself is not what the other tests catch.
    server = serve(deviating(lambda request, sent, response: None))
    assert main(["verify", "--base-url", server.url, "--token", TOKEN]) == 0, capsys.readouterr().out
