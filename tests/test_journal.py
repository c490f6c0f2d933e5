"""The request journal: what it records (secrets redacted), its assertions, near misses and the Retry-After check."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockgraph import create_app, make_pkcs12
from mockgraph.testing.testkit import Tokens
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
