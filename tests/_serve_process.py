"""Run ``mockgraph serve`` as a real subprocess on an ephemeral loopback port, and talk to it."""

from __future__ import annotations

import contextlib
import io
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from unittest import mock

import requests

from mockgraph.core.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID
from tests.support import basic_auth, client_credentials_form, connector_body

START_SECONDS = 30.0
# The server tests look for this password in logs and snapshots, so every connector they send carries it.
BASIC_PASSWORD = "basic-pw-7f3a9c1e"


def server_connector(name: str = "Server API") -> dict[str, Any]:
    """The connector body the server tests send (basic authentication with ``BASIC_PASSWORD``)."""
    return connector_body(name, "https://api.example.com/validate", basic_auth("caller", BASIC_PASSWORD))


class ServeProcess:
    """``python -m mockgraph serve --port 0 ARGS``; ``url`` and ``ca_file`` are read from its banner."""

    def __init__(
        self, tmp_path: Path, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
    ) -> None:
        self.args = ["--port", "0", *args]
        self.cwd = cwd
        self.log_file = tmp_path / f"serve-{time.monotonic_ns()}.log"
        self.env = {**os.environ, "NO_PROXY": "*", **(env or {})}
        self.process: subprocess.Popen[str] | None = None
        self.banner: list[str] = []
        self.url = ""
        self.ca_file: str | None = None

    def start(self) -> ServeProcess:
        with self.log_file.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "mockgraph", "serve", *self.args],
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env=self.env,
                cwd=self.cwd,
            )
        lines: queue.Queue[str | None] = queue.Queue()
        stdout = self.process.stdout
        assert stdout is not None

        def pump() -> None:
            for line in stdout:
                lines.put(line.rstrip("\n"))
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + START_SECONDS
        while True:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                raise RuntimeError(f"mockgraph serve exited before it was ready: {self.logs()}")
            self.banner.append(line)
            if line == "mockgraph ready":
                break
        text = "\n".join(self.banner)
        match = re.search(r"listening on (\S+)", text)
        assert match is not None, text
        self.url = match.group(1)
        ca = re.search(r"Trust CA:\s+(\S+)", text)
        self.ca_file = ca.group(1) if ca else None
        return self

    @property
    def verify(self) -> str | bool:
        return self.ca_file if self.ca_file else True

    def logs(self) -> str:
        return self.log_file.read_text("utf-8") if self.log_file.exists() else ""

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signum)
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def session(self) -> requests.Session:
        session = requests.Session()
        session.verify = self.verify
        session.trust_env = False
        return session

    def token(
        self,
        tenant: str = DEFAULT_TENANT_ID,
        client_id: str = DEFAULT_CLIENT_ID,
        secret: str = DEFAULT_CLIENT_SECRET,
    ) -> str:
        response = self.session().post(
            f"{self.url}/{tenant}/oauth2/v2.0/token",
            data=client_credentials_form(client_id, secret),
            timeout=10,
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def admin(self, method: str, name: str, **kwargs: Any) -> requests.Response:
        """An admin call as the CLI makes it: changes are sent as JSON even without a body."""
        if method not in ("GET", "HEAD") and "json" not in kwargs:
            kwargs["headers"] = {"Content-Type": "application/json", **kwargs.get("headers", {})}
        return self.session().request(method, f"{self.url}/_mockgraph/{name}", timeout=10, **kwargs)

    def __enter__(self) -> ServeProcess:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        if self.process is not None and self.process.poll() is None:
            # A clean stop first, so a supervisor stops its workers too; SIGKILL only if it hangs.
            try:
                self.stop(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def run_serve(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``mockgraph serve`` expecting it to refuse to start (bad configuration)."""
    return subprocess.run(
        [sys.executable, "-m", "mockgraph", "serve", *args],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
        env={**os.environ, **(env or {})},
    )


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockgraph", *args],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "NO_PROXY": "*"},
    )


def run_cli_in_process(*args: str) -> subprocess.CompletedProcess[str]:
    """``run_cli`` without a new interpreter: ``mockgraph.cli.main.main`` with its output captured and
    ``NO_PROXY`` as ``run_cli`` sets it. For a test's later commands once ``run_cli`` has shown the command
    as a process: each new interpreter spends over a second importing before its one request."""
    from mockgraph.cli.main import main

    stdout, stderr = io.StringIO(), io.StringIO()
    with (
        mock.patch.dict(os.environ, {"NO_PROXY": "*"}),
        contextlib.redirect_stdout(stdout),
        contextlib.redirect_stderr(stderr),
    ):
        code = main(list(args))
    return subprocess.CompletedProcess(["mockgraph", *args], code, stdout.getvalue(), stderr.getvalue())
