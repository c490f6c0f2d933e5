"""Fault injection: Graph-shaped 429/503/504 per operation, next-N and seeded fractions, latency, spec validation."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from mockgraph.core.errors import GraphError
from mockgraph.resources import CATALOG
from mockgraph.testing.interceptor import GraphMock
from mockgraph.testing.testkit import Connectors, Tokens
from mockgraph.web.faults import Faults
from mockgraph.web.journal import Journal

CONNECTORS = "/beta/identity/apiConnectors"


@pytest.fixture
def auth(mockgraph_tokens: Tokens) -> dict[str, str]:
    return mockgraph_tokens.headers()


@pytest.mark.parametrize(
    ("status", "code"),
    [(429, "TooManyRequests"), (503, "serviceNotAvailable"), (504, "gatewayTimeout")],
)
def test_next_n_calls_fail_with_graphs_envelope(
    mockgraph_client: FlaskClient, mockgraph_faults: Faults, auth: dict[str, str], status: int, code: str
) -> None:
    mockgraph_faults.fail_next(2, status=status, operation="LIST_CONNECTORS", retry_after=3)
    answers = [mockgraph_client.get(CONNECTORS, headers=auth) for _ in range(3)]
    assert [a.status_code for a in answers] == [status, status, 200]
    error = answers[0].get_json()["error"]
    assert error["code"] == code
    assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}
    assert answers[0].headers["Retry-After"] == "3"
    assert answers[0].headers["request-id"] == error["innerError"]["request-id"]
    assert "injected fault" in answers[0].headers["x-mockgraph-reason"]


def test_throttling_defaults_to_retry_after_one_second(
    mockgraph_client: FlaskClient, mockgraph_faults: Faults, auth: dict[str, str]
) -> None:
    mockgraph_faults.fail_next()
    assert mockgraph_client.get(CONNECTORS, headers=auth).headers["Retry-After"] == "1"


def test_faults_are_per_operation(
    mockgraph_client: FlaskClient,
    mockgraph_faults: Faults,
    mockgraph_connectors: Connectors,
    auth: dict[str, str],
) -> None:
    seeded = mockgraph_connectors.seed()
    mockgraph_faults.fail_next(1, status=503, operation=CATALOG["GET_CONNECTOR"].id)
    assert mockgraph_client.get(CONNECTORS, headers=auth).status_code == 200
    assert mockgraph_client.get(f"{CONNECTORS}/{seeded['id']}", headers=auth).status_code == 503
    assert mockgraph_client.get(f"{CONNECTORS}/{seeded['id']}", headers=auth).status_code == 200


def test_faults_apply_to_authenticated_callers_and_are_journaled(
    mockgraph_client: FlaskClient, mockgraph_faults: Faults, mockgraph_journal: Journal, auth: dict[str, str]
) -> None:
    mockgraph_faults.fail_next(1)
    assert mockgraph_client.get(CONNECTORS).status_code == 401  # no token: the 401 comes first
    assert mockgraph_client.get(CONNECTORS, headers=auth).status_code == 429
    throttled = mockgraph_journal.assert_called_once("GET", CONNECTORS, status=429)
    assert throttled.error_code == "TooManyRequests"
    assert throttled.retry_after == 1
    assert throttled.principal is not None
    assert throttled.operation == "identity_ListApiConnector"


def test_a_seeded_fraction_is_repeatable(
    mockgraph_client: FlaskClient, mockgraph_faults: Faults, auth: dict[str, str]
) -> None:
    def run() -> list[int]:
        mockgraph_faults.configure({"rules": [{"status": 503, "fraction": 0.5, "seed": 42}]})
        return [mockgraph_client.get(CONNECTORS, headers=auth).status_code for _ in range(40)]

    first, second = run(), run()
    assert first == second
    assert 5 < first.count(503) < 35
    assert set(first) == {200, 503}


def test_latency_is_added(
    mockgraph_client: FlaskClient, mockgraph_faults: Faults, mockgraph_journal: Journal, auth: dict[str, str]
) -> None:
    mockgraph_faults.add_latency(0.05, operation="identity_ListApiConnector")
    assert mockgraph_client.get(CONNECTORS, headers=auth).status_code == 200
    # A lower bound only: the call cannot finish before the injected sleep ends.
    assert mockgraph_journal.export()[0]["durationMs"] >= 50


def test_describe_reports_rules_and_counters(
    mockgraph_client: FlaskClient, mockgraph_faults: Faults, auth: dict[str, str]
) -> None:
    mockgraph_faults.configure(
        {
            "rules": [
                {"operation": "identity_CreateApiConnector", "status": 429, "count": 2, "retryAfter": 5},
                {"operation": "*", "latencyMs": 1},
            ]
        }
    )
    mockgraph_client.get(CONNECTORS, headers=auth)
    assert mockgraph_faults.describe() == {
        "rules": [
            {
                "operation": "identity_CreateApiConnector",
                "status": 429,
                "count": 2,
                "remaining": 2,
                "retryAfter": 5,
                "seen": 0,
                "injected": 0,
            },
            {"operation": "*", "latencyMs": 1, "seen": 1, "injected": 0},
        ]
    }
    mockgraph_faults.clear()
    assert mockgraph_faults.describe() == {"rules": []}


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ([], "expected an object"),
        ({"rules": {}}, "rules must be a list"),
        ({"rules": [{"status": 500, "count": 1}]}, "status must be one of"),
        ({"rules": [{"status": 429}]}, "exactly one of count or fraction"),
        ({"rules": [{"status": 429, "count": 1, "fraction": 0.5}]}, "exactly one of count or fraction"),
        ({"rules": [{"status": 429, "count": 0}]}, "count must be at least 1"),
        ({"rules": [{"status": 429, "fraction": 1.5}]}, "at most 1"),
        ({"rules": [{"status": 429, "fraction": float("nan")}]}, "must be a number"),
        ({"rules": [{"status": 429, "count": True}]}, "must be an integer"),
        ({"rules": [{"operation": "nope", "status": 429, "count": 1}]}, "unknown operation"),
        ({"rules": [{"status": 429, "count": 1, "colour": "red"}]}, "unknown key(s) colour"),
        ({"rules": [{"operation": "*"}]}, "needs a status"),
        ({"rules": [{"count": 2, "latencyMs": 5}]}, "need a status"),
        ({"rules": ["429"]}, "a rule must be an object"),
    ],
)
def test_a_bad_spec_is_a_graph_error_and_changes_nothing(spec: Any, fragment: str) -> None:
    faults = Faults(CATALOG)
    faults.fail_next(1)
    with pytest.raises(GraphError) as caught:
        faults.configure(spec)
    assert caught.value.status == 400
    assert fragment in caught.value.message
    assert len(faults.describe()["rules"]) == 1


@pytest.mark.mockgraph(faults={"rules": [{"operation": "LIST_CONNECTORS", "status": 504, "count": 1}]})
def test_the_marker_configures_faults(mockgraph: GraphMock) -> None:
    headers = mockgraph.tokens.headers()
    url = "https://graph.microsoft.com/beta/identity/apiConnectors"
    assert requests.get(url, headers=headers, timeout=5).status_code == 504
    assert requests.get(url, headers=headers, timeout=5).status_code == 200


def test_a_client_that_ignores_retry_after_is_reported(mockgraph: GraphMock) -> None:
    mockgraph.faults.fail_next(1, retry_after=30)
    url = "https://graph.microsoft.com/v1.0/identity/apiConnectors"
    headers = mockgraph.tokens.headers()
    for _ in range(2):  # an impatient client: retries at once
        requests.get(url, headers=headers, timeout=5)
    early = mockgraph.journal.early_retries()
    assert len(early) == 1
    assert early[0].refused.status == 429
    with pytest.raises(AssertionError, match="before Retry-After had passed"):
        mockgraph.journal.assert_retries_honoured()
