"""The server's request log (``mockgraph serve --log-format text|json``): one line per request whatever the
request held, no secret, and an internal error's traceback in the log (never in the response)."""

from __future__ import annotations

import io
import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import pytest
from flask import Flask

from mockgraph import create_app
from mockgraph.resources.connectors import model
from mockgraph.server import direct_write, request_log
from mockgraph.testing.testkit import Tokens
from tests._serve_process import ServeProcess

CONNECTORS = "/beta/identity/apiConnectors"
FORGED = "/beta/identity/apiConnectors/x%0A2026-01-01 00:00:00,000 GET /admin 200 - 1.0ms request-id=forged"


@pytest.fixture
def logged() -> Iterator[tuple[io.StringIO, Any]]:
    """A fresh log stream and a function making an app that logs to it in a given format; the loggers that
    ``configure_logging`` rewires are restored afterwards."""
    names = ("mockgraph", "waitress", "cheroot")
    saved = {
        name: (
            logging.getLogger(name).handlers[:],
            logging.getLogger(name).level,
            logging.getLogger(name).propagate,
        )
        for name in names
    }
    stream = io.StringIO()

    def make(log_format: str) -> Flask:
        request_log.configure_logging(log_format, stream=stream)
        app = create_app()
        request_log.install(app, log_format=log_format)
        return app

    try:
        yield stream, make
    finally:
        for name, (handlers, level, propagate) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers, logger.level, logger.propagate = handlers, level, propagate


def lines(stream: io.StringIO) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if line]


def test_a_newline_in_the_path_cannot_forge_a_text_log_line(logged: tuple[io.StringIO, Any]) -> None:
    stream, make = logged
    app = make("text")
    token = Tokens(app).mint()
    response = app.test_client().get(FORGED, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400  # the forged line's "/admin" is one segment too many
    written = lines(stream)
    assert len(written) == 1, written
    assert "x\\x0a2026-01-01" in written[0]
    assert written[0].endswith(f"request-id={response.headers['request-id']}")


@pytest.mark.parametrize("raw", ["%0D", "%1B%5B31m", "%E2%80%A8", "%C2%85", "%00", "%7F"])
def test_every_control_character_is_escaped_in_the_text_format(
    logged: tuple[io.StringIO, Any], raw: str
) -> None:
    stream, make = logged
    app = make("text")
    app.test_client().get(f"{CONNECTORS}/a{raw}b?na{raw}me=1")
    written = stream.getvalue()
    assert written.count("\n") == 1
    line = written.rstrip("\n")
    assert all(ch.isprintable() for ch in line), repr(line)
    assert "a\\x" in line or "a\\u" in line


def test_a_backslash_is_doubled_so_an_escape_cannot_be_spelt_out(logged: tuple[io.StringIO, Any]) -> None:
    stream, make = logged
    make("text").test_client().get(f"{CONNECTORS}/a%5Cx0ab")
    assert "a\\\\x0ab" in stream.getvalue()


def test_the_json_format_keeps_control_characters_inside_one_record(logged: tuple[io.StringIO, Any]) -> None:
    stream, make = logged
    make("json").test_client().get(FORGED)
    written = lines(stream)
    assert len(written) == 1
    assert json.loads(written[0])["path"].startswith("/beta/identity/apiConnectors/x\n2026")


def test_a_token_in_the_path_is_not_logged(logged: tuple[io.StringIO, Any]) -> None:
    stream, make = logged
    app = make("text")
    token = Tokens(app).mint()
    app.test_client().get(f"{CONNECTORS}/{token}?{token}=1", headers={"Authorization": f"Bearer {token}"})
    assert token not in stream.getvalue()
    assert token.rsplit(".", 1)[1] not in stream.getvalue()
    assert "<redacted>" in stream.getvalue()


@pytest.fixture
def broken_model(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom inside the model")

    monkeypatch.setattr(model, "changes_from_patch", broken)


def test_an_internal_error_logs_its_traceback_as_a_json_field(
    logged: tuple[io.StringIO, Any], broken_model: None
) -> None:
    stream, make = logged
    app = make("json")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {Tokens(app).mint()}"}
    created = client.post(
        CONNECTORS,
        json={
            "displayName": "d",
            "targetUrl": "https://api.example.com",
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.basicAuthentication",
                "username": "u",
                "password": "p",
            },
        },
        headers=headers,
    ).get_json()
    response = client.patch(f"{CONNECTORS}/{created['id']}", json={"displayName": "x"}, headers=headers)
    assert response.status_code == 500
    assert "boom" not in response.get_data(as_text=True)
    records = [json.loads(line) for line in lines(stream)]
    errors = [r for r in records if r.get("level") == "ERROR"]
    assert len(errors) == 1, records
    assert "Traceback (most recent call last)" in errors[0]["traceback"]
    assert "RuntimeError: boom inside the model" in errors[0]["traceback"]
    assert errors[0]["requestId"] == response.headers["request-id"]
    requests_logged = [r for r in records if "status" in r]
    assert [r["status"] for r in requests_logged] == [201, 500]
    assert requests_logged[1]["error"] == "generalException"


def test_the_text_format_keeps_the_traceback_on_its_own_lines(
    logged: tuple[io.StringIO, Any], broken_model: None
) -> None:
    stream, make = logged
    app = make("text")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {Tokens(app).mint()}"}
    connector = client.post(
        CONNECTORS,
        json={
            "displayName": "d",
            "targetUrl": "https://api.example.com",
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.basicAuthentication",
                "username": "u",
                "password": "p",
            },
        },
        headers=headers,
    ).get_json()
    client.patch(f"{CONNECTORS}/{connector['id']}", json={"displayName": "x"}, headers=headers)
    text = stream.getvalue()
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: boom inside the model" in text


class _PassAll(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return True


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_the_direct_request_line_is_what_logging_writes(
    logged: tuple[io.StringIO, Any], log_format: str
) -> None:
    """The server handler writes request lines itself (no LogRecord); a filter sends them through
    ``logging`` instead: both lines say the same, apart from the time and the milliseconds."""
    stream, make = logged
    app = make(log_format)
    client = app.test_client()
    headers = {"client-request-id": "same-id"}
    client.get(f"{CONNECTORS}/missing?$select=id", headers=headers)
    logging.getLogger("mockgraph").handlers[0].addFilter(_PassAll())
    client.get(f"{CONNECTORS}/missing?$select=id", headers=headers)
    direct, through_logging = lines(stream)

    def without_timing(line: str) -> Any:
        if log_format == "json":
            document = json.loads(line)
            assert isinstance(document.pop("time"), float)
            assert isinstance(document.pop("ms"), float)
            document.pop("requestId")
            return document
        stamp, _, rest = line.partition(" ")
        assert len(stamp) == 10
        clock, _, rest = rest.partition(" ")
        assert len(clock) == 12
        assert clock[8] == ","
        words = rest.split(" ")
        assert words[-2].endswith("ms")
        assert words[-1].startswith("request-id=")
        return words[:-2]

    assert without_timing(direct) == without_timing(through_logging)
    assert "401" in direct or "404" in direct


def _fd_stream(path: Path, **options: Any) -> TextIO:
    # A large buffer: a line left in the text layer would not be in the file until a flush.
    return open(path, "w", buffering=1 << 20, **options)  # closed by the test


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_request_line_is_in_the_file_when_the_response_is_made(
    logged: tuple[io.StringIO, Any], tmp_path: Path, log_format: str
) -> None:
    path = tmp_path / "requests.log"
    with _fd_stream(path) as stream:
        request_log.configure_logging(log_format, stream=stream)
        app = create_app()
        request_log.install(app, log_format=log_format)
        client = app.test_client()
        ids = [client.get(f"{CONNECTORS}/missing-{n}").headers["request-id"] for n in range(3)]
        written = path.read_text("utf-8").splitlines()  # read beside the stream, which is never flushed
    assert len(written) == 3, written
    for line, request_id in zip(written, ids, strict=True):
        assert request_id in line


def test_a_direct_line_is_encoded_as_its_stream_encodes(
    logged: tuple[io.StringIO, Any], tmp_path: Path
) -> None:
    """The bytes written past the text layer are the ones it would write: its encoding, its error handler."""
    path = tmp_path / "requests.log"
    with _fd_stream(path, encoding="ascii", errors="backslashreplace") as stream:
        request_log.configure_logging("text", stream=stream)
        app = create_app()
        request_log.install(app)
        client = app.test_client()
        client.get(f"{CONNECTORS}/caf%C3%A9")
        logging.getLogger("mockgraph").handlers[0].addFilter(_PassAll())  # the same line through logging
        client.get(f"{CONNECTORS}/caf%C3%A9")
    direct, through_logging = path.read_bytes().decode("ascii").splitlines()
    assert "/caf\\xe9 " in direct
    assert direct.split(" ")[2:-2] == through_logging.split(" ")[2:-2]


def test_the_cached_time_stamp_is_what_logging_writes() -> None:
    handler = request_log._ServerHandler(io.StringIO())
    formatter = logging.Formatter("%(asctime)s")
    # Across a second's end (the cached second's text must change) and back to an earlier second.
    for created in (1_700_000_000.999, 1_700_000_001.0004, 1_700_000_001.5, 1_700_000_000.25, 86_399.9999):
        record = logging.makeLogRecord({"created": created, "msecs": int((created - int(created)) * 1000)})
        assert handler._stamp(created) == formatter.formatTime(record), created


def test_served_request_lines_survive_a_kill(tmp_path: Path) -> None:
    """After a SIGKILL the server's log holds a line for every response its client fully received."""
    with ServeProcess(tmp_path) as process:
        session = process.session()
        ids = []
        for index in range(40):
            response = session.get(f"{process.url}{CONNECTORS}/missing-{index}", timeout=10)
            assert response.status_code == 401
            ids.append(response.headers["request-id"])
        process.kill()
    logged = process.logs()
    assert [request_id for request_id in ids if f"request-id={request_id}" not in logged] == []


def test_lines_to_a_file_or_dev_null_are_written_holding_the_lock_and_to_a_pipe_are_not(
    tmp_path: Path,
) -> None:
    # A file or /dev/null never makes a writer wait on a reader; a pipe can, so it keeps os.write.
    with open(tmp_path / "log", "wb") as file, open(os.devnull, "wb") as null:
        assert direct_write.writer_for(file.fileno()) is not os.write
        assert direct_write.writer_for(null.fileno()) is not os.write
    reader, writer = os.pipe()
    try:
        assert direct_write.writer_for(writer) is os.write
    finally:
        os.close(reader)
        os.close(writer)


def test_the_lock_holding_write_writes_every_byte_and_reports_a_bad_descriptor(tmp_path: Path) -> None:
    path = tmp_path / "log"
    with open(path, "wb") as file:
        write = direct_write.writer_for(file.fileno())
        assert write(file.fileno(), "línea\n".encode()) == len("línea\n".encode())
        descriptor = file.fileno()
    assert path.read_text("utf-8") == "línea\n"
    with pytest.raises(OSError, match="Bad file descriptor"):
        write(descriptor, b"closed\n")


def test_request_lines_from_many_threads_reach_a_file_whole(
    logged: tuple[io.StringIO, Any], tmp_path: Path
) -> None:
    path = tmp_path / "requests.log"
    with _fd_stream(path) as stream:
        request_log.configure_logging("text", stream=stream)
        app = create_app({"auth_mode": "off"})
        request_log.install(app)

        def calls(worker: int) -> None:
            client = app.test_client()
            for n in range(50):
                assert client.get(f"{CONNECTORS}/w{worker}-{n}").status_code == 404

        threads = [threading.Thread(target=calls, args=(worker,)) for worker in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        lines = path.read_text("utf-8").splitlines()
    assert len(lines) == 400
    logged = sorted(line.split(" GET ")[1].split(" ")[0] for line in lines)
    assert logged == sorted(f"{CONNECTORS}/w{worker}-{n}" for worker in range(8) for n in range(50))
