"""The public surface: ``__all__`` lists exactly what the package exports, and apps never share state."""

from __future__ import annotations

import mockgraph
from mockgraph import create_app
from mockgraph.state import state_of
from tests.conftest import BASIC_BODY


def test_all_matches_public_names() -> None:
    public = {
        name
        for name in vars(mockgraph)
        if not name.startswith("_") and not isinstance(getattr(mockgraph, name), type(mockgraph))
    }
    assert set(mockgraph.__all__) - {"__version__"} == public - {"annotations"}
    for name in mockgraph.__all__:
        assert hasattr(mockgraph, name)


def test_two_apps_share_no_state() -> None:
    first, second = create_app({"auth_mode": "off"}), create_app({"auth_mode": "off"})
    assert first.test_client().post("/beta/identity/apiConnectors", json=BASIC_BODY).status_code == 201
    assert state_of(second).store.dump() == {}
    assert state_of(first).store is not state_of(second).store


def test_package_is_typed() -> None:
    from importlib import resources

    assert (resources.files("mockgraph") / "py.typed").is_file()
