"""The command line's small promises: refused missing folders, an absolute CA path, one CA flag spelling that
works everywhere, ``--version``, and one-line connection errors naming the URL and the cause."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

import mockgraph
from mockgraph.cli.main import build_parser, main
from tests._serve_process import ServeProcess

ADMIN_COMMANDS = (["health"], ["reset"], ["seed", "f.json"], ["snapshot"], ["journal"], ["faults"])


def test_a_state_in_a_missing_folder_is_refused_and_nothing_is_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "nonexistent" / "dir" / "x.db"
    assert main(["serve", "--state", str(state)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"mockgraph serve: error: state {state}: the folder {state.parent} does not exist; "
        "create it first (--state)\n"
    )
    assert not (tmp_path / "nonexistent").exists()


@pytest.mark.parametrize("spelling", ["--ca", "--ca-file"])
@pytest.mark.parametrize("command", [*ADMIN_COMMANDS, ["token"]], ids=lambda c: c[0])
def test_both_ca_spellings_are_accepted_by_every_command(command: list[str], spelling: str) -> None:
    args: argparse.Namespace = build_parser().parse_args([*command, spelling, "ca.pem"])
    assert str(args.ca) == "ca.pem"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"mockgraph {mockgraph.__version__}\n"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://127.0.0.1:1", "connection refused (is 'mockgraph serve' running there?)"),
        ("127.0.0.1:5000", "not an http:// or https:// URL (e.g. http://127.0.0.1:5000)"),
        ("http://[::1", "not a valid URL (Failed to parse: '[::1' is not a valid host or port)"),
    ],
)
@pytest.mark.parametrize("command", [["health"], ["token"]], ids=lambda c: c[0])
def test_connection_errors_name_the_url_and_the_cause(
    command: list[str], url: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--url", url]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert f"cannot reach {url}" in err
    assert err.rstrip("\n").endswith(says), err
    for class_name in ("ConnectionError", "MissingSchema", "InvalidSchema", "InvalidURL"):
        assert class_name not in err


def test_the_ca_is_printed_absolute_and_both_spellings_trust_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A relative --tls-dir, as a newcomer types it: the banner must still name a file any folder can open.
    with ServeProcess(tmp_path, "--tls", "--tls-dir", "tls", cwd=tmp_path) as served:
        assert served.ca_file is not None
        ca = Path(served.ca_file)
        assert ca.is_absolute(), served.banner
        assert ca == tmp_path / "tls" / "mockgraph-ca.pem"
        assert main(["health", "--url", served.url, "--ca-file", str(ca)]) == 0
        assert main(["token", "--url", served.url, "--ca", str(ca)]) == 0
        assert main(["health", "--url", served.url]) == 1  # not trusted without the CA
    err = capsys.readouterr().err
    assert "cannot verify" in err
    assert "pass --ca" in err
