"""The public surface: ``__all__`` lists exactly what the package exports, and apps never share state."""

from __future__ import annotations

import subprocess
import sys

import pytest

import mockgraph
from mockgraph import create_app
from mockgraph.web.state import state_of
from tests.support import BASIC_BODY


def test_all_matches_public_names() -> None:
    for name in mockgraph.__all__:
        assert getattr(mockgraph, name) is not None
    public = {name for name in dir(mockgraph) if not name.startswith("_")}
    submodules = {name for name in public if isinstance(getattr(mockgraph, name), type(mockgraph))}
    assert public - submodules - {"annotations", "importlib", "TYPE_CHECKING", "Any"} == set(
        mockgraph.__all__
    ) - {"__version__"}


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = mockgraph.no_such_name  # type: ignore[attr-defined]


def test_importing_the_package_is_cheap() -> None:
    # The pytest plugin imports the package in every project that installs mockgraph.
    code = "import sys, mockgraph, mockgraph.pytest_plugin; print('flask' in sys.modules, 'jsonschema' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_the_signup_simulator_loads_without_flask() -> None:
    # It calls connectors over HTTP or WSGI; only Simulator.for_app(app) touches an emulator's state.
    code = "import sys, mockgraph.signup; print('flask' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False"]


def test_state_of_refuses_an_app_create_app_did_not_make() -> None:
    from flask import Flask

    from mockgraph.signup import Simulator

    with pytest.raises(TypeError, match="create_app"):
        state_of(Flask("someone-elses"))
    with pytest.raises(TypeError, match="create_app"):
        Simulator.for_app(Flask("someone-elses"))


def test_two_apps_share_no_state() -> None:
    first, second = create_app({"auth_mode": "off"}), create_app({"auth_mode": "off"})
    assert first.test_client().post("/beta/identity/apiConnectors", json=BASIC_BODY).status_code == 201
    assert state_of(second).store.dump() == {}
    assert state_of(first).store is not state_of(second).store


def test_two_apps_share_no_journal_and_no_faults() -> None:
    first, second = create_app({"auth_mode": "off"}), create_app({"auth_mode": "off"})
    state_of(first).faults.fail_next(1, status=503)
    assert first.test_client().get("/beta/identity/apiConnectors").status_code == 503
    assert second.test_client().get("/beta/identity/apiConnectors").status_code == 200
    assert [e.status for e in state_of(first).journal.entries()] == [503]
    assert [e.status for e in state_of(second).journal.entries()] == [200]


def test_package_is_typed() -> None:
    from importlib import resources

    assert (resources.files("mockgraph") / "py.typed").is_file()
