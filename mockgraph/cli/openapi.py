"""``mockgraph openapi``: print the OpenAPI 3.1 document the emulator serves at ``/_mockgraph/openapi.json``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from mockgraph.admin.openapi import build_openapi


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "openapi", help="print the OpenAPI 3.1 description of the emulated endpoints"
    )
    parser.add_argument("--output", "-o", type=Path, help="write to this file instead of standard output")
    parser.set_defaults(handler=print_openapi)


def print_openapi(args: argparse.Namespace) -> int:
    text = json.dumps(build_openapi(), indent=2) + "\n"
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
