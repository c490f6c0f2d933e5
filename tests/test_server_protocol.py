"""The live server at the HTTP level, over http and https: a 204 keeps the connection alive and carries no
content type; the server's own refusals (oversized headers, an unsupported Transfer-Encoding, a malformed
request) answer Graph's error envelope; and stopping the server never leaves an exception in its threads."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient

from mockgraph import create_app
from mockgraph.server import engine
from mockgraph.server.threaded import MockGraphServer
from mockgraph.server.tls import TlsFiles, ensure_tls_files

COLLECTION = "/beta/identity/apiConnectors"
SECRET = "not-for-any-answer-5c1d"


def connector_body(name: str) -> str:
    return json.dumps(
        {
            "displayName": name,
            "targetUrl": "https://api.example.com/validate",
            "authenticationConfiguration": {
                "@odata.type": "#microsoft.graph.basicAuthentication",
                "username": "caller",
                "password": "basic-pw-1a2b",
            },
        }
    )


@pytest.fixture(params=["http", "https"])
def tls(request: pytest.FixtureRequest, tmp_path: Path) -> TlsFiles | None:
    return ensure_tls_files(tmp_path / "tls") if request.param == "https" else None


@pytest.fixture
def server(tls: TlsFiles | None) -> Iterator[MockGraphServer]:
    with MockGraphServer(create_app({"auth_mode": "off"}), tls=tls) as live:
        yield live


def _context(tls: TlsFiles | None) -> ssl.SSLContext | None:
    return ssl.create_default_context(cafile=str(tls.ca_file)) if tls is not None else None


def _connection(server: MockGraphServer, tls: TlsFiles | None) -> http.client.HTTPConnection:
    context = _context(tls)
    if context is not None:
        return http.client.HTTPSConnection(server.host, server.port, context=context, timeout=10)
    return http.client.HTTPConnection(server.host, server.port, timeout=10)


# Item 20: 204 ----------------------------------------------------------------------------------------------


def test_no_content_has_no_body_and_no_content_type(client: FlaskClient) -> None:
    created = client.post(COLLECTION, data=connector_body("A"), content_type="application/json")
    assert created.status_code == 201
    item = f"{COLLECTION}/{created.get_json()['id']}"
    for response in (
        client.patch(item, json={"displayName": "B"}),
        client.delete(item),
    ):
        assert response.status_code == 204
        assert response.data == b""
        assert "Content-Type" not in response.headers
        assert "request-id" in response.headers  # Graph's headers are still there


def test_keep_alive_survives_204s(server: MockGraphServer, tls: TlsFiles | None) -> None:
    connection = _connection(server, tls)
    headers = {"Content-Type": "application/json"}
    try:
        ids = []
        for name in ("first", "second"):
            connection.request("POST", COLLECTION, body=connector_body(name), headers=headers)
            created = connection.getresponse()
            assert created.status == 201
            ids.append(json.loads(created.read())["id"])
        sock = connection.sock
        assert sock is not None
        answers = []
        for index in range(3):
            connection.request(
                "PATCH",
                f"{COLLECTION}/{ids[0]}",
                body=json.dumps({"displayName": f"n{index}"}),
                headers=headers,
            )
            answers.append(connection.getresponse())
            answers[-1].read()
            assert connection.sock is sock  # http.client drops the socket when the server says it closes
        connection.request("DELETE", f"{COLLECTION}/{ids[1]}")
        answers.append(connection.getresponse())
        assert answers[-1].read() == b""
        assert connection.sock is sock
        connection.request("GET", f"{COLLECTION}/{ids[0]}")
        last = connection.getresponse()
        assert last.status == 200
        assert json.loads(last.read())["displayName"] == "n2"
        assert connection.sock is sock
    finally:
        connection.close()
    for answer in answers:
        assert answer.status == 204
        assert answer.getheader("Content-Type") is None
        assert answer.getheader("Content-Length") is None  # RFC 9110: a 204 sends none
        assert (answer.getheader("Connection") or "").lower() != "close"


def test_a_client_that_asks_to_close_after_a_204_is_obeyed(
    server: MockGraphServer, tls: TlsFiles | None
) -> None:
    connection = _connection(server, tls)
    try:
        connection.request(
            "POST", COLLECTION, body=connector_body("A"), headers={"Content-Type": "application/json"}
        )
        created = connection.getresponse()
        item = f"{COLLECTION}/{json.loads(created.read())['id']}"
        connection.request("DELETE", item, headers={"Connection": "close"})
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 204
        assert answer.getheader("Connection") == "close"
    finally:
        connection.close()


# Item 13: the server's own refusals answer Graph's envelope --------------------------------------------------


def _raw_exchange(
    server: MockGraphServer, tls: TlsFiles | None, request: bytes
) -> tuple[int, dict[str, str], bytes]:
    """Send ``request`` as bytes; read the answer until the server closes (it does after a refusal)."""
    raw = socket.create_connection((server.host, server.port), timeout=10)
    context = _context(tls)
    sock = context.wrap_socket(raw, server_hostname=server.host) if context is not None else raw
    chunks = []
    with sock:
        sock.sendall(request)
        for _ in range(1000):  # bounded: the answer is a few hundred bytes
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, ssl.SSLEOFError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return int(status_line.split()[1]), headers, body


REFUSALS = {
    "oversized headers": (
        b"GET /beta/identity/apiConnectors HTTP/1.1\r\nHost: localhost\r\n"
        + b"X-Big: "
        + b"a" * (70 * 1024)
        + b"\r\n\r\n",
        431,
        "RequestHeaderFieldsTooLarge",
    ),
    "unsupported transfer-encoding": (
        b"POST /beta/identity/apiConnectors HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n\r\n",
        501,
        "NotImplemented",
    ),
    "malformed header line": (
        b"GET /beta/identity/apiConnectors HTTP/1.1\r\nHost: localhost\r\nAuthorization Bearer "
        + SECRET.encode()
        + b"\r\n\r\n",
        400,
        "BadRequest",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_protocol_refusals_answer_graphs_error_envelope(
    server: MockGraphServer, tls: TlsFiles | None, case: str
) -> None:
    request, status, code = REFUSALS[case]
    answered, headers, body = _raw_exchange(server, tls, request)
    assert answered == status
    assert headers["content-type"] == "application/json"
    error = json.loads(body)["error"]
    assert error["code"] == code
    assert error["message"]
    inner = error["innerError"]
    assert inner["request-id"] == headers["request-id"] == inner["client-request-id"]
    assert set(inner) == {"date", "request-id", "client-request-id"}
    assert headers["connection"] == "close"  # the stream cannot be trusted after a refusal
    assert SECRET.encode() not in body
    assert SECRET not in json.dumps(headers)


# Item 24: stopping the server ------------------------------------------------------------------------------


def _hammer(port: int, context: ssl.SSLContext | None, stop: threading.Event) -> None:
    for _ in range(200):  # bounded; ends at the first refused connection once the server is gone
        if stop.is_set():
            return
        connection: http.client.HTTPConnection = (
            http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=2)
            if context is not None
            else http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        )
        try:
            connection.request("GET", "/_mockgraph/health")
            connection.getresponse().read()
        except (OSError, http.client.HTTPException):
            return
        finally:
            connection.close()


def test_stopping_under_traffic_leaves_no_thread_exception(
    tls: TlsFiles | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors: list[str] = []
    monkeypatch.setattr(
        threading, "excepthook", lambda args: errors.append(f"{args.thread}: {args.exc_value!r}")
    )
    app = create_app({"auth_mode": "off"})
    context = _context(tls)
    # Other tests' session servers may run in this process (xdist): only threads started here count.
    before = set(threading.enumerate())
    for _ in range(25 if tls is None else 8):
        server = MockGraphServer(app, tls=tls).start()
        kept_alive = [_connection(server, tls) for _ in range(3)]
        for connection in kept_alive:
            connection.request("GET", "/_mockgraph/health")
            connection.getresponse().read()
        stop = threading.Event()
        traffic = threading.Thread(target=_hammer, args=(server.port, context, stop))
        traffic.start()
        server.stop()
        stop.set()
        traffic.join(10)
        for connection in kept_alive:
            connection.close()
    names = {thread.name for thread in set(threading.enumerate()) - before}
    assert errors == []
    assert not names & {"mockgraph-server", "mockgraph-tls"}


# How responses leave: the header with a small body in one send ---------------------------------------------

LARGE = b"x" * (200 * 1024)
HUGE = b"z" * (8 * 1024 * 1024)  # far more than a socket's buffers: the loop sends what the worker could not
STREAMED_CHUNKS = 320  # 20 MiB: more than the socket buffers hold, so the worker must wait for the loop


def _wire_app() -> Flask:
    app = Flask("wire")

    @app.get("/small")
    def small() -> Response:
        return Response(b'{"value":[]}', content_type="application/json")

    @app.get("/large")
    def large() -> Response:
        return Response(LARGE, content_type="application/octet-stream")

    @app.get("/streamed")
    def streamed() -> Response:
        return Response((part for part in (b"one,", b"two,", b"three")), content_type="text/plain")

    @app.get("/empty")
    def empty() -> tuple[str, int]:
        return "", 204

    @app.get("/huge")
    def huge() -> Response:
        return Response(HUGE, content_type="application/octet-stream")

    @app.get("/huge-streamed")
    def huge_streamed() -> Response:
        chunk = b"y" * (64 * 1024)
        return Response((chunk for _ in range(STREAMED_CHUNKS)), content_type="application/octet-stream")

    return app


@pytest.fixture
def wire_server(tls: TlsFiles | None) -> Iterator[MockGraphServer]:
    with MockGraphServer(_wire_app(), tls=tls) as live:
        yield live


@pytest.mark.parametrize(
    ("path", "method", "status", "body"),
    [
        ("/small", "GET", 200, b'{"value":[]}'),
        ("/large", "GET", 200, LARGE),
        ("/streamed", "GET", 200, b"one,two,three"),
        ("/small", "HEAD", 200, b""),
        ("/empty", "GET", 204, b""),
    ],
)
def test_every_response_arrives_whole_and_in_order_on_one_connection(
    wire_server: MockGraphServer, tls: TlsFiles | None, path: str, method: str, status: int, body: bytes
) -> None:
    connection = _connection(wire_server, tls)
    try:
        for _ in range(3):  # on one kept-alive connection: each answer ends where the next begins
            connection.request(method, path)
            response = connection.getresponse()
            assert response.status == status
            assert response.read() == body
    finally:
        connection.close()


def test_a_small_response_leaves_in_one_send(monkeypatch: pytest.MonkeyPatch) -> None:
    """One send and one TCP segment, not the header's and then the body's."""
    sends: list[bytes] = []
    original = engine._Channel.send

    def send(channel: engine._Channel, data: bytes, do_close: bool = True) -> int:
        sent: int = original(channel, data, do_close=do_close)
        sends.append(bytes(data[:sent]))
        return sent

    monkeypatch.setattr(engine._Channel, "send", send)
    with MockGraphServer(_wire_app()) as live:
        connection = http.client.HTTPConnection(live.host, live.port, timeout=10)
        try:
            connection.request("GET", "/small")
            response = connection.getresponse()
            assert response.read() == b'{"value":[]}'
        finally:
            connection.close()
    assert len(sends) == 1, sends
    assert sends[0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert sends[0].endswith(b'\r\n\r\n{"value":[]}')


def _read_slowly(server: MockGraphServer, path: str) -> bytes:
    connection = http.client.HTTPConnection(server.host, server.port, timeout=20)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        assert response.status == 200
        time.sleep(0.3)  # the socket's buffers fill while the client does not read
        return response.read()
    finally:
        connection.close()


def test_a_response_larger_than_the_socket_takes_reaches_a_slow_reader() -> None:
    with MockGraphServer(_wire_app()) as live:
        assert _read_slowly(live, "/huge") == HUGE


def test_a_worker_waiting_for_its_output_to_drain_is_not_left_waiting() -> None:
    """Past the output buffer's high-water mark a worker waits for the event loop to send: the loop must
    poll that connection for writing then, though the worker is inside its write."""
    with MockGraphServer(_wire_app()) as live:
        backend: Any = live._backend
        backend.server.adj.outbuf_high_watermark = 256 * 1024
        assert _read_slowly(live, "/huge-streamed") == b"y" * (64 * 1024) * STREAMED_CHUNKS


def test_the_loop_does_not_poll_for_writing_while_a_worker_sends(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker sends its own output; polled for writing meanwhile, the loop found the output locked by
    the worker and spun, turn after turn, each taking the GIL from the worker."""
    seen: list[bool] = []
    original = engine._Channel._flush_some

    def flush_some(channel: engine._Channel, do_close: bool = True) -> bool:
        if threading.current_thread().name != "mockgraph-server":  # the worker, inside its write
            seen.append(bool(channel.writable()))
        flushed: bool = original(channel, do_close=do_close)
        return flushed

    monkeypatch.setattr(engine._Channel, "_flush_some", flush_some)
    with MockGraphServer(_wire_app()) as live:
        connection = http.client.HTTPConnection(live.host, live.port, timeout=10)
        try:
            for _ in range(3):
                connection.request("GET", "/small")
                assert connection.getresponse().read() == b'{"value":[]}'
        finally:
            connection.close()
    assert seen == [False, False, False]
