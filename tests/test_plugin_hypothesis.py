"""Hypothesis ``@given`` tests with mockgraph: a fresh Graph per example, past the 20-connector limit.

A function-scoped fixture is set up once per test, not once per example, so Hypothesis refuses it (its
``function_scoped_fixture`` health check) and, suppressed, lets state leak from example to example: the 21st
create is refused with ``QuotaExceeded``. ``make_mockgraph`` (session-scoped) and ``mockgraph.reset()`` give each
example its own start. Each project runs in a subprocess (see tests/test_plugin.py on in-process runs).
"""

from __future__ import annotations

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


def run(pytester: pytest.Pytester, code: str) -> pytest.RunResult:
    pytester.makepyfile(test_downstream=COMMON + code + TRAILER)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")


def test_make_mockgraph_gives_each_example_a_fresh_graph_without_suppressing_a_health_check(
    pytester: pytest.Pytester,
) -> None:
    run(pytester, WITH_FACTORY).assert_outcomes(passed=2)


def test_reset_inside_given_starts_each_example_over(pytester: pytest.Pytester) -> None:
    run(pytester, WITH_RESET).assert_outcomes(passed=2)


def test_without_a_reset_the_21st_example_meets_the_connector_limit(pytester: pytest.Pytester) -> None:
    # The control: what the two ways above prevent, so their passing means something.
    result = run(pytester, WITHOUT_RESET)
    result.assert_outcomes(passed=0, failed=2)
    result.stdout.fnmatch_lines(["*QuotaExceeded*"])


def test_the_function_scoped_fixture_alone_fails_hypothesis_health_check(pytester: pytest.Pytester) -> None:
    result = run(pytester, FUNCTION_SCOPED)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*function_scoped_fixture*"])
