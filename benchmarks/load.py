"""A bounded load generator: keep-alive ``http.client`` connections in several threads, a fixed request
count and a time cap; and the subprocess servers it drives."""

from __future__ import annotations

import http.client
import json
import os
import re
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from benchmarks.lifecycle import create_body

COLLECTION = "/beta/identity/apiConnectors"
_LISTENING = re.compile(r"listening on (https?)://([^:\s]+):(\d+)")
_TRUST_CA = re.compile(r"Trust CA:\s+(\S+)")


@dataclass
class ServerProcess:
    """A server in its own process (so the load generator does not share its interpreter lock)."""

    command: list[str]
    host: str = ""
    port: int = 0
    scheme: str = "http"
    ca_file: str | None = None
    # Where the server's stderr (its request log) goes: /dev/null, a file, or a pipe another process reads
    # (as under a terminal, docker or `| tee`).
    log_to: str = "null"
    process: subprocess.Popen[str] | None = None
    _sinks: list[Any] = field(default_factory=list)

    def _stderr(self) -> Any:
        if self.log_to == "file":
            sink: Any = tempfile.TemporaryFile()  # noqa: SIM115 - closed in __exit__
            self._sinks.append(sink)
            return sink
        if self.log_to == "pipe":
            reader = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
            self._sinks.append(reader)
            return reader.stdin
        return subprocess.DEVNULL

    def __enter__(self) -> ServerProcess:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.PIPE, stderr=self._stderr(), text=True, env=env
        )
        assert self.process.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            trusted = _TRUST_CA.search(line)
            if trusted:
                self.ca_file = trusted.group(1)
            found = _LISTENING.search(line)
            if found:
                self.scheme, self.host, self.port = found.group(1), found.group(2), int(found.group(3))
            if (found and self.scheme == "http") or line.strip() == "mockgraph ready":
                # Drain the rest of its output in the background so the pipe never fills.
                threading.Thread(target=self.process.stdout.read, daemon=True).start()
                return self
        self.__exit__()
        raise RuntimeError(f"server did not start: {' '.join(self.command)}")

    def __exit__(self, *exc_info: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        for sink in self._sinks:
            if isinstance(sink, subprocess.Popen):
                assert sink.stdin is not None
                sink.stdin.close()
                sink.wait(timeout=10)
            else:
                sink.close()
        self._sinks.clear()

    def connection(self) -> http.client.HTTPConnection:
        if self.scheme == "https":
            context = ssl.create_default_context(cafile=self.ca_file)
            return http.client.HTTPSConnection(self.host, self.port, timeout=30, context=context)
        return http.client.HTTPConnection(self.host, self.port, timeout=30)


SERVE_ARGS = [
    "--port",
    "0",
    "--auth-mode",
    "enforce",
    # A high connector limit lets the create workload run creates alone (Graph's limit is 20 per tenant).
    "--connector-limit",
    "1000000",
]


def mockgraph_server_command(*, request_log: bool = True, tls_dir: str | None = None) -> list[str]:
    """``mockgraph serve`` as shipped, or (``request_log=False``) with its per-request log line off; with
    ``tls_dir``, over https with the local CA kept there."""
    args = [*SERVE_ARGS, "--tls", "--tls-dir", tls_dir] if tls_dir else SERVE_ARGS
    if request_log:
        return [sys.executable, "-m", "mockgraph", "serve", *args]
    return [sys.executable, "-m", "benchmarks.quiet_serve", *args]


def bare_server_command() -> list[str]:
    return [sys.executable, "-m", "benchmarks.bare_server", "--port", "0"]


def fetch_token(server: ServerProcess, tenant_id: str, client_id: str, client_secret: str) -> str:
    """A client-credentials token from the server's own Entra endpoint (as a real client would get one)."""
    from urllib.parse import urlencode

    connection = server.connection()
    form = urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": "https://graph.microsoft.com/.default",
        }
    )
    connection.request(
        "POST",
        f"/{tenant_id}/oauth2/v2.0/token",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    response = connection.getresponse()
    document = json.loads(response.read())
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"token endpoint answered {response.status}")
    return str(document["access_token"])


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies: list[float] = field(default_factory=list)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


Worker = Callable[[http.client.HTTPConnection, int, float, list[float]], int]


def _call(
    connection: http.client.HTTPConnection, method: str, path: str, headers: dict[str, str], body: Any = None
) -> tuple[int, bytes]:
    payload = None if body is None else json.dumps(body)
    sent = {**headers, "Content-Type": "application/json"} if payload is not None else headers
    connection.request(method, path, body=payload, headers=sent)
    response = connection.getresponse()
    return response.status, response.read()


def get_worker(headers: dict[str, str], ids: list[str]) -> Worker:
    """GET one of ``ids`` per request; every answer must be 200."""

    def work(
        connection: http.client.HTTPConnection, count: int, deadline: float, latencies: list[float]
    ) -> int:
        done = 0
        for index in range(count):
            if time.monotonic() > deadline:
                break
            started = time.perf_counter()
            status, _ = _call(connection, "GET", f"{COLLECTION}/{ids[index % len(ids)]}", headers)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"GET answered {status}")
            done += 1
        return done

    return work


def create_worker(headers: dict[str, str]) -> Worker:
    """POST a new connector per request; every answer must be 201."""

    def work(
        connection: http.client.HTTPConnection, count: int, deadline: float, latencies: list[float]
    ) -> int:
        done = 0
        for index in range(count):
            if time.monotonic() > deadline:
                break
            started = time.perf_counter()
            status, body = _call(connection, "POST", COLLECTION, headers, create_body(index))
            latencies.append(time.perf_counter() - started)
            if status != 201:
                raise RuntimeError(f"POST answered {status}: {body[:200]!r}")
            done += 1
        return done

    return work


def drive(
    server: ServerProcess, worker: Worker, threads: int, per_thread: int, cap_seconds: float
) -> LoadResult:
    """Run ``worker`` in ``threads`` threads, each on its own keep-alive connection."""
    connections = [server.connection() for _ in range(threads)]
    latencies: list[list[float]] = [[] for _ in range(threads)]
    counts = [0] * threads
    errors: list[BaseException] = []
    start_line = threading.Barrier(threads + 1)

    def run(slot: int, deadline_holder: list[float]) -> None:
        start_line.wait()
        try:
            counts[slot] = worker(connections[slot], per_thread, deadline_holder[0], latencies[slot])
        except BaseException as error:  # reported after the join
            errors.append(error)

    deadline_holder = [0.0]
    workers = [threading.Thread(target=run, args=(slot, deadline_holder)) for slot in range(threads)]
    for thread in workers:
        thread.start()
    deadline_holder[0] = time.monotonic() + cap_seconds
    started = time.perf_counter()
    start_line.wait()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - started
    for connection in connections:
        connection.close()
    if errors:
        raise RuntimeError(f"load generator failed: {errors[0]!r}")
    return LoadResult(sum(counts), elapsed, [value for chunk in latencies for value in chunk])
