"""``python -m benchmarks.profile_paths [create|get|patch|list20|list100|all] [--sort tottime]``: cProfile of the
in-process paths (Flask test client, ``enforce``, validation and the journal on), the top entries printed."""

from __future__ import annotations

import argparse
import cProfile
import pstats
from collections.abc import Callable

from benchmarks.inprocess import emulator_app, test_client_caller
from benchmarks.lifecycle import LARGE, PATCH_BODY, create_body
from mockgraph.testing.testkit import reset

COLLECTION = "/beta/identity/apiConnectors"
PASSES = 15


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_paths", description=__doc__)
    parser.add_argument(
        "path", nargs="?", default="all", choices=("create", "get", "patch", "list20", "list100", "all")
    )
    parser.add_argument("--sort", default="cumulative", help="a pstats sort key (cumulative, tottime, ...)")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args(argv)
    app, headers = emulator_app()
    call = test_client_caller(app, headers)

    def fill(count: int) -> list[str]:
        reset(app)
        return [call("POST", COLLECTION, create_body(index))[1]["id"] for index in range(count)]

    def create() -> None:
        fill(20)

    def get() -> None:
        for object_id in ids:
            call("GET", f"{COLLECTION}/{object_id}", None)

    def patch() -> None:
        for object_id in ids:
            call("PATCH", f"{COLLECTION}/{object_id}", PATCH_BODY)

    def listing() -> None:
        for _ in range(20):
            call("GET", COLLECTION, None)

    steps: dict[str, Callable[[], None]] = {
        "create": create,
        "get": get,
        "patch": patch,
        "list20": listing,
        "list100": listing,
    }
    chosen = list(steps) if args.path == "all" else [args.path]
    profile = cProfile.Profile()
    for name in chosen:
        ids = fill(LARGE if name == "list100" else 20)
        steps[name]()  # warm-up
        profile.enable()
        for _ in range(PASSES):
            steps[name]()
        profile.disable()
    pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
