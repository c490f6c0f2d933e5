"""``python -m benchmarks.count_interception [--calls N]``: the interception figure as instruction counts.

On a loaded machine the timed figure swings by 2x from run to run; the number of instructions the CPU runs
for a request does not. This runs each side of figure 2 (the emulator, and the bare app under the same
interception) through ``requests`` and ``httpx`` under valgrind's callgrind, counting only inside the timed
loop (callgrind's ``--toggle-collect`` on the ``functools.reduce`` that drives it), and prints millions of
instructions per request and the emulator / bare ratio per operation. It needs valgrind; each child takes a
minute or two (valgrind runs Python some 50x slower), two at a time.
"""

from __future__ import annotations

import argparse
import functools
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

OPERATIONS = ("create", "get", "patch", "list of 20")
MEASURED = ("get", "patch", "list of 20", "create")  # create last, so the list holds 20
COLLECTION = "/beta/identity/apiConnectors"
SIDES = ("emulator", "bare")
LIBRARIES = ("requests", "httpx")


def child(library: str, side: str, calls: int) -> None:
    """Under callgrind: make 20 connectors, warm each operation up, then run each ``calls`` times."""
    from benchmarks.bare import create_bare_app
    from benchmarks.inprocess import emulator_app
    from benchmarks.interception import BareMock, httpx_caller, requests_caller
    from benchmarks.lifecycle import PATCH_BODY, create_body
    from mockgraph.testing.interceptor import GraphMock

    app, headers = emulator_app()
    call = (requests_caller if library == "requests" else httpx_caller)(headers)
    mock = GraphMock(app) if side == "emulator" else BareMock(create_bare_app(), app)
    with mock:
        ids = [call("POST", COLLECTION, create_body(index))[1]["id"] for index in range(20)]
        steps = {
            "create": lambda index: call("POST", COLLECTION, create_body(index)),
            "get": lambda index: call("GET", f"{COLLECTION}/{ids[index % 20]}", None),
            "patch": lambda index: call("PATCH", f"{COLLECTION}/{ids[index % 20]}", PATCH_BODY),
            "list of 20": lambda index: call("GET", COLLECTION, None),
        }
        for operation in MEASURED[:-1]:  # warm-up (the 20 creates above warmed create)
            for index in range(5):
                steps[operation](index)
        for operation in MEASURED:
            # callgrind collects only inside functools.reduce and writes one dump after each call of it
            functools.reduce(lambda _, index, step=steps[operation]: step(index), range(calls), None)


def count(library: str, side: str, calls: int, directory: Path) -> list[float]:
    """Millions of instructions per request for each operation, from one callgrind child."""
    output = directory / f"{library}-{side}.out"
    subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--collect-atstart=no",
            "--toggle-collect=functools_reduce",
            "--dump-after=functools_reduce",
            f"--callgrind-out-file={output}",
            sys.executable,
            "-m",
            "benchmarks.count_interception",
            "--child",
            library,
            side,
            "--calls",
            str(calls),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    totals = {}
    for index, operation in enumerate(MEASURED, start=1):
        lines = Path(f"{output}.{index}").read_text().splitlines()
        total = next(line for line in lines if line.startswith("totals:"))
        totals[operation] = int(total.split()[1]) / calls / 1e6
    return [totals[operation] for operation in OPERATIONS]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.count_interception", description=__doc__)
    parser.add_argument("--calls", type=int, default=20, help="requests per operation (the count is exact)")
    parser.add_argument("--child", nargs=2, metavar=("LIBRARY", "SIDE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1], args.calls)
        return 0
    runs = [(library, side) for library in LIBRARIES for side in SIDES]
    with tempfile.TemporaryDirectory() as directory, ThreadPoolExecutor(2) as pool:
        counted = dict(
            zip(runs, pool.map(lambda run: count(*run, args.calls, Path(directory)), runs), strict=True)
        )
    print(f"{'M instructions / request':32}" + "".join(f"{operation:>12}" for operation in OPERATIONS))
    for library in LIBRARIES:
        emulator, bare = counted[(library, "emulator")], counted[(library, "bare")]
        print(f"{library + ': emulator':32}" + "".join(f"{value:12.2f}" for value in emulator))
        print(f"{library + ': bare app':32}" + "".join(f"{value:12.2f}" for value in bare))
        print(
            f"{library + ': ratio':32}"
            + "".join(f"{e / b:11.3f}x" for e, b in zip(emulator, bare, strict=True))
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
