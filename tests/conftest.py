"""Fixtures for the project's own tests of the emulator core."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockgraph import create_app
from mockgraph.web.state import EmulatorState, state_of
from tests.support import BASIC_BODY


@pytest.fixture
def app() -> Flask:
    """An emulator with authentication off: the core's behaviour, isolated from identity."""
    return create_app({"auth_mode": "off"})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def state(app: Flask) -> EmulatorState:
    return state_of(app)


@pytest.fixture
def create_connector(client: FlaskClient) -> Callable[..., dict[str, Any]]:
    """POST a connector (basic auth by default) and return the response JSON."""

    def create(version: str = "beta", **overrides: Any) -> dict[str, Any]:
        body = {**BASIC_BODY, **overrides}
        response = client.post(f"/{version}/identity/apiConnectors", json=body)
        assert response.status_code == 201, response.get_json()
        created: dict[str, Any] = response.get_json()
        return created

    return create


# No network: the suite proves that nothing leaves the process ------------------------------------------------

_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "ip6-localhost"})


class NetworkRefused(ConnectionRefusedError):
    """Raised by the suite's guard for any connection or name lookup outside loopback."""


def _is_loopback(host: object) -> bool:
    import ipaddress

    if host is None:
        return True
    text = host.decode() if isinstance(host, bytes) else str(host)
    if text.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(text.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(scope="session", autouse=True)
def refuse_non_loopback_network() -> Iterator[None]:
    """Refuse, for the whole suite, every socket connect and DNS lookup that is not loopback."""
    import socket

    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise NetworkRefused(f"the test suite may not reach {address!r}: only loopback is allowed")

    def connect(sock: socket.socket, address: Any) -> None:
        check(sock, address)
        real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        check(sock, address)
        return real_connect_ex(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        # Wildcard literals need no lookup (a WSGI server resolves its bind address); connecting to them
        # is still refused by ``check``.
        if not (_is_loopback(host) or str(host) in ("0.0.0.0", "::", "")):
            raise NetworkRefused(f"the test suite may not resolve {host!r}: only loopback is allowed")
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
    try:
        yield
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
        socket.getaddrinfo = real_getaddrinfo
