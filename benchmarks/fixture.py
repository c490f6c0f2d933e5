"""Figure 3: what a test pays for an isolated emulator, beside moto's ``mock_aws()`` (the peer figure).

- the per-test reset of an app built once per session (``mockgraph.testing.testkit.reset``, what the
  ``mockgraph_app`` fixture runs), and the whole ``mockgraph_app`` fixture measured inside real pytest runs
  (setup + teardown, minus a no-op fixture's);
- ``create_app()`` on its own, for a test that builds its own app, beside the bare app's factory
  (``benchmarks.bare.create_bare_app``), interleaved;
- moto (skipped with a line saying so when moto or boto3 is missing): ``mock_aws()`` enter + exit, and S3 put + get through boto3, beside mockgraph's create + get
  through ``requests`` under ``GraphMock``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from benchmarks.bare import create_bare_app
from benchmarks.harness import (
    Figure,
    Settings,
    format_value,
    interleaved,
    median_of,
    missing_peer,
    skipped_figure,
)
from benchmarks.interception import requests_caller
from benchmarks.lifecycle import create_body
from mockgraph import create_app
from mockgraph.testing.interceptor import GraphMock
from mockgraph.testing.testkit import Connectors, reset
from mockgraph.web.state import state_of

NAME = "fixture"
TITLE = "3. Per-test fixture cost (and moto, the peer)"
TARGET_RESET_SECONDS = 1e-3
TARGET_FACTORY_RATIO = 2.0  # issue 16: create_app() against the bare app's factory
_ENV_OUT = "MOCKGRAPH_BENCH_DURATIONS"

CONFTEST = """
import json, os, time
import pytest

DURATIONS = {}


def _add(item, started):
    DURATIONS[item.nodeid] = DURATIONS.get(item.nodeid, 0.0) + time.perf_counter() - started


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    started = time.perf_counter()
    yield
    _add(item, started)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    started = time.perf_counter()
    yield
    _add(item, started)


def pytest_sessionfinish(session):
    with open(os.environ["__ENV__"], "w") as out:
        json.dump(DURATIONS, out)
""".replace("__ENV__", _ENV_OUT)

TESTS = """
import pytest

COUNT = %d


@pytest.fixture
def plain():
    yield None


@pytest.mark.parametrize("index", range(COUNT))
def test_mockgraph_app(index, mockgraph_app):
    assert mockgraph_app is not None


@pytest.mark.parametrize("index", range(COUNT))
def test_plain(index, plain):
    assert plain is None
"""


def pytest_fixture_seconds(count: int) -> tuple[float, float]:
    """Median setup+teardown seconds per test with ``mockgraph_app`` and with a no-op fixture."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "conftest.py").write_text(textwrap.dedent(CONFTEST))
        (root / "test_fixture_cost.py").write_text(TESTS % count)
        out = root / "durations.json"
        env = {**os.environ, _ENV_OUT: str(out)}
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", str(root)],
            cwd=root,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        durations: dict[str, float] = json.loads(out.read_text())
    with_app = [s for node, s in durations.items() if "test_mockgraph_app[" in node]
    plain = [s for node, s in durations.items() if "test_plain[" in node]
    return median_of(with_app), median_of(plain)


def reset_seconds(samples: int) -> float:
    """Median seconds of the per-test reset of an app that holds a typical test's leftovers."""
    app = create_app({"auth_mode": "enforce"})
    Connectors(app).seed_many([create_body(i) for i in range(5)])
    leftovers = state_of(app).store.dump()
    timings: list[float] = []
    for _ in range(samples):
        state_of(app).store.load(leftovers)
        started = time.perf_counter()
        reset(app)
        timings.append(time.perf_counter() - started)
    return median_of(timings)


def _one_call(factory: object) -> float:
    started = time.perf_counter()
    factory()  # type: ignore[operator]
    return time.perf_counter() - started


def create_app_seconds(samples: int) -> tuple[float, float]:
    """Median seconds of ``create_app()`` and of the bare app's factory, calls alternated."""
    create_app()  # warm-up: imports, compiled contracts, the signing key
    create_bare_app()
    return interleaved(samples, lambda: _one_call(create_app), lambda: _one_call(create_bare_app))


def moto_figures(samples: int) -> tuple[float, float]:
    """Median seconds of ``mock_aws()`` enter+exit, and of an S3 put+get through boto3 inside it."""
    import boto3  # type: ignore[import-untyped]
    from moto import mock_aws

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():  # warm-up: moto's lazy imports and backend registry
        boto3.client("s3", region_name="us-east-1").list_buckets()
    enter_exit: list[float] = []
    for _ in range(samples):
        started = time.perf_counter()
        with mock_aws():
            pass
        enter_exit.append(time.perf_counter() - started)
    put_get: list[float] = []
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="bench")
        for index in range(samples * 3):
            started = time.perf_counter()
            s3.put_object(Bucket="bench", Key=f"k{index}", Body=b"x" * 200)
            s3.get_object(Bucket="bench", Key=f"k{index}")["Body"].read()
            put_get.append(time.perf_counter() - started)
    return median_of(enter_exit), median_of(put_get)


def mockgraph_create_get_seconds(samples: int) -> float:
    """Median seconds of a create + get through ``requests`` under ``GraphMock`` (enforce, real token)."""
    app = create_app({"auth_mode": "enforce"})
    mock = GraphMock(app)
    call = requests_caller(mock.tokens.headers())
    timings: list[float] = []
    with mock:
        for index in range(samples * 3):
            if index % 20 == 0:
                reset(app)  # stay under the 20-connector limit
            started = time.perf_counter()
            status, created = call("POST", "/beta/identity/apiConnectors", create_body(index))
            status_get, _ = call("GET", f"/beta/identity/apiConnectors/{created['id']}", None)
            timings.append(time.perf_counter() - started)
            assert (status, status_get) == (201, 200)
    return median_of(timings)


def run(settings: Settings) -> list[Figure]:
    skip = missing_peer("moto", "boto3")
    moto_enter_exit, moto_put_get = (
        (float("nan"), float("nan")) if skip else moto_figures(settings.repeats(30))
    )
    per_reset = reset_seconds(settings.repeats(3000))
    fixture_with, fixture_plain = pytest_fixture_seconds(settings.size(400, 100))
    new_app, bare_factory = create_app_seconds(settings.repeats(30))
    create_get = mockgraph_create_get_seconds(settings.repeats(30))
    moto = "moto mock_aws() enter+exit"
    figures: list[Figure] = [
        Figure(
            TITLE,
            "create_app() (a new emulator)",
            "s",
            new_app,
            "bare app's factory",
            bare_factory,
            target=TARGET_FACTORY_RATIO,
        ),
    ]
    if skip:
        labels = (
            ("per-test reset (testkit.reset)", moto),
            ("mockgraph_app fixture in pytest (setup+teardown, minus a no-op fixture's)", moto),
            ("create + get via requests under GraphMock", "moto S3 put + get via boto3"),
        )
        notes = (
            f"{format_value(per_reset, 's')}",
            f"{format_value(max(fixture_with - fixture_plain, 0.0), 's')}",
            f"{format_value(create_get, 's')}",
        )
        return figures + [
            skipped_figure(TITLE, label, baseline, f"{skip}; mockgraph alone: {note}")
            for (label, baseline), note in zip(labels, notes, strict=True)
        ]
    figures += [
        Figure(
            TITLE,
            "per-test reset (testkit.reset)",
            "s",
            per_reset,
            moto,
            moto_enter_exit,
            target=TARGET_RESET_SECONDS,
            target_absolute=True,
        ),
        Figure(
            TITLE,
            "mockgraph_app fixture in pytest (setup+teardown, minus a no-op fixture's)",
            "s",
            max(fixture_with - fixture_plain, 0.0),
            moto,
            moto_enter_exit,
            target=TARGET_RESET_SECONDS,
            target_absolute=True,
            note=f"with: {fixture_with * 1e6:.0f} µs, no-op fixture: {fixture_plain * 1e6:.0f} µs",
        ),
        Figure(TITLE, "create_app() beside the peer", "s", new_app, moto, moto_enter_exit),
        Figure(
            TITLE,
            "create + get via requests under GraphMock",
            "s",
            create_get,
            "moto S3 put + get via boto3",
            moto_put_get,
        ),
    ]
    return figures
