"""The per-app emulator state: configuration, store, compiled contracts, identity, clock and hooks."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from mockgraph.core.config import MockGraphConfig
from mockgraph.core.contracts import Contracts
from mockgraph.core.operations import Catalog
from mockgraph.identity import Gatekeeper
from mockgraph.storage.store import Store
from mockgraph.web.routing import Router

EXTENSION_KEY = "mockgraph"


@dataclass
class EmulatorState:
    """Everything one app owns; nothing lives at module level, so two apps never share data."""

    config: MockGraphConfig
    store: Store
    contracts: Contracts
    gatekeeper: Gatekeeper
    # The operations this app serves (the resources' tables) and the router built from them.
    catalog: Catalog
    router: Router
    clock: Callable[[], float] = time.time
    # Extension points for the journal, faults and other per-app features: name -> object.
    extras: dict[str, Any] = field(default_factory=dict)

    def now(self) -> float:
        return self.clock()


def state_of(app: Flask) -> EmulatorState:
    state = app.extensions[EXTENSION_KEY]
    assert isinstance(state, EmulatorState)
    return state


def current_state() -> EmulatorState:
    return state_of(current_app)
