"""``mockgraph health|reset|seed|snapshot|journal|faults``: the admin API of a running server, from the command line.

Each prints the server's JSON answer (or nothing for a 204) and exits 0, or prints one line and exits 1
when the server cannot be reached or refuses.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import requests

from mockgraph.cli.reach import unreachable

URL_ENV = "MOCKGRAPH_URL"
CA_ENV = "MOCKGRAPH_CA"
DEFAULT_URL = "http://127.0.0.1:5000"
TIMEOUT_SECONDS = 30
PRIVATE_MODE = 0o600


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help=f"the server's base URL (or {URL_ENV}; default {DEFAULT_URL})")
    # --ca-file too: 'mockgraph token' spelled it so first, and either spelling works with every command.
    parser.add_argument(
        "--ca",
        "--ca-file",
        dest="ca",
        help=f"CA file to trust for https (or {CA_ENV}; printed by 'serve --tls')",
    )


def register(subparsers: Any) -> None:
    health = subparsers.add_parser("health", help="ask a running server whether it is healthy")
    _common(health)
    health.set_defaults(handler=lambda args: _call(args, "GET", "health"))

    reset = subparsers.add_parser("reset", help="forget every Graph object, journal entry and fault rule")
    _common(reset)
    reset.set_defaults(handler=lambda args: _call(args, "POST", "reset"))

    seed = subparsers.add_parser("seed", help="add tenants, apps, users and objects from a JSON file")
    _common(seed)
    seed.add_argument("file", type=Path, help="seed or snapshot JSON file ('-' for standard input)")
    seed.set_defaults(handler=_seed)

    snapshot = subparsers.add_parser("snapshot", help="export the whole state as versioned JSON")
    _common(snapshot)
    snapshot.add_argument("--secrets", action="store_true", help="include stored secrets (default: redacted)")
    snapshot.add_argument("-o", "--output", type=Path, help="write to this file instead of standard output")
    snapshot.set_defaults(handler=_snapshot)

    journal = subparsers.add_parser("journal", help="print (or --clear) the request journal")
    _common(journal)
    journal.add_argument("--clear", action="store_true", help="empty the journal")
    journal.set_defaults(handler=lambda args: _call(args, "DELETE" if args.clear else "GET", "journal"))

    faults = subparsers.add_parser("faults", help="print, --set or --clear the fault rules")
    _common(faults)
    faults.add_argument("--set", dest="spec", help='rules as JSON ({"rules": [...]}) or @FILE')
    faults.add_argument("--clear", action="store_true", help="remove every rule")
    faults.set_defaults(handler=_faults)


def _base(args: argparse.Namespace) -> str:
    return str(args.url or os.environ.get(URL_ENV) or DEFAULT_URL).rstrip("/")


def _verify(args: argparse.Namespace) -> str | bool:
    ca = args.ca or os.environ.get(CA_ENV)
    return str(ca) if ca else True


def _call(
    args: argparse.Namespace, method: str, name: str, body: Any = None, params: dict[str, str] | None = None
) -> int:
    return _show(_request(args, method, name, body, params))


def _request(
    args: argparse.Namespace, method: str, name: str, body: Any = None, params: dict[str, str] | None = None
) -> requests.Response | str:
    url = f"{_base(args)}/_mockgraph/{name}"
    # The server refuses changes not sent as JSON (a cross-site form cannot send it; docs/security.md), so
    # every call says JSON, with or without a body.
    headers = {"Content-Type": "application/json"}
    try:
        return requests.request(
            method,
            url,
            json=body,
            params=params,
            headers=headers,
            verify=_verify(args),
            timeout=TIMEOUT_SECONDS,
        )
    except requests.RequestException as error:
        return unreachable(url, error, timeout=TIMEOUT_SECONDS)


def _show(response: requests.Response | str, output: Path | None = None, about: str = "") -> int:
    """Print the answer (or write it to ``output``); a refusal is one line, prefixed with ``about`` if given."""
    if isinstance(response, str):
        print(f"mockgraph: error: {response}", file=sys.stderr)
        return 1
    if response.status_code >= 400:
        try:
            error = response.json()["error"]
            message = f"{error['code']}: {error['message']}"
        except (ValueError, KeyError, TypeError):
            message = response.text[:200]
        prefix = f"{about}: " if about else ""
        print(f"mockgraph: error: {prefix}{response.status_code} {message}", file=sys.stderr)
        return 1
    if response.status_code == 204 or not response.content:
        return 0
    text = json.dumps(response.json(), indent=2)
    if output is None:
        print(text)
        return 0
    try:
        _write_private(output, text + "\n")
    except OSError as error:
        print(f"mockgraph: error: cannot write {output}: {error.strerror or error}", file=sys.stderr)
        return 1
    return 0


def _write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, readable by its owner only (0600): a snapshot may hold secrets.

    An existing file is emptied, then made private, then written, so the secrets are never readable
    under its old mode."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.chmod(path, PRIVATE_MODE)
        handle.write(text)


def _read_json(source: str) -> Any:
    """JSON given inline, as ``@FILE``, or as ``-`` (standard input)."""
    if source == "-":
        return json.load(sys.stdin)
    if source.startswith("@"):
        return json.loads(Path(source[1:]).read_text("utf-8"))
    return json.loads(source)


def _seed(args: argparse.Namespace) -> int:
    try:
        document = _read_json("-" if str(args.file) == "-" else f"@{args.file}")
    except (OSError, ValueError) as error:
        print(f"mockgraph: error: cannot read {args.file}: {error}", file=sys.stderr)
        return 1
    response = _request(args, "POST", "seed", document)
    code = _show(response, about=f"seed file {args.file}")
    if code == 0 and isinstance(response, requests.Response):
        # On stderr, so standard output stays the server's JSON answer.
        summary = response.json().get("summary")
        if summary:
            print(f"mockgraph seed: added {summary}", file=sys.stderr)
    return code


def _snapshot(args: argparse.Namespace) -> int:
    params = {"secrets": "true"} if args.secrets else None
    return _show(_request(args, "GET", "snapshot", params=params), args.output)


def _faults(args: argparse.Namespace) -> int:
    if args.clear:
        return _call(args, "DELETE", "faults")
    if args.spec is None:
        return _call(args, "GET", "faults")
    try:
        spec = _read_json(args.spec)
    except (OSError, ValueError) as error:
        print(f"mockgraph: error: cannot read the fault rules: {error}", file=sys.stderr)
        return 1
    return _call(args, "PUT", "faults", spec)
