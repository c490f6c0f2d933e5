"""The shared envelope check fails where it should: every test that leans on it is only as honest as it is."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support import assert_graph_error


class Answer:
    """The parts of a response ``assert_graph_error`` reads, as a requests or httpx response has them."""

    def __init__(self, status: int, document: Any, headers: dict[str, str]) -> None:
        self.status_code = status
        self.content = document if isinstance(document, bytes) else json.dumps(document).encode()
        self.headers = headers


def envelope(**inner: str) -> dict[str, Any]:
    ids = {"date": "2026-01-01T00:00:00", "request-id": "r-1", "client-request-id": "c-1"}
    return {"error": {"code": "BadRequest", "message": "m", "innerError": {**ids, **inner}}}


HEADERS = {"Content-Type": "application/json", "request-id": "r-1", "client-request-id": "c-1"}


def test_a_whole_envelope_passes_and_its_error_is_returned() -> None:
    error = assert_graph_error(Answer(400, envelope(), HEADERS), 400, "BadRequest", "m")
    assert error["code"] == "BadRequest"


@pytest.mark.parametrize(
    ("answer", "status", "code", "message"),
    [
        (Answer(404, envelope(), HEADERS), 400, "BadRequest", None),
        (Answer(400, envelope(), HEADERS), 400, "Request_BadRequest", None),
        (Answer(400, envelope(), HEADERS), 400, "BadRequest", "other"),
        (Answer(400, envelope(), {**HEADERS, "Content-Type": "text/plain"}), 400, None, None),
        (Answer(400, b"{not json", HEADERS), 400, None, None),
        (Answer(400, {"error": {"code": "BadRequest", "message": "m"}}, HEADERS), 400, None, None),
        (Answer(400, envelope(date="yesterday"), HEADERS), 400, None, None),
        (Answer(400, envelope(extra="x"), HEADERS), 400, None, None),
        (Answer(400, envelope(), {**HEADERS, "request-id": "r-2"}), 400, None, None),
        (Answer(400, envelope(), {**HEADERS, "client-request-id": "c-2"}), 400, None, None),
        (Answer(400, {**envelope(), "value": []}, HEADERS), 400, None, None),
    ],
    ids=[
        "status",
        "code",
        "message",
        "media type",
        "not JSON",
        "no innerError",
        "date format",
        "innerError key",
        "request-id",
        "client-request-id",
        "extra top-level",
    ],
)
def test_each_defect_fails_the_check(
    answer: Answer, status: int, code: str | None, message: str | None
) -> None:
    with pytest.raises(AssertionError):
        assert_graph_error(answer, status, code, message)


def test_it_reads_flask_test_responses_too(client: FlaskClient) -> None:
    response = client.get("/beta/identity/apiConnectors/missing", headers={"client-request-id": "mine"})
    error = assert_graph_error(response, 404, "Request_ResourceNotFound")
    assert error["innerError"]["client-request-id"] == "mine"
