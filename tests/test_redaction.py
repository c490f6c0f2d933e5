"""One redaction for everything kept or shown (mockgraph.core.redaction): the journal, snapshots, the
verifier's transcript, reasons and messages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mockgraph.admin import snapshot
from mockgraph.core import redaction
from mockgraph.core.config import DEFAULT_CLIENT_SECRET
from mockgraph.core.redaction import (
    REDACTED,
    SECRET_NAMES,
    redact,
    redact_fields,
    redact_query,
    redact_text,
    redact_tokens,
)
from mockgraph.identity import mint_token
from mockgraph.verify import probe
from mockgraph.web import journal

TOKEN = mint_token()
BLOB = "MIIKPAIBAzCCCfYGCSqGSIb3DQEHAaCCCecEggnjMIIJ3zCCBgAGCSqGSIb3DQEHAaCCBfEEggXtMIIF6TCCBeUGCyqGSIb3DQEM"


def test_the_journal_snapshots_and_the_verifier_share_one_redaction() -> None:
    assert journal.redact is redaction.redact
    assert snapshot.redact is redaction.redact
    assert probe.redact is redaction.redact
    assert not hasattr(probe, "SECRET_KEYS")
    assert not hasattr(journal, "SECRET_KEYS")


@pytest.mark.parametrize(
    "name",
    ["password", "client_secret", "clientSecret", "Client-Secret", "access_token", "refresh_token",
     "id_token", "client_assertion", "code", "pkcs12Value", "Authorization", "token", "api_key"],
)  # fmt: skip
def test_every_spelling_of_a_secret_name_is_redacted_everywhere(name: str) -> None:
    assert redact({"nested": [{name: "v"}]}) == {"nested": [{name: REDACTED}]}
    assert redact_query({name: ["a", "b"]}) == {name: [REDACTED, REDACTED]}
    assert redact_fields({name: "v"}) == {name: REDACTED}


def test_graphs_error_code_and_password_mask_are_not_secrets() -> None:
    envelope = {"error": {"code": "Request_ResourceNotFound", "message": "m"}, "code": "oauth-code"}
    assert redact(envelope) == {
        "error": {"code": "Request_ResourceNotFound", "message": "m"},
        "code": REDACTED,
    }
    assert redact({"password": "******"}) == {"password": "******"}


def test_redact_makes_any_document_json_ready() -> None:
    deep: Any = "leaf"
    for _ in range(10_000):
        deep = {"a": deep}
    document = {
        "nan": float("nan"),
        "inf": float("inf"),
        "deep": deep,
        "set": {1},
        3: "int key",
        "s\ud800": "x",
    }
    text = json.dumps(redact(document), allow_nan=False, ensure_ascii=False)
    text.encode("utf-8")
    assert redaction.TOO_DEEP in text


@pytest.mark.parametrize(
    "text",
    [
        "Authorization scheme '{token}' is not Bearer",
        "header was Bearer {signature}",
        "a blob {blob} in a sentence",
        "unreadable JWT header: {header}.",
    ],
)
def test_redact_text_removes_anything_token_like(text: str) -> None:
    # Templates, so that test ids are the same in every xdist worker (each mints its own token).
    filled = text.format(token=TOKEN, signature=TOKEN.split(".")[2], blob=BLOB, header=TOKEN[:40])
    cleaned = redact_text(filled)
    assert REDACTED in cleaned
    for part in [*TOKEN.split("."), BLOB]:
        assert part[5:45] not in cleaned


@pytest.mark.parametrize(
    "text",
    [
        "Bearer token is empty",
        "Authorization scheme 'Basic' is not Bearer",
        "iss 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0' is not expected",
        "unknown @odata.type '#microsoft.graph.pkcs12Certificate' on authenticationConfiguration",
        "no such object 5ec7e700-0000-4000-8000-00000000a001 in the caller's tenant",
        "identityApiConnectorCreate: additionalProperties at authenticationConfiguration",
        f"the published secret {DEFAULT_CLIENT_SECRET}",
    ],
)
def test_redact_text_leaves_the_emulators_own_words_ids_and_types(text: str) -> None:
    assert redact_text(text) == text


def test_redact_tokens_leaves_long_ids_alone() -> None:
    flow = "B2C_1_SignUpSignIn0123456789abcdefABCDEF0123"
    assert redact_tokens(f"Resource '{flow}' does not exist") == f"Resource '{flow}' does not exist"
    assert TOKEN not in redact_tokens(f"Resource '{TOKEN}' does not exist")


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("digit", [False, True])
def test_a_long_run_is_redacted_only_when_it_mixes_upper_lower_and_digits(
    upper: bool, lower: bool, digit: bool
) -> None:
    run = "".join(
        ("Q" if upper else "+") + ("q" if lower else "_") + ("7" if digit else "-") for _ in range(12)
    )
    expected = REDACTED if upper and lower and digit else run
    assert redact_text(f"/beta/x/{run}/y") == f"/beta/x/{expected}/y"


def test_the_secret_names_cover_both_former_lists() -> None:
    journal_list = {"password", "pkcs12value", "clientsecret", "secret", "authorization", "accesstoken"}
    journal_list |= {"refreshtoken", "idtoken", "token", "clientassertion", "assertion", "code"}
    verifier_list = {"password", "pkcs12value", "clientsecret", "accesstoken", "token"}
    assert journal_list | verifier_list <= SECRET_NAMES


def test_the_verifier_transcript_keeps_error_codes_and_drops_secrets() -> None:
    target = probe.Target("http://127.0.0.1:1", token=TOKEN)
    session: Any = None
    checker = probe.Probe(target, "s", session=session, contracts=None)  # type: ignore[arg-type]
    body = json.dumps({"error": {"code": "BadRequest"}, "client_secret": "abc", "note": f"Bearer {TOKEN}"})
    text = checker.redact_text(body)
    assert '"code": "BadRequest"' in text
    assert "abc" not in text
    assert TOKEN not in text


def test_redact_judges_each_member_by_its_own_name_and_its_parents() -> None:
    class Name(str):
        pass

    document = {
        # A list keeps its parent: "error" > list > "code" is an error code, "details" > list > "code" is not.
        "error": [{"code": "E1", "details": [{"code": "E2"}], "inner": {"code": "c"}}],
        "Client_Secret": {"nested": 1},  # a secret of any shape is one <redacted>
        "pass-word": "******",
        Name("token"): "t",
        7: True,
        "text": "caf\u00e9 \ud800",
        "values": [None, 1, 2.5, float("-inf"), ("a", {"pwd": "p"})],
    }
    assert redact(document) == {
        "error": [{"code": "E1", "details": [{"code": REDACTED}], "inner": {"code": REDACTED}}],
        "Client_Secret": REDACTED,
        "pass-word": "******",
        "token": REDACTED,
        "7": True,
        "text": "caf\u00e9 \ufffd",
        "values": [None, 1, 2.5, "-inf", ["a", {"pwd": REDACTED}]],
    }
    assert redact({"a": {"b": [1]}}, max_depth=2) == {"a": {"b": redaction.TOO_DEEP}}


@pytest.mark.parametrize("word", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_redact_tokens_finds_bearer_credentials_in_any_letter_case(word: str) -> None:
    credential = "A1b2C3d4E5f6G7h8I9j0"
    assert redact_tokens(f"/path/{word} {credential}") == f"/path/{word} {REDACTED}"
    assert redact_tokens(f"/path/{word}-{credential}") == f"/path/{word}-{credential}"
