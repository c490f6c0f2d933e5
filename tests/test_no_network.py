"""Nothing leaves the process: the suite's guard refuses non-loopback sockets, and GraphMock refuses foreign hosts."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest
import requests

from mockgraph.server.threaded import MockGraphServer
from mockgraph.testing.interceptor import GraphMock


def test_a_socket_to_a_public_address_is_refused() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(ConnectionRefusedError) as caught,
    ):
        sock.connect(("93.184.215.14", 443))
    assert "only loopback" in str(caught.value)


def test_connect_ex_and_ipv6_are_refused_too() -> None:
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock, pytest.raises(ConnectionRefusedError):
        sock.connect_ex(("2606:4700::6810:84e5", 443, 0, 0))


def test_name_lookups_outside_loopback_are_refused() -> None:
    with pytest.raises(ConnectionRefusedError):
        socket.getaddrinfo("graph.microsoft.com", 443)


def test_requests_and_httpx_without_the_mock_cannot_reach_graph() -> None:
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get("https://graph.microsoft.com/beta/identity/apiConnectors", timeout=5)
    with pytest.raises(httpx.ConnectError):
        httpx.get("https://graph.microsoft.com/beta/identity/apiConnectors")


def test_loopback_stays_reachable(mockgraph_server: MockGraphServer) -> None:
    response = requests.get(mockgraph_server.url_for("/beta/identity/apiConnectors"), timeout=5)
    assert response.status_code == 401  # a real HTTP answer, from 127.0.0.1


def test_graphmock_refuses_foreign_hosts_for_every_client() -> None:
    async def async_call() -> None:
        async with httpx.AsyncClient() as client:
            await client.get("https://example.org/")

    with GraphMock() as graph:
        with pytest.raises(requests.exceptions.ConnectionError, match="mockgraph refused"):
            requests.get("https://example.org/", timeout=5)
        with pytest.raises(httpx.ConnectError, match="mockgraph refused"):
            httpx.get("https://example.org/")
        with pytest.raises(httpx.ConnectError, match="mockgraph refused"):
            asyncio.run(async_call())
        refused = graph.journal.unroutable()
    assert [entry.host for entry in refused] == ["example.org"] * 3


def test_a_wsgi_server_can_resolve_its_wildcard_bind_address_but_nothing_connects_to_it() -> None:
    import socket

    assert socket.getaddrinfo("0.0.0.0", 8080)
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(ConnectionRefusedError):
            probe.connect(("0.0.0.0", 9))
    finally:
        probe.close()
