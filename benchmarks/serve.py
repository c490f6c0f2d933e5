"""Figure 4: ``mockgraph serve`` (waitress, enforce) on loopback vs the bare app on the same WSGI server, and
``mockgraph serve --tls`` vs the same over http, and ``mockgraph serve`` GET beside ``moto_server`` serving an S3
GET of a small object (the peer; skipped with a line saying so when moto is missing).

Each server runs in its own process; the load generator (``benchmarks.load``) runs several threads with
keep-alive connections, a fixed request count and a time cap, alternating between the two servers.
"""

from __future__ import annotations

import http.client
import json
import sys
import tempfile
import time

from benchmarks.harness import Figure, Settings, median_of, missing_peer, skipped_figure
from benchmarks.lifecycle import create_body
from benchmarks.load import (
    COLLECTION,
    LoadResult,
    ServerProcess,
    Worker,
    _call,
    bare_server_command,
    create_worker,
    drive,
    fetch_token,
    get_worker,
    mockgraph_server_command,
)
from mockgraph.core.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID

NAME = "serve"
TITLE = "4. mockgraph serve on loopback (waitress, 8 threads, request log on, to a file; load: 4 keep-alive client threads)"
TARGET_THROUGHPUT_RATIO = 0.8  # issue 16: GET and POST, log on and off
THREADS = 4
CAP_SECONDS = 20.0


def seed(server: ServerProcess, headers: dict[str, str]) -> list[str]:
    connection = server.connection()
    ids = []
    for index in range(20):
        status, body = _call(connection, "POST", COLLECTION, headers, create_body(index))
        if status != 201:
            raise RuntimeError(f"seeding answered {status}")
        ids.append(json.loads(body)["id"])
    connection.close()
    return ids


def compare(
    runs: int, per_thread: int, emulator: tuple[ServerProcess, Worker], bare: tuple[ServerProcess, Worker]
) -> tuple[list[LoadResult], list[LoadResult]]:
    drive(*emulator, THREADS, max(per_thread // 10, 5), CAP_SECONDS)  # warm-up
    drive(*bare, THREADS, max(per_thread // 10, 5), CAP_SECONDS)
    emulator_results: list[LoadResult] = []
    bare_results: list[LoadResult] = []
    for index in range(runs):
        order = [(emulator, emulator_results), (bare, bare_results)]
        for (server, worker), results in order if index % 2 == 0 else reversed(order):
            results.append(drive(server, worker, THREADS, per_thread, CAP_SECONDS))
    return emulator_results, bare_results


def figures_for(
    operation: str, emulator: list[LoadResult], bare: list[LoadResult], baseline: str = "bare app on waitress"
) -> list[Figure]:
    def med(results: list[LoadResult], pick: str) -> float:
        if pick == "rate":
            return median_of([r.throughput for r in results])
        return median_of([r.percentile(0.5 if pick == "p50" else 0.99) for r in results])

    requests = sum(r.requests for r in emulator)
    return [
        Figure(
            TITLE,
            f"{operation}: throughput",
            "req/s",
            med(emulator, "rate"),
            baseline,
            med(bare, "rate"),
            better="higher",
            target=TARGET_THROUGHPUT_RATIO if baseline.startswith("bare") else None,
            note=f"{len(emulator)} runs, {requests} emulator requests",
        ),
        Figure(TITLE, f"{operation}: p50 latency", "s", med(emulator, "p50"), baseline, med(bare, "p50")),
        Figure(TITLE, f"{operation}: p99 latency", "s", med(emulator, "p99"), baseline, med(bare, "p99")),
    ]


def run(settings: Settings) -> list[Figure]:
    runs = settings.repeats(5)
    per_thread = settings.size(400, 100)
    figures: list[Figure] = []
    # The request log to a file (`serve 2> serve.log`), to a pipe another process reads (a terminal, docker,
    # `| tee`: a write there may wait on the reader), and off.
    for log_to, suffix in (("file", ""), ("pipe", " (request log to a pipe)"), (None, " (request log off)")):
        with (
            ServerProcess(
                mockgraph_server_command(request_log=log_to is not None), log_to=log_to or "null"
            ) as emulator,
            ServerProcess(bare_server_command()) as bare,
        ):
            token = fetch_token(emulator, DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
            headers = {"Authorization": f"Bearer {token}"}
            # The bare server is sent the same requests, token included (it ignores it): parsing a 1.5 KB
            # header is the server's work for any client, not the emulator's.
            emulator_ids, bare_ids = seed(emulator, headers), seed(bare, headers)
            gets = compare(
                runs,
                per_thread,
                (emulator, get_worker(headers, emulator_ids)),
                (bare, get_worker(headers, bare_ids)),
            )
            creates = compare(
                runs, per_thread, (emulator, create_worker(headers)), (bare, create_worker(headers))
            )
        figures += [*figures_for(f"get{suffix}", *gets), *figures_for(f"create{suffix}", *creates)]
    return figures + https_figures(runs, per_thread) + moto_server_figures(runs, per_thread)


def s3_get_worker(path: str) -> Worker:
    """GET one small S3 object from ``moto_server`` per request; every answer must be 200."""

    def work(
        connection: http.client.HTTPConnection, count: int, deadline: float, latencies: list[float]
    ) -> int:
        done = 0
        for _ in range(count):
            if time.monotonic() > deadline:
                break
            started = time.perf_counter()
            status, _ = _call(connection, "GET", path, {})
            latencies.append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"S3 GET answered {status}")
            done += 1
        return done

    return work


def seed_s3(server: ServerProcess) -> str:
    """A bucket and one small object (a connector's size) on ``moto_server``, unsigned path-style calls."""
    connection = server.connection()
    for path, body in (("/bench", b""), ("/bench/connector.json", json.dumps(create_body(0)).encode())):
        # Unsigned calls are anonymous to moto: a public-read ACL lets the anonymous GET through.
        connection.request("PUT", path, body=body, headers={"x-amz-acl": "public-read"})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"moto_server answered {response.status} to PUT {path}")
    connection.close()
    return "/bench/connector.json"


def moto_server_figures(runs: int, per_thread: int) -> list[Figure]:
    """``mockgraph serve`` GET beside the peer a user might otherwise pick: ``moto_server`` serving an S3 GET."""
    label = "get vs a peer"
    baseline = "moto_server S3 GET (werkzeug threaded)"
    skip = missing_peer("moto")
    if skip:
        return [skipped_figure(TITLE, f"{label}: throughput", baseline, skip)]
    with (
        ServerProcess(mockgraph_server_command()) as emulator,
        ServerProcess([sys.executable, "-m", "benchmarks.moto_peer", "--port", "0"]) as moto,
    ):
        token = fetch_token(emulator, DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        headers = {"Authorization": f"Bearer {token}"}
        ids = seed(emulator, headers)
        gets = compare(
            runs, per_thread, (emulator, get_worker(headers, ids)), (moto, s3_get_worker(seed_s3(moto)))
        )
    return figures_for(label, *gets, baseline)


def https_figures(runs: int, per_thread: int) -> list[Figure]:
    """``serve --tls`` (the TLS front handing connections to waitress) against the same server over http."""
    with (
        tempfile.TemporaryDirectory(prefix="mockgraph-bench-tls-") as tls_dir,
        ServerProcess(mockgraph_server_command(tls_dir=tls_dir)) as https,
        ServerProcess(mockgraph_server_command()) as http,
    ):
        servers = (https, http)
        tokens = [
            fetch_token(s, DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET) for s in servers
        ]
        headers = [{"Authorization": f"Bearer {token}"} for token in tokens]
        ids = [seed(server, header) for server, header in zip(servers, headers, strict=True)]
        gets = compare(
            runs, per_thread, (https, get_worker(headers[0], ids[0])), (http, get_worker(headers[1], ids[1]))
        )
        creates = compare(
            runs, per_thread, (https, create_worker(headers[0])), (http, create_worker(headers[1]))
        )
    baseline = "the same over http"
    return [*figures_for("https get", *gets, baseline), *figures_for("https create", *creates, baseline)]
