"""The request journal: what it records (secrets redacted), its assertions, near misses and the Retry-After check."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import requests
from flask.testing import FlaskClient

from mockgraph import create_app, make_pkcs12
from mockgraph.testing.interceptor import GraphMock
from mockgraph.testing.testkit import Tokens
from mockgraph.web.faults import Faults
from mockgraph.web.journal import REDACTED, Journal, JournalEntry, json_differences, redact
from mockgraph.web.state import state_of
from tests.support import basic_auth, connector_body, pkcs12_auth

CONNECTORS = "/beta/identity/apiConnectors"
BASIC = connector_body("Journal API", "https://api.example.com/j", basic_auth("svc", "hunter2-basic"))


def entry(method: str = "GET", path: str = CONNECTORS, **fields: Any) -> JournalEntry:
    return JournalEntry(method=method, path=path, **fields)


# Recording through HTTP ---------------------------------------------------------------------------------


def test_every_request_is_journaled_with_its_principal_operation_and_status(
    mockgraph_client: FlaskClient, mockgraph_tokens: Tokens, mockgraph_journal: Journal
) -> None:
    headers = mockgraph_tokens.headers()
    created = mockgraph_client.post(CONNECTORS, json=BASIC, headers=headers)
    mockgraph_client.get(f"{CONNECTORS}?$select=id&$top=5", headers=headers)
    assert created.status_code == 201
    first, second = mockgraph_journal.export()
    assert first["method"] == "POST"
    assert first["operation"] == "identity_CreateApiConnector"
    assert first["status"] == 201
    assert first["principal"]["tenantId"] == mockgraph_tokens.tenant_id
    assert first["requestId"] == created.headers["request-id"]
    assert second["query"] == {"$select": ["id"], "$top": ["5"]}
    assert second["operation"] == "identity_ListApiConnector"


def test_no_secret_reaches_the_export(
    mockgraph_client: FlaskClient, mockgraph_tokens: Tokens, mockgraph_journal: Journal
) -> None:
    token = mockgraph_tokens.mint()
    pfx = make_pkcs12(password="pfx-secret-pw")
    body = {**BASIC, "authenticationConfiguration": pkcs12_auth(pfx)}
    mockgraph_client.post(CONNECTORS, json=BASIC, headers={"Authorization": f"Bearer {token}"})
    mockgraph_client.post(CONNECTORS, json=body, headers={"Authorization": f"Bearer {token}"})
    mockgraph_client.post(
        "/common/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "client_id": "c", "client_secret": "form-secret-xyz"},
    )
    exported = json.dumps(mockgraph_journal.export())
    for secret in ("hunter2-basic", "pfx-secret-pw", pfx.base64[:40], token, "form-secret-xyz"):
        assert secret not in exported
    assert exported.count(REDACTED) == 4  # two passwords, the blob, the form secret; headers are never kept


def test_secret_named_query_parameters_are_redacted_and_refusals_keep_graphs_message(
    mockgraph_client: FlaskClient, mockgraph_tokens: Tokens, mockgraph_journal: Journal
) -> None:
    token = mockgraph_tokens.mint()
    mockgraph_client.get(f"{CONNECTORS}/missing?access_token={token}&code=abc123&$top=1", headers={})
    exported = json.dumps(mockgraph_journal.export())
    assert token not in exported
    assert "abc123" not in exported
    (only,) = mockgraph_journal.entries()
    assert only.query == {"access_token": [REDACTED], "code": [REDACTED], "$top": ["1"]}
    assert only.message == "Access token is empty."  # what the caller read, beside the reason
    assert only.reason == "no Authorization header"


def test_refusals_carry_graphs_code_and_the_reason(
    mockgraph_client: FlaskClient, mockgraph_journal: Journal
) -> None:
    mockgraph_client.get(CONNECTORS)  # no token: refused even in permissive mode
    refused = mockgraph_journal.assert_called_once("GET", CONNECTORS, status=401)
    assert refused.error_code == "InvalidAuthenticationToken"
    assert refused.reason
    assert refused.principal is None


@pytest.mark.mockgraph(strict=False)
def test_unroutable_requests_are_flagged(mockgraph_client: FlaskClient, mockgraph_journal: Journal) -> None:
    mockgraph_client.get("/beta/identity/apiConnectorz")
    mockgraph_client.put(CONNECTORS)
    mockgraph_client.get("/v2/identity/apiConnectors")
    mockgraph_client.get(CONNECTORS)
    flagged = [e.describe() for e in mockgraph_journal.unroutable()]
    assert len(flagged) == 3
    assert "apiConnectorz" in flagged[0]
    assert flagged[1].startswith("PUT")


def test_clear_forgets_everything(mockgraph_client: FlaskClient, mockgraph_journal: Journal) -> None:
    mockgraph_client.get(CONNECTORS)
    assert len(mockgraph_journal) == 1
    mockgraph_journal.clear()
    assert mockgraph_journal.export() == []


# Assertions and near misses -----------------------------------------------------------------------------


def test_assert_called_matches_method_path_pattern_query_and_json_subset() -> None:
    journal = Journal()
    journal.record(entry("POST", "/beta//identity/apiConnectors", json=redact(BASIC), status=201))
    journal.record(entry("GET", "/beta/identity/apiConnectors/ABC", query={"$select": ["id"]}))
    journal.assert_called("post", "/beta/identity/apiConnectors", json={"displayName": "Journal API"})
    journal.assert_called("GET", "/beta/identity/apiConnectors/{id}?$select=id")
    journal.assert_called("GET", "https://graph.microsoft.com/beta/identity/apiConnectors/abc")
    journal.assert_called(None, "/beta/identity/*", times=1)
    journal.assert_called(times=2)
    journal.assert_not_called("DELETE", "/beta/identity/apiConnectors/{id}")
    assert (
        journal.assert_called_once("POST", json={"authenticationConfiguration": {"username": "svc"}}).status
        == 201
    )


def test_a_failed_assertion_lists_the_nearest_requests_and_why() -> None:
    journal = Journal()
    journal.record(entry("GET", "/beta/identity/apiConnectors"))
    journal.record(
        entry("POST", "/beta/identity/apiConnectors", json={"displayName": "Other", "targetUrl": "x"})
    )
    with pytest.raises(AssertionError) as caught:
        journal.assert_called("POST", "/beta/identity/apiConnectors", json={"displayName": "Wanted"})
    message = str(caught.value)
    assert "called 0 time(s)" in message
    assert "nearest that did not match" in message
    lines = message.splitlines()
    nearest = lines.index("nearest that did not match:")
    assert lines[nearest + 1].strip().startswith("- POST")  # one mismatch beats two
    assert "json displayName: expected 'Wanted', got 'Other'" in message
    assert "method is GET, not POST" in message


def test_called_n_times_and_not_called_explain_themselves() -> None:
    journal = Journal()
    for _ in range(2):
        journal.record(entry("DELETE", "/beta/identity/apiConnectors/1", status=204))
    with pytest.raises(AssertionError, match="exactly 3 time"):
        journal.assert_called("DELETE", "/beta/identity/apiConnectors/{id}", times=3)
    with pytest.raises(AssertionError, match=r"not to be called, but it was called 2 time\(s\)"):
        journal.assert_not_called("DELETE")
    with pytest.raises(AssertionError, match="no requests were made"):
        Journal().assert_called("GET")


@pytest.mark.parametrize(
    ("expected", "actual", "problems"),
    [
        ({"a": 1}, {"a": 1, "b": 2}, []),
        ({"a": {"b": [1, {"c": 2}]}}, {"a": {"b": [1, {"c": 2, "d": 3}]}}, []),
        ({"a": 1}, {}, ["a: missing"]),
        ({"a": [1, 2]}, {"a": [1]}, ["a: expected [1, 2], got [1]"]),
        ({"a": True}, {"a": 1}, ["a: expected True, got 1"]),
        ({"a": 1}, None, ["(body): expected an object, got None"]),
    ],
)
def test_json_subset_rules(expected: Any, actual: Any, problems: list[str]) -> None:
    assert json_differences(expected, actual) == problems


def test_redaction_catches_secret_names_in_any_spelling_and_depth() -> None:
    document = {"Client-Secret": "a", "nested": [{"refresh_token": "b", "keep": "c"}], "pkcs12Value": "d"}
    assert redact(document) == {
        "Client-Secret": REDACTED,
        "nested": [{"refresh_token": REDACTED, "keep": "c"}],
        "pkcs12Value": REDACTED,
    }


# Retry-After --------------------------------------------------------------------------------------------


def test_a_retry_before_retry_after_is_reported() -> None:
    journal = Journal()
    journal.record(entry("POST", started=10.0, finished=10.1, status=429, retry_after=2.0))
    journal.record(entry("POST", started=10.6, finished=10.7, status=201))
    early = journal.early_retries()
    assert len(early) == 1
    assert early[0].waited == pytest.approx(0.5)
    with pytest.raises(AssertionError, match="Retry-After: 2"):
        journal.assert_retries_honoured()


def test_a_retry_after_retry_after_is_fine_and_other_paths_do_not_count() -> None:
    journal = Journal()
    journal.record(entry("POST", started=10.0, finished=10.1, status=429, retry_after=1.0))
    journal.record(entry("GET", "/beta/identity/apiConnectors/other", started=10.2, finished=10.3))
    journal.record(entry("POST", started=11.1, finished=11.2, status=201))
    assert journal.early_retries() == []
    journal.assert_retries_honoured()


class FakeClock:
    """What a test that fakes its client's sleep has: a clock the fake sleep moves forward, instantly."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def get_with_retries(
    headers: dict[str, str], sleep: Callable[[float], None], *, wait: float | None = None
) -> int:
    """A client's retry loop, with its sleep injected: it waits Retry-After (or ``wait``) and tries again."""
    for _ in range(3):
        response = requests.get(f"https://graph.microsoft.com{CONNECTORS}", headers=headers, timeout=5)
        if response.status_code != 429:
            return response.status_code
        sleep(float(response.headers["Retry-After"]) if wait is None else wait)
    return response.status_code


def test_a_faked_sleep_that_honours_retry_after_is_judged_by_the_shared_clock(
    mockgraph: GraphMock, mockgraph_faults: Faults
) -> None:
    clock = FakeClock()
    mockgraph.journal.use_clock(clock)
    mockgraph_faults.fail_next(1, status=429, retry_after=10)
    assert get_with_retries(mockgraph.tokens.headers(), clock.sleep) == 200
    assert [e.client_time for e in mockgraph.journal.entries()] == [1_000.0, 1_010.0]
    assert mockgraph.journal.early_retries() == []
    mockgraph.journal.assert_retries_honoured()


def test_a_faked_sleep_that_is_too_short_is_still_caught(
    mockgraph: GraphMock, mockgraph_faults: Faults
) -> None:
    clock = FakeClock()
    mockgraph.journal.use_clock(clock)
    mockgraph_faults.fail_next(1, status=429, retry_after=10)
    assert get_with_retries(mockgraph.tokens.headers(), clock.sleep, wait=1) == 200
    (early,) = mockgraph.journal.early_retries()
    assert early.waited == pytest.approx(1.0)
    with pytest.raises(AssertionError, match=r"retried after 1.000s, but the 429 said Retry-After: 10"):
        mockgraph.journal.assert_retries_honoured()


def test_without_a_shared_clock_real_time_is_what_counts(
    mockgraph: GraphMock, mockgraph_faults: Faults
) -> None:
    # The same honest client, its sleep faked but its clock not shared: in real time it did not wait.
    clock = FakeClock()
    mockgraph_faults.fail_next(1, status=429, retry_after=10)
    assert get_with_retries(mockgraph.tokens.headers(), clock.sleep) == 200
    assert len(mockgraph.journal.early_retries()) == 1


def test_clear_returns_the_journal_to_real_time() -> None:
    journal = Journal()
    clock = FakeClock()
    journal.use_clock(clock)
    journal.record(entry())
    assert journal.entries()[0].client_time == 1_000.0
    journal.clear()  # what every test's reset does: the next test starts in real time
    assert journal.client_clock is None
    journal.record(entry())
    assert journal.entries()[0].client_time is None


def test_a_pair_stamped_on_only_one_clock_is_judged_in_real_time() -> None:
    journal = Journal()
    clock = FakeClock()
    journal.use_clock(clock)
    journal.record(entry(status=429, retry_after=5.0, started=3.0, finished=3.0))
    clock.sleep(10)
    journal.use_clock(None)
    journal.record(entry(started=4.0, finished=4.0))
    (early,) = journal.early_retries()
    assert early.waited == pytest.approx(1.0)


def test_the_journal_is_bounded_and_counts_what_it_dropped() -> None:
    app = create_app({"auth_mode": "off"})
    journal = Journal(max_entries=3)
    state_of(app).journal = journal
    client = app.test_client()
    for index in range(5):
        client.get(f"/beta/identity/apiConnectors?marker={index}")
    assert len(journal) == 3
    assert journal.dropped == 2
    assert [entry.query["marker"] for entry in journal.entries()] == [["2"], ["3"], ["4"]]
    journal.clear()
    assert (len(journal), journal.dropped) == (0, 0)
