"""The per-app emulator state: configuration, store, contracts, identity, clock, request journal and faults.

The promise, exactly: every app owns its configuration, store, directory, token issuer, journal and fault
rules, and nothing mutable lives at module level, so no two apps share data. Two immutable things are
shared because they are costly to build: the compiled contracts, and the signing key, which is one per
key configuration (``mockgraph.identity.keys``). Apps naming the same key file (``signing_key_path``, or
the one beside a state file) share that file's key; apps naming none share the process's development key
(``mint_token()``'s too). So a token one app issues is accepted by another app only when both have the
same key configuration and the other knows the token's tenant; apps with different key files refuse each
other's tokens. Give each app its own key file to keep their tokens apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, Request, Response, current_app

from mockgraph.core.config import MockGraphConfig
from mockgraph.core.contracts import Contracts
from mockgraph.core.operations import Catalog
from mockgraph.identity.gatekeeper import Gatekeeper
from mockgraph.storage.store import Store
from mockgraph.web.context import RequestContext
from mockgraph.web.faults import Faults
from mockgraph.web.journal import Journal
from mockgraph.web.routing import Router

EXTENSION_KEY = "mockgraph"
# Told of every answered request, last, with the response as the client receives it (the server's request
# log is one): called by the Graph pipeline and by the app's last after-request hook alike.
ResponseObserver = Callable[[Request, RequestContext, Response], None]


@dataclass
class EmulatorState:
    """Everything one app owns, kept in ``app.extensions["mockgraph"]``: read it with :func:`state_of`."""

    config: MockGraphConfig
    store: Store
    contracts: Contracts
    gatekeeper: Gatekeeper
    # The operations this app serves (the resources' tables) and the router built from them.
    catalog: Catalog
    router: Router
    # The faults the app injects (rules name operations of its catalog).
    faults: Faults
    clock: Callable[[], float] = time.time
    # Every request the app answered (fed by mockgraph.web.hooks).
    journal: Journal = field(default_factory=Journal)
    # Who is told of each answered request after the journal (see ResponseObserver).
    response_observers: list[ResponseObserver] = field(default_factory=list)

    def now(self) -> float:
        return self.clock()


def state_of(app: Flask) -> EmulatorState:
    """The state of an app made by ``mockgraph.create_app``.

    :raises TypeError: if ``app`` is another Flask app (it holds no emulator state).
    """
    state = app.extensions.get(EXTENSION_KEY)
    if not isinstance(state, EmulatorState):
        raise TypeError(f"{app!r} is not an emulator made by mockgraph.create_app")
    return state


def current_state() -> EmulatorState:
    return state_of(current_app)
