"""Hypothesis ``@given`` tests with mockgraph: a fresh Graph per example, past the 20-connector limit.

A function-scoped fixture is set up once per test, not once per example, so Hypothesis refuses it (its
``function_scoped_fixture`` health check) and, suppressed, lets state leak from example to example: the 21st
create is refused with ``QuotaExceeded``. ``make_mockgraph`` (session-scoped) and ``mockgraph.reset()`` give each
example its own start. The projects run as files of one downstream run in a subprocess (see tests/test_plugin.py
on in-process runs).
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest

EXAMPLES = 30  # past the 20-connector limit: state leaking between examples would be refused at the 21st

COMMON = f"""
import requests
from hypothesis import HealthCheck, given, settings, strategies as st

URL = "https://graph.microsoft.com/beta/identity/apiConnectors"
RUNS = []
EXACTLY = settings(max_examples={EXAMPLES}, database=None, derandomize=True, deadline=None)


def body(name):
    return {{
        "displayName": name,
        "targetUrl": "https://api.example.com/hook",
        "authenticationConfiguration": {{
            "@odata.type": "#microsoft.graph.basicAuthentication", "username": "u", "password": "p",
        }},
    }}


def create_and_list(graph, name):
    headers = graph.tokens.headers()
    created = requests.post(URL, json=body(name), headers=headers, timeout=5)
    assert created.status_code == 201, created.text
    RUNS.append(name)
    return [c["displayName"] for c in requests.get(URL, headers=headers, timeout=5).json()["value"]]
"""
# Last in the file, so it runs after the @given test.
TRAILER = f"""

def test_every_example_ran():
    assert len(RUNS) >= {EXAMPLES}, len(RUNS)
"""

WITH_FACTORY = """
@EXACTLY
@given(name=st.text(min_size=1, max_size=20).filter(str.strip))
def test_each_example_gets_its_own_graph(make_mockgraph, name):
    with make_mockgraph(seed=[body("seeded")]) as graph:
        assert create_and_list(graph, name) == ["seeded", name]
        graph.journal.assert_called_once("POST", URL, json={"displayName": name})
"""

WITH_RESET = """
import pytest


@pytest.mark.mockgraph(seed=[body("seeded")])
@settings(EXACTLY, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=20).filter(str.strip))
def test_reset_starts_each_example_over(mockgraph, name):
    mockgraph.reset()  # empty again, then the marker's seed
    assert create_and_list(mockgraph, name) == ["seeded", name]
"""

WITHOUT_RESET = """
@settings(EXACTLY, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=20).filter(str.strip))
def test_state_leaks_between_examples(mockgraph, name):
    create_and_list(mockgraph, name)
"""

FUNCTION_SCOPED = """
@EXACTLY
@given(name=st.text(min_size=1))
def test_the_health_check_refuses_the_function_scoped_fixture(mockgraph, name):
    pass
"""


PROJECTS = {
    "factory": WITH_FACTORY,
    "reset": WITH_RESET,
    "no_reset": WITHOUT_RESET,
    "function_scoped": FUNCTION_SCOPED,
}


@dataclass(frozen=True)
class FileOutcome:
    """What one test file of the downstream run did, read from its JUnit XML report."""

    passed: int
    failed: int
    other: int  # errors and skips, which no file here expects
    failures: str  # every failure's message and traceback text

    def assert_outcomes(self, *, passed: int = 0, failed: int = 0) -> None:
        assert (self.passed, self.failed, self.other) == (passed, failed, 0), self


@pytest.fixture(scope="module")
def downstream(tmp_path_factory: pytest.TempPathFactory) -> dict[str, FileOutcome]:
    """The four projects as four files of one downstream run, in a subprocess as pytester's
    ``runpytest_subprocess`` runs it: each pytest start costs seconds of imports (Hypothesis, the plugins), and
    the files share nothing (``RUNS`` is per module, the fixtures reset per test and per example)."""
    project = tmp_path_factory.mktemp("downstream")
    for name, code in PROJECTS.items():
        (project / f"test_{name}.py").write_text(COMMON + code + TRAILER, encoding="utf-8")
    report = project / "report.xml"
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_ADDOPTS"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(project), env.get("PYTHONPATH", "")]))
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly"]
    command += [f"--basetemp={project / 'basetemp'}", f"--junitxml={report}"]
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert report.exists(), result.stdout + result.stderr
    outcomes: dict[str, list[ET.Element]] = {name: [] for name in PROJECTS}
    for case in ET.parse(report).iter("testcase"):
        outcomes[case.attrib["classname"].removeprefix("test_")].append(case)
    return {name: _outcome(cases) for name, cases in outcomes.items()}


def _outcome(cases: list[ET.Element]) -> FileOutcome:
    failures = [child for case in cases for child in case if child.tag == "failure"]
    others = [child for case in cases for child in case if child.tag in ("error", "skipped")]
    failed_cases = {id(case) for case in cases for child in case if child.tag == "failure"}
    other_cases = {id(case) for case in cases for child in case if child.tag in ("error", "skipped")}
    passed = sum(1 for case in cases if id(case) not in failed_cases | other_cases)
    text = "\n".join(f"{child.attrib.get('message', '')}\n{child.text or ''}" for child in failures)
    return FileOutcome(passed, len(failed_cases), len(others), text)


def test_make_mockgraph_gives_each_example_a_fresh_graph_without_suppressing_a_health_check(
    downstream: dict[str, FileOutcome],
) -> None:
    downstream["factory"].assert_outcomes(passed=2)


def test_reset_inside_given_starts_each_example_over(downstream: dict[str, FileOutcome]) -> None:
    downstream["reset"].assert_outcomes(passed=2)


def test_without_a_reset_the_21st_example_meets_the_connector_limit(
    downstream: dict[str, FileOutcome],
) -> None:
    # The control: what the two ways above prevent, so their passing means something.
    result = downstream["no_reset"]
    result.assert_outcomes(passed=0, failed=2)
    assert "QuotaExceeded" in result.failures


def test_the_function_scoped_fixture_alone_fails_hypothesis_health_check(
    downstream: dict[str, FileOutcome],
) -> None:
    result = downstream["function_scoped"]
    result.assert_outcomes(failed=2)
    assert "function_scoped_fixture" in result.failures
