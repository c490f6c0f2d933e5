"""The ``mockgraph`` command: one sub-command per job, each defined in the module that owns the job.

A command module exposes ``register(subparsers)``, which adds its parser and sets ``handler``
(a function taking the parsed namespace and returning an exit code) with ``set_defaults``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from mockgraph import __version__

# Modules that contribute sub-commands, in the order ``--help`` lists them.
COMMAND_MODULES = (
    "mockgraph.cli.serve",
    "mockgraph.cli.token",
    "mockgraph.cli.openapi",
    "mockgraph.cli.verify",
    "mockgraph.cli.simulate",
    "mockgraph.cli.admin",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mockgraph", description="A local emulator of Microsoft Graph's API-connector endpoints."
    )
    parser.add_argument("--version", action="version", version=f"mockgraph {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
