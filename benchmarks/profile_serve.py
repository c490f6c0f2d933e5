"""``python -m benchmarks.profile_serve [emulator|quiet|bare] [--op get|create]``: where a served request's CPU
goes, per waitress thread: the event loop (accept, read, parse, dispatch) and the workers, split into the app
(``wsgi_app``: the emulator's, or Flask's), the request log and the rest of the server, with the top functions of each.

The server (``mockgraph serve`` with its request log, ``quiet`` without it, or the bare baseline of figure 4)
runs in its own process with each waitress thread under ``cProfile`` timed by ``time.thread_time`` (CPU, not
waits: a thread blocked on the GIL or a socket counts nothing); the load is figure 4's, 4 keep-alive clients.
cProfile inflates pure-Python code more than C code, so compare the shares, not the microseconds, with
``benchmarks.serve``'s figures.
"""

from __future__ import annotations

import argparse
import cProfile
import glob
import itertools
import logging
import os
import pstats
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import Any

from benchmarks.load import SERVE_ARGS, ServerProcess, create_worker, drive, fetch_token, get_worker
from benchmarks.serve import seed
from mockgraph.core.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID

KINDS = ("emulator", "quiet", "bare")


def _profiled(function: Callable[..., Any], prefix: str, role: str, counter: Any) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:
        profile = cProfile.Profile(time.thread_time)
        profile.enable()
        try:
            return function(*args, **kwargs)
        finally:
            profile.disable()
            path = f"{prefix}.{role}.{next(counter)}.prof"
            profile.dump_stats(path + ".part")
            os.replace(path + ".part", path)  # a process ending mid-dump leaves no half file

    return run


def child(prefix: str, kind: str, args: list[str]) -> int:
    """The server process: every waitress thread profiled, its stats written when the thread ends."""
    import signal

    import waitress.server
    import waitress.task

    counter = itertools.count()
    dispatcher = waitress.task.ThreadedTaskDispatcher
    dispatcher.handler_thread = _profiled(dispatcher.handler_thread, prefix, "worker", counter)  # type: ignore[method-assign]
    server = waitress.server.BaseWSGIServer
    server.run = _profiled(server.run, prefix, "loop", counter)  # type: ignore[method-assign]
    if kind == "bare":
        from benchmarks import bare_server

        def interrupt(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, interrupt)  # bare_server stops (and the loop's stats are written) on it
        code = bare_server.main(args)
    else:
        from mockgraph.cli.main import main
        from mockgraph.server.request_log import LOGGER_NAME

        if kind == "quiet":
            logging.getLogger(LOGGER_NAME).setLevel(logging.WARNING)
        code = main(["serve", *args])
    # waitress's threads are daemons that report their end before their stats are written: wait for them.
    for thread in threading.enumerate():
        if thread is not threading.current_thread():
            thread.join(5.0)
    return code


def _where(key: tuple[str, int, str]) -> str:
    path = key[0].split("site-packages/")[-1]
    path = path.split(os.sep + "mockgraph" + os.sep, 1)[-1] if "mockgraph" + os.sep in path else path
    return f"{path}:{key[1]} {key[2]}"


def _cumulative(stats: dict[Any, Any], name: str, file_part: str) -> float:
    return sum(v[3] for k, v in stats.items() if k[2] == name and file_part in k[0])


def report(prefix: str, requests: int, top: int) -> None:
    per = 1e6 / requests
    for role in ("loop", "worker"):
        files = sorted(glob.glob(f"{prefix}.{role}.*.prof"))
        if not files:
            print(f"no {role} profile written")
            continue
        stats: dict[Any, Any] = pstats.Stats(*files).stats  # type: ignore[attr-defined]
        total = sum(v[2] for v in stats.values())
        print(f"\n{role} thread(s): {total * per:.0f} profiled us of CPU per request")
        if role == "worker":
            # The emulator's wsgi_app (its Graph pipeline, which hands other requests to Flask's), else Flask's.
            app = _cumulative(stats, "wsgi_app", os.path.join("web", "pipeline.py")) or _cumulative(
                stats, "wsgi_app", "flask"
            )
            log = _cumulative(stats, "finish", "request_log")
            print(
                f"  in the app (wsgi_app) {app * per:.0f} (of which the request log's line "
                f"{log * per:.0f}); the server around it {(total - app) * per:.0f}"
            )
        ranked = sorted(stats.items(), key=lambda item: -item[1][2])[:top]
        print("  top functions by own time (us per request, calls per request):")
        for key, value in ranked:
            print(f"    {value[2] * per:7.1f}  {value[1] / requests:5.1f}  {_where(key)}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child(argv[1], argv[2], argv[3:])
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_serve", description=__doc__)
    parser.add_argument("kind", nargs="?", default="emulator", choices=KINDS)
    parser.add_argument("--op", default="get", choices=("get", "create"))
    parser.add_argument("--requests", type=int, default=500, help="per client thread (4 threads)")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mockgraph-profile-") as folder:
        prefix = os.path.join(folder, "serve")
        served = ["--port", "0"] if args.kind == "bare" else SERVE_ARGS
        command = [sys.executable, "-m", "benchmarks.profile_serve", "--child", prefix, args.kind, *served]
        with ServerProcess(command) as server:
            headers: dict[str, str] = {}
            if args.kind != "bare":
                token = fetch_token(server, DEFAULT_TENANT_ID, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
                headers = {"Authorization": f"Bearer {token}"}
            ids = seed(server, headers)
            worker = get_worker(headers, ids) if args.op == "get" else create_worker(headers)
            result = drive(server, worker, 4, args.requests, 120.0)
        # Everything the server answered was profiled: the token, the seeding and the load.
        answered = result.requests + len(ids) + (0 if args.kind == "bare" else 1)
        print(
            f"{args.kind} {args.op}: {result.requests} requests at {result.throughput:.0f} req/s under the profiler"
        )
        report(prefix, answered, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
