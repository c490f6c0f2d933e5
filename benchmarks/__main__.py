"""``python -m benchmarks [--quick] [--only NAME ...]``: run the figures, print them, write RESULTS.md."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

from benchmarks.harness import Figure, Settings
from benchmarks.report import load_average, machine_description, print_figures, write_results

MODULES = {
    "inprocess": "benchmarks.inprocess",
    "interception": "benchmarks.interception",
    "fixture": "benchmarks.fixture",
    "serve": "benchmarks.serve",
    "scale": "benchmarks.scale",
    "strategies": "benchmarks.strategy_speed",
}
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller sizes (a smoke run)")
    parser.add_argument(
        "--only", action="append", choices=sorted(MODULES), metavar="NAME", help="run only NAME (repeatable)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="where to write the results (Markdown)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args(argv)
    settings = Settings(quick=args.quick)
    names = args.only or list(MODULES)
    load_before = load_average()
    print(machine_description(), flush=True)
    figures: list[Figure] = []
    timings: dict[str, float] = {}
    for name in names:
        module = importlib.import_module(MODULES[name])
        started = time.perf_counter()
        produced: list[Figure] = module.run(settings)
        timings[name] = time.perf_counter() - started
        print_figures(produced)
        print(f"  ({name}: {timings[name]:.1f} s)", flush=True)
        figures.extend(produced)
    if not args.no_write:
        command = " ".join(["python -m benchmarks", *(argv if argv is not None else sys.argv[1:])])
        write_results(args.output, figures, timings, settings, command.strip(), load_before)
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
