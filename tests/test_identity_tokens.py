"""Units for the signing key, token minting and token verification (no Flask)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import jwt
import pytest

from mockgraph.core.config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_GRANTS,
    DEFAULT_TENANT_ID,
    EXTERNAL_ID_USER_FLOW_ADMINISTRATOR,
    READ_ALL,
    READ_WRITE_ALL,
    MockGraphConfig,
)
from mockgraph.core.errors import InvalidAuthenticationToken
from mockgraph.identity import BadToken, Gatekeeper, TokenFactory, mint_token, verification
from mockgraph.identity import keys as keys_module
from mockgraph.identity.keys import generate_key, load_or_create_key, process_signing_key
from mockgraph.identity.permissions import PERSONAL_ACCOUNT_TENANT_ID
from mockgraph.identity.verification import TokenVerifier

NOW = float(int(time.time()))


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def decode(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


# Keys ---------------------------------------------------------------------------------------------


def test_two_gatekeepers_share_the_process_key() -> None:
    first, second = Gatekeeper(MockGraphConfig()), Gatekeeper(MockGraphConfig())
    assert first.key is second.key is process_signing_key()


def test_key_file_round_trip_keeps_tokens_valid_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "signing.pem"
    # Seed the file with a key that is NOT the process key, so the round trip is real.
    path.parent.mkdir()
    path.write_bytes(generate_key().private_pem())
    config = MockGraphConfig(signing_key_path=path)
    before = Gatekeeper(config)
    token = before.tokens.mint()
    assert before.key is not process_signing_key()

    keys_module._key_from_pem.cache_clear()  # a "restart": a new process has read no key file yet
    after = Gatekeeper(config)  # so the key is read from the file again
    assert after.key is not before.key
    assert after.key.kid == before.key.kid
    assert after.authenticate(f"Bearer {token}").app_id == DEFAULT_CLIENT_ID
    # The process key does not verify it: the file's key really is a different key.
    with pytest.raises(InvalidAuthenticationToken):
        Gatekeeper(MockGraphConfig()).authenticate(f"Bearer {token}")


def test_missing_key_file_is_created_private(tmp_path: Path) -> None:
    path = tmp_path / "new.pem"
    key = load_or_create_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_or_create_key(path).kid == key.kid


def test_a_created_key_file_holds_a_new_key_of_its_own(tmp_path: Path) -> None:
    first, second = load_or_create_key(tmp_path / "a.pem"), load_or_create_key(tmp_path / "b.pem")
    assert len({first.kid, second.kid, process_signing_key().kid}) == 3


def test_one_key_file_is_parsed_once_and_reread_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "signing.pem"
    path.write_bytes(generate_key().private_pem())
    first = Gatekeeper(MockGraphConfig(signing_key_path=path))
    assert Gatekeeper(MockGraphConfig(signing_key_path=path)).key is first.key  # no second ~50 ms parse
    replacement = generate_key()
    path.write_bytes(replacement.private_pem())
    assert Gatekeeper(MockGraphConfig(signing_key_path=path)).key.kid == replacement.kid


def test_processes_racing_to_create_one_key_file_end_up_with_one_key(tmp_path: Path) -> None:
    path = tmp_path / "state" / "mockgraph-signing-key.pem"
    barrier = threading.Barrier(2)

    def create() -> str:
        barrier.wait()  # both find no file, both generate (~50 ms): only one may be written
        return load_or_create_key(path).kid

    with ThreadPoolExecutor(2) as pool:
        kids = list(pool.map(lambda _: create(), range(2)))
    keys_module._key_from_pem.cache_clear()
    assert kids[0] == kids[1] == load_or_create_key(path).kid
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind


def test_a_key_file_is_created_where_hard_links_are_not_supported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(source: str, target: Path) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(keys_module.os, "link", no_links)
    path = tmp_path / "fat" / "key.pem"
    created = load_or_create_key(path)
    assert load_or_create_key(path).kid == created.kid
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_key_file_with_a_non_rsa_key_is_refused(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    path = tmp_path / "ec.pem"
    ec_key = ec.generate_private_key(ec.SECP256R1())
    path.write_bytes(
        ec_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    with pytest.raises(ValueError, match="RSA"):
        load_or_create_key(path)


def test_process_key_is_generated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    first = process_signing_key()
    calls: list[int] = []
    real = keys_module.generate_key

    def counting_generate() -> keys_module.SigningKey:
        calls.append(1)
        return real()

    monkeypatch.setattr(keys_module, "generate_key", counting_generate)
    for _ in range(3):
        assert Gatekeeper(MockGraphConfig()).key is first
    assert calls == []  # made once for this process; never again


def test_jwk_matches_the_key() -> None:
    key = process_signing_key()
    public = jwt.PyJWK(key.public_jwk()).key
    assert public.public_numbers() == key.public_key.public_numbers()


# Minting ------------------------------------------------------------------------------------------


def test_app_token_looks_like_graphs() -> None:
    claims = decode(TokenFactory(process_signing_key(), clock=Clock()).mint())
    assert claims["aud"] == "https://graph.microsoft.com"
    assert claims["iss"] == f"https://sts.windows.net/{DEFAULT_TENANT_ID}/"
    assert claims["tid"] == DEFAULT_TENANT_ID
    assert claims["appid"] == claims["azp"] == DEFAULT_CLIENT_ID
    assert claims["idtyp"] == "app"
    assert claims["roles"] == list(DEFAULT_GRANTS)
    assert "scp" not in claims
    assert claims["ver"] == "1.0"
    assert claims["sub"] == claims["oid"]
    assert (claims["iat"], claims["nbf"], claims["exp"]) == (NOW, NOW, NOW + 3600)


def test_user_token_carries_scopes_roles_and_names() -> None:
    factory = TokenFactory(process_signing_key(), clock=Clock())
    claims = decode(
        factory.mint(kind="user", scp=[READ_ALL, READ_WRITE_ALL], username="a@b.example", lifetime=60)
    )
    assert claims["idtyp"] == "user"
    assert claims["scp"] == f"{READ_ALL} {READ_WRITE_ALL}"
    assert claims["wids"] == [EXTERNAL_ID_USER_FLOW_ADMINISTRATOR]
    assert claims["upn"] == claims["unique_name"] == "a@b.example"
    assert claims["name"] == "a"
    assert claims["exp"] - claims["iat"] == 60
    assert "roles" not in claims


def test_extra_claims_override_anything() -> None:
    claims = decode(mint_token(extra_claims={"aud": "00000003-0000-0000-c000-000000000000", "x": 1}))
    assert claims["aud"] == "00000003-0000-0000-c000-000000000000"
    assert claims["x"] == 1


def test_header_names_the_key() -> None:
    header = jwt.get_unverified_header(mint_token())
    assert header["alg"] == "RS256"
    assert header["kid"] == process_signing_key().kid


@pytest.mark.parametrize(
    ("kind", "check"),
    [
        (BadToken.EXPIRED, lambda c, h: c["exp"] < NOW),
        (BadToken.NOT_YET_VALID, lambda c, h: c["nbf"] > NOW),
        (BadToken.WRONG_AUDIENCE, lambda c, h: c["aud"] == "https://management.azure.com"),
        (BadToken.WRONG_ISSUER, lambda c, h: c["iss"] != f"https://sts.windows.net/{c['tid']}/"),
        (BadToken.ANOTHER_TENANT, lambda c, h: c["tid"] != DEFAULT_TENANT_ID),
        (BadToken.ALG_NONE, lambda c, h: h["alg"] == "none"),
        (BadToken.UNKNOWN_KEY, lambda c, h: h["kid"] != process_signing_key().kid),
        (
            BadToken.PERSONAL_ACCOUNT,
            lambda c, h: c["tid"] == PERSONAL_ACCOUNT_TENANT_ID and c["idtyp"] == "user",
        ),
        (BadToken.TAMPERED_SIGNATURE, lambda c, h: h["kid"] == process_signing_key().kid),
    ],
)
def test_bad_tokens_are_bad_in_the_named_way(kind: BadToken, check: Any) -> None:
    token = TokenFactory(process_signing_key(), clock=Clock()).mint_bad(kind)
    assert check(decode(token), jwt.get_unverified_header(token))


def test_tampered_token_differs_only_in_its_signature() -> None:
    factory = TokenFactory(process_signing_key(), clock=Clock())
    good_claims = factory.claims()
    good = factory.sign(good_claims)
    bad = factory.mint_bad(
        BadToken.TAMPERED_SIGNATURE, issued_at=int(NOW), extra_claims={"uti": good_claims["uti"]}
    )
    assert good.rsplit(".", 1)[0] == bad.rsplit(".", 1)[0]
    assert good.rsplit(".", 1)[1] != bad.rsplit(".", 1)[1]


# Verification -------------------------------------------------------------------------------------


def verifier(clock: Clock | None = None) -> TokenVerifier:
    return TokenVerifier((process_signing_key(),), clock=clock or Clock(), clock_skew=300)


MESSAGES = {
    BadToken.EXPIRED: "Lifetime validation failed, the token is expired.",
    BadToken.NOT_YET_VALID: "Access token has expired or is not yet valid.",
    BadToken.WRONG_AUDIENCE: "Access token validation failure.",
    BadToken.WRONG_ISSUER: "Access token validation failure.",
    BadToken.TAMPERED_SIGNATURE: "Access token validation failure.",
    BadToken.ALG_NONE: "Access token validation failure.",
    BadToken.UNKNOWN_KEY: "Access token validation failure.",
}


@pytest.mark.parametrize("kind", list(MESSAGES))
def test_verifier_refuses_each_bad_kind(kind: BadToken) -> None:
    token = TokenFactory(process_signing_key(), clock=Clock()).mint_bad(kind)
    with pytest.raises(InvalidAuthenticationToken) as caught:
        verifier().verify(token)
    assert caught.value.message == MESSAGES[kind]
    assert caught.value.status == 401
    assert caught.value.reason


@pytest.mark.parametrize("aud", ["https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"])
def test_both_graph_audiences_are_accepted(aud: str) -> None:
    token = TokenFactory(process_signing_key(), clock=Clock()).mint(extra_claims={"aud": aud})
    assert verifier().verify(token)["aud"] == aud


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("nodots", verification.NO_DOTS),
        ("a.b", verification.COMPACT_PARSE),
        ("a.b.c", verification.COMPACT_PARSE),
        ("a.b.c.d.e", verification.COMPACT_PARSE),
    ],
)
def test_malformed_tokens_get_graphs_parse_messages(token: str, message: str) -> None:
    with pytest.raises(InvalidAuthenticationToken) as caught:
        verifier().verify(token)
    assert caught.value.message == message


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every token ``jwt.decode`` is given from now on, in order."""
    calls: list[str] = []
    real_decode = jwt.decode

    def counting_decode(token: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(token)
        return real_decode(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting_decode)
    return calls


def test_each_token_is_verified_once(decoded: list[str]) -> None:
    check = verifier()
    first, second = mint_token(), mint_token(kind="user")
    for _ in range(5):
        check.verify(first)
        check.verify(second)
    assert decoded == [first, second]


def test_bad_verdicts_are_cached_too(decoded: list[str]) -> None:
    check = verifier()
    token = mint_token(bad=BadToken.TAMPERED_SIGNATURE)
    for _ in range(3):
        with pytest.raises(InvalidAuthenticationToken):
            check.verify(token)
    assert len(decoded) == 1


def test_lifetime_is_rechecked_on_every_call_despite_the_cache() -> None:
    clock = Clock()
    check = verifier(clock)
    token = TokenFactory(process_signing_key(), clock=clock).mint(lifetime=600)
    check.verify(token)
    clock.now += 600 + 300  # at the edge of the clock skew: still valid
    check.verify(token)
    clock.now += 1
    with pytest.raises(InvalidAuthenticationToken, match="the token is expired"):
        check.verify(token)


def test_not_yet_valid_becomes_valid_when_its_time_comes() -> None:
    clock = Clock()
    check = verifier(clock)
    token = TokenFactory(process_signing_key(), clock=clock).mint_bad(BadToken.NOT_YET_VALID)
    with pytest.raises(InvalidAuthenticationToken, match="not yet valid"):
        check.verify(token)
    clock.now += 3600
    assert check.verify(token)["tid"] == DEFAULT_TENANT_ID


def test_lifetime_is_judged_before_audience() -> None:
    # IdentityModel's order: an expired token for another audience reports the lifetime.
    factory = TokenFactory(process_signing_key(), clock=Clock())
    token = factory.mint(issued_at=int(NOW) - 7200, lifetime=60, extra_claims={"aud": "https://other"})
    with pytest.raises(InvalidAuthenticationToken, match="expired"):
        verifier().verify(token)


def test_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verification, "CACHE_SIZE", 3)
    check = verifier()
    for _ in range(5):
        check.verify(mint_token())
    assert len(check._cache) == 3


# The ``mockgraph token`` sub-command ---------------------------------------------------------------


def run_token_command(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    import argparse

    from mockgraph.cli import token as token_command

    parser = argparse.ArgumentParser()
    token_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["token", *argv])
    assert args.handler(args) == 0
    return capsys.readouterr().out.strip()


def test_token_command_prints_a_token_the_server_with_the_same_key_file_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key_file = tmp_path / "key.pem"
    token = run_token_command(
        [
            "--kind",
            "user",
            "--scope",
            READ_ALL,
            "--wid",
            "62e90394-69f5-4237-9190-012177145e10",
            "--key-file",
            str(key_file),
        ],
        capsys,
    )
    principal = Gatekeeper(MockGraphConfig(signing_key_path=key_file)).authenticate(f"Bearer {token}")
    assert (principal.kind, principal.delegated_scopes) == ("user", frozenset({READ_ALL}))


def test_token_command_mints_bad_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    token = run_token_command(["--bad", "expired"], capsys)
    with pytest.raises(InvalidAuthenticationToken, match="expired"):
        Gatekeeper(MockGraphConfig()).authenticate(f"Bearer {token}")
