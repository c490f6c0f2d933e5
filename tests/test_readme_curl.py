"""The README's curl walkthrough runs as written against a live emulator on loopback."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockgraph import create_app
from mockgraph.server.threaded import MockGraphServer
from tests.readme import code_blocks


def curl_block() -> str:
    blocks = code_blocks("## Every operation with curl", "sh")
    assert blocks
    return blocks[0]


@pytest.fixture
def live_base() -> Iterator[str]:
    with MockGraphServer(create_app(), threads=2) as server:
        yield server.url


def test_readme_curl_walkthrough(live_base: str, tmp_path: Path) -> None:
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", curl_block()],
        env={**os.environ, "BASE": live_base, "NO_PROXY": "*"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert '"@odata.count":1' in out
    assert '"password":"******"' in out
    assert "<PASSWORD>" not in out
    assert "pfx-password" not in out
    assert '"@odata.type":"#microsoft.graph.clientCertificateAuthentication"' in out
    assert out.rstrip().endswith("}}}")
    assert '"code":"Request_ResourceNotFound"' in out
    # The admin call is sent as JSON (the guard refuses a bare POST, and ``curl -f`` would fail the script).
    assert 'curl -sf -X POST "$BASE/_mockgraph/reset" -H "$JSON"' in curl_block()


def test_the_readme_admin_call_fails_without_json(live_base: str) -> None:
    """The README's admin line is honest: without its ``-H "$JSON"`` the emulator refuses it."""
    status_only = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST"]
    result = subprocess.run(
        [*status_only, f"{live_base}/_mockgraph/reset"],
        env={**os.environ, "NO_PROXY": "*"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.stdout == "415"
