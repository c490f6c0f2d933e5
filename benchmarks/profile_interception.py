"""``python -m benchmarks.profile_interception [requests|httpx] [create|get|patch|list20] [--bare] [--sort tottime]``:
cProfile of one operation through ``GraphMock`` (the interception figure's set-up: ``enforce``, a real token),
or with ``--bare`` through the figure's baseline (the bare app under the same interception), the top entries
printed."""

from __future__ import annotations

import argparse
import cProfile
import pstats
from collections.abc import Callable

from benchmarks.bare import create_bare_app, reset_bare
from benchmarks.inprocess import emulator_app
from benchmarks.interception import BareMock, httpx_caller, requests_caller
from benchmarks.lifecycle import PATCH_BODY, create_body
from mockgraph.testing.interceptor import GraphMock
from mockgraph.testing.testkit import reset

COLLECTION = "/beta/identity/apiConnectors"
CALLS = 300
BATCH = (
    60  # creates between untimed resets, under the emulator's connector limit (benchmarks.lifecycle.LARGE)
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_interception", description=__doc__)
    parser.add_argument("library", nargs="?", default="requests", choices=("requests", "httpx"))
    parser.add_argument("operation", nargs="?", default="get", choices=("create", "get", "patch", "list20"))
    parser.add_argument(
        "--bare", action="store_true", help="profile the baseline: the bare app, same interception"
    )
    parser.add_argument("--sort", default="cumulative", help="a pstats sort key (cumulative, tottime, ...)")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)
    app, headers = emulator_app()
    bare = create_bare_app()
    call = (requests_caller if args.library == "requests" else httpx_caller)(headers)
    mock = BareMock(bare, app) if args.bare else GraphMock(app)

    def empty() -> None:
        reset_bare(bare) if args.bare else reset(app)

    with mock:
        ids = [call("POST", COLLECTION, create_body(index))[1]["id"] for index in range(20)]
        steps: dict[str, Callable[[int], object]] = {
            "create": lambda index: call("POST", COLLECTION, create_body(index)),
            "get": lambda index: call("GET", f"{COLLECTION}/{ids[index % 20]}", None),
            "patch": lambda index: call("PATCH", f"{COLLECTION}/{ids[index % 20]}", PATCH_BODY),
            "list20": lambda index: call("GET", COLLECTION, None),
        }
        step = steps[args.operation]
        for index in range(20):  # warm-up
            step(index)
        profile = cProfile.Profile()
        for index in range(CALLS):
            if args.operation == "create" and index % BATCH == 0:
                empty()
            profile.enable()
            step(index)
            profile.disable()
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
