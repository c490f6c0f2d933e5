"""mockgraph's pytest plugin: an in-process Graph per test, interception, a live server, and a marker.

Importing this module is cheap and patches nothing: heavy imports happen inside fixtures, nothing is
autouse, and the only hook registers the ``mockgraph`` marker. Fixtures:

- ``make_mockgraph_app`` (session): the app for a configuration, built once per distinct one;
- ``mockgraph_app``: this test's app, reset (store, journal, faults) and configured by the marker;
  strict by default: a request the emulator could not route fails the test at teardown;
- ``mockgraph_client``, ``mockgraph_store``, ``mockgraph_connectors``, ``mockgraph_tokens``, ``mockgraph_journal``,
  ``mockgraph_faults``: the test client, seeding, token minting, the journal and fault settings;
- ``mockgraph``: a ``GraphMock`` intercepting ``requests`` and ``httpx`` for this test (and letting the live
  server through when the test uses ``mockgraph_server`` too);
- ``make_mockgraph`` (session): fresh ``GraphMock`` objects on demand, one per Hypothesis example;
- ``make_mockgraph_server`` (session) and ``mockgraph_server``: a live server on 127.0.0.1 serving
  this test's app, with ``url_for()``.
- ``mockgraph_signup``: a sign-up simulator over this test's user flows and connectors.
- ``mockgraph_callouts``: a custom authentication extension simulator signing with this test's emulator's key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient

    from mockgraph.callouts import ExtensionSimulator
    from mockgraph.server.threaded import MockGraphServer
    from mockgraph.signup import Simulator
    from mockgraph.storage.store import Store
    from mockgraph.testing.interceptor import GraphMock
    from mockgraph.testing.testkit import Connectors, Tokens
    from mockgraph.web.faults import Faults
    from mockgraph.web.journal import Journal

MARKER = "mockgraph"
MARKER_HELP = (
    "mockgraph(auth_mode='permissive', tenant=None, seed=None, faults=None, strict=True, allow_hosts=(), "
    "config=None): configure this test's in-process Graph (auth mode, tenant, seeded connectors, fault "
    "rules, strict routing, hosts the interceptor lets through, other MockGraphConfig fields)."
)
MARKER_KEYS = frozenset({"auth_mode", "tenant", "seed", "faults", "strict", "allow_hosts", "config"})
DEFAULT_AUTH_MODE = "permissive"

AppFactory = Callable[..., "Flask"]
GraphMockFactory = Callable[..., "GraphMock"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)


@dataclass(frozen=True)
class MockGraphSettings:
    """This test's settings, from its ``@pytest.mark.mockgraph(...)`` (closest marker wins per key)."""

    auth_mode: str = DEFAULT_AUTH_MODE
    tenant: str | None = None
    seed: Any = None
    faults: dict[str, Any] | None = None
    strict: bool = True
    allow_hosts: tuple[str, ...] = ()
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def tenant_id(self) -> str:
        from mockgraph.core.config import DEFAULT_TENANT_ID

        return (self.tenant or DEFAULT_TENANT_ID).lower()


def settings_for(node: pytest.Item) -> MockGraphSettings:
    """Merge the test's ``mockgraph`` markers (module, class, function; the closest wins)."""
    merged: dict[str, Any] = {}
    for marker in reversed(list(node.iter_markers(MARKER))):
        if marker.args:
            raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keyword arguments only")
        unknown = sorted(set(marker.kwargs) - MARKER_KEYS)
        if unknown:
            raise pytest.UsageError(
                f"@pytest.mark.{MARKER}: unknown option(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(MARKER_KEYS))}"
            )
        merged.update(marker.kwargs)
    merged["allow_hosts"] = tuple(merged.get("allow_hosts", ()))
    merged["config"] = dict(merged.get("config") or {})
    return MockGraphSettings(**merged)


def _config_for(auth_mode: str, tenant: str | None, config: dict[str, Any]) -> dict[str, Any]:
    """A config whose directory also holds ``tenant``, with the default app registered there too."""
    from dataclasses import replace

    from mockgraph.core.config import DEFAULT_TENANT_ID, Tenant, default_apps, default_tenants

    settings: dict[str, Any] = {"auth_mode": auth_mode, **config}
    if tenant is not None and tenant.lower() != DEFAULT_TENANT_ID and "tenants" not in config:
        settings["tenants"] = (*default_tenants(), Tenant(tenant.lower()))
        settings["apps"] = (*default_apps(), *(replace(a, tenant_id=tenant.lower()) for a in default_apps()))
    return settings


@pytest.fixture(scope="session")
def make_mockgraph_app() -> AppFactory:
    """Build (once per distinct configuration, then reuse) the app for ``auth_mode``, ``tenant`` and config."""
    from mockgraph.app import create_app

    cache: dict[str, Flask] = {}

    def make(*, auth_mode: str = DEFAULT_AUTH_MODE, tenant: str | None = None, **config: Any) -> Flask:
        key = repr((auth_mode, (tenant or "").lower(), sorted(config.items())))
        if key not in cache:
            cache[key] = create_app(_config_for(auth_mode, tenant, config))
        return cache[key]

    return make


@pytest.fixture
def mockgraph_settings(request: pytest.FixtureRequest) -> MockGraphSettings:
    """This test's settings from its ``mockgraph`` marker (defaults without one)."""
    return settings_for(request.node)


@pytest.fixture
def mockgraph_app(make_mockgraph_app: AppFactory, mockgraph_settings: MockGraphSettings) -> Iterator[Flask]:
    """This test's emulator: empty store, journal and faults, then the marker's faults and seed applied."""
    from mockgraph.testing.testkit import prepare
    from mockgraph.web.hooks import journal_of

    settings = mockgraph_settings
    app = make_mockgraph_app(auth_mode=settings.auth_mode, tenant=settings.tenant, **settings.config)
    prepare(app, tenant_id=settings.tenant_id, seed=settings.seed, faults=settings.faults)
    yield app
    missed = journal_of(app).unroutable()
    if settings.strict and missed:
        listed = "\n".join(f"  - {entry.host} {entry.describe()}" for entry in missed)
        pytest.fail(
            f"mockgraph could not route {len(missed)} request(s) (strict mode; "
            f"use @pytest.mark.mockgraph(strict=False) if that is intended):\n{listed}",
            pytrace=False,
        )


@pytest.fixture
def mockgraph_client(mockgraph_app: Flask) -> FlaskClient:
    """Flask's test client for this test's app (send your own ``Authorization``; nothing is injected)."""
    return mockgraph_app.test_client()


@pytest.fixture
def mockgraph_store(mockgraph_app: Flask) -> Store:
    """This test's raw store (records with their secrets), keyed by (tenant, collection, id)."""
    from mockgraph.web.state import state_of

    return state_of(mockgraph_app).store


@pytest.fixture
def mockgraph_connectors(mockgraph_app: Flask, mockgraph_settings: MockGraphSettings) -> Connectors:
    """Seed connectors as Graph would have created them, and inspect them, per tenant."""
    from mockgraph.testing.testkit import Connectors

    return Connectors(mockgraph_app, tenant_id=mockgraph_settings.tenant_id)


@pytest.fixture
def mockgraph_tokens(mockgraph_app: Flask, mockgraph_settings: MockGraphSettings) -> Tokens:
    """Mint access tokens this test's app accepts (also in ``enforce`` mode), or deliberately bad ones."""
    from mockgraph.testing.testkit import Tokens

    return Tokens(mockgraph_app, tenant_id=mockgraph_settings.tenant_id)


@pytest.fixture
def mockgraph_journal(mockgraph_app: Flask) -> Journal:
    """Every request this test's app answered, with assertion helpers."""
    from mockgraph.web.hooks import journal_of

    return journal_of(mockgraph_app)


@pytest.fixture
def mockgraph_faults(mockgraph_app: Flask) -> Faults:
    """Fault injection for this test's app: throttling, outages and latency per operation."""
    from mockgraph.web.hooks import faults_of

    return faults_of(mockgraph_app)


@pytest.fixture
def mockgraph(
    request: pytest.FixtureRequest, mockgraph_app: Flask, mockgraph_settings: MockGraphSettings
) -> Iterator[GraphMock]:
    """Intercept ``requests`` and ``httpx`` (sync and async) to Graph and its login host for this test.

    When the test also uses ``mockgraph_server``, that server's own address (``127.0.0.1:port``, that port
    only) is let through. ``reset()`` returns to the test's starting state (the marker's faults and seed),
    e.g. between Hypothesis examples."""
    from mockgraph.testing.interceptor import GraphMock

    settings = mockgraph_settings
    hosts = settings.allow_hosts
    if "mockgraph_server" in request.fixturenames:
        # The two fixtures serve one app: the live server is this test's Graph too, not a foreign host.
        server: MockGraphServer = request.getfixturevalue("mockgraph_server")
        hosts = (*hosts, urlsplit(server.url).netloc)
    graph = GraphMock(
        mockgraph_app,
        allow_hosts=hosts,
        tenant_id=settings.tenant_id,
        seed=settings.seed,
        faults=settings.faults,
        fresh=False,  # mockgraph_app has just prepared it
    )
    with graph:
        yield graph


@pytest.fixture(scope="session")
def make_mockgraph(make_mockgraph_app: AppFactory) -> GraphMockFactory:
    """A ``GraphMock`` over a session-built app that starts fresh on every ``with``: one per Hypothesis example.

    Session-scoped, so a ``@given`` test using it passes Hypothesis's function-scoped-fixture health check.
    Takes the marker's options as keywords (``auth_mode``, ``tenant``, ``seed``, ``faults``, ``strict``,
    ``allow_hosts``, other config fields); each ``with make_mockgraph(...) as graph:`` empties the app's
    store, journal and faults, then applies ``faults`` and ``seed``.
    """
    from mockgraph.core.config import DEFAULT_TENANT_ID
    from mockgraph.testing.interceptor import GraphMock

    def make(
        *,
        auth_mode: str = DEFAULT_AUTH_MODE,
        tenant: str | None = None,
        seed: Any = None,
        faults: dict[str, Any] | None = None,
        strict: bool = True,
        allow_hosts: tuple[str, ...] = (),
        **config: Any,
    ) -> GraphMock:
        app = make_mockgraph_app(auth_mode=auth_mode, tenant=tenant, **config)
        return GraphMock(
            app,
            allow_hosts=allow_hosts,
            strict=strict,
            tenant_id=(tenant or DEFAULT_TENANT_ID).lower(),
            seed=seed,
            faults=faults,
            fresh=True,
        )

    return make


@pytest.fixture(scope="session")
def make_mockgraph_server(make_mockgraph_app: AppFactory) -> Iterator[MockGraphServer]:
    """One live server on 127.0.0.1 (ephemeral port) for the session (per xdist worker)."""
    from mockgraph.server.threaded import MockGraphServer

    server = MockGraphServer(make_mockgraph_app()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mockgraph_server(make_mockgraph_server: MockGraphServer, mockgraph_app: Flask) -> MockGraphServer:
    """The live server, answering from this test's (freshly reset) app; ``url_for(path)`` gives URLs."""
    make_mockgraph_server.app = mockgraph_app
    return make_mockgraph_server


@pytest.fixture
def mockgraph_signup(mockgraph_app: Flask, mockgraph_settings: MockGraphSettings) -> Simulator:
    """A ``mockgraph.signup.Simulator`` over this test's user flows and connectors (its tenant).

    It calls the connectors' real target URLs; set ``.transport = WsgiTransport(your_app)`` to call a WSGI app
    in-process instead. (While the ``mockgraph`` interceptor is active, real URLs need ``allow_hosts``.)
    """
    from mockgraph.signup import Simulator

    return Simulator.for_app(mockgraph_app, tenant_id=mockgraph_settings.tenant_id)


@pytest.fixture
def mockgraph_callouts(mockgraph_app: Flask) -> ExtensionSimulator:
    """A ``mockgraph.callouts.ExtensionSimulator`` whose tokens this test's emulator publishes the key for.

    It calls real target URLs; set ``.transport = transport_for(your_app)`` to call a WSGI or ASGI app
    in-process. Its ``journal`` holds each call in the sign-in log's shape.
    """
    from mockgraph.callouts import ExtensionSimulator

    return ExtensionSimulator.for_app(mockgraph_app)
