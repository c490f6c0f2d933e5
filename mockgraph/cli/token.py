"""``mockgraph token``: print one access token signed like the emulator's (the sub-command module for cli.py)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from mockgraph.core.config import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID
from mockgraph.identity.tokens import DEFAULT_LIFETIME, BadToken, mint_token

CA_ENV = "MOCKGRAPH_CA"
TIMEOUT_SECONDS = 10
DESCRIPTION = """\
Print an access token.

With --url, the running server at that address mints it with its own key, so it
accepts it: use this for 'mockgraph serve'. Without --url the token is signed with
--key-file, or else with this command's own one-off key, which no running server
knows: a server in enforce mode answers it 401, and its x-mockgraph-reason header
says the token was signed by another key."""
EPILOG = "example:\n  TOKEN=$(mockgraph token --url http://127.0.0.1:5000 --role APIConnectors.Read.All)"


def register(subparsers: Any) -> None:
    """Add the ``token`` sub-command (``cli.py`` calls this for each module in ``COMMAND_MODULES``)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "token",
        help="print an access token for the emulator",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--tenant", default=DEFAULT_TENANT_ID, help="tid claim")
    parser.add_argument("--kind", choices=["app", "user"], default="app", help="idtyp claim")
    parser.add_argument("--app-id", default=DEFAULT_CLIENT_ID, help="appid/azp claims")
    parser.add_argument("--role", action="append", dest="roles", help="roles entry (repeatable)")
    parser.add_argument("--scope", action="append", dest="scopes", help="scp entry (repeatable)")
    parser.add_argument("--wid", action="append", dest="wids", help="wids entry (repeatable)")
    parser.add_argument("--lifetime", type=int, default=DEFAULT_LIFETIME, help="seconds until exp")
    parser.add_argument(
        "--bad", choices=[kind.value for kind in BadToken], help="mint a deliberately bad token"
    )
    parser.add_argument("--key-file", type=Path, help="PEM signing key (created if absent)")
    parser.add_argument("--url", help="base URL of a running mockgraph server that mints the token")
    # --ca too, as the admin commands spell it; both work everywhere.
    parser.add_argument(
        "--ca", "--ca-file", dest="ca", type=Path, help=f"CA file to trust for an https --url (or {CA_ENV})"
    )
    parser.set_defaults(handler=token_command)


def token_command(args: argparse.Namespace) -> int:
    """Print the token the parsed arguments describe; returns the exit code."""
    options: dict[str, Any] = {
        "tenant_id": args.tenant,
        "kind": args.kind,
        "app_id": args.app_id,
        "lifetime": args.lifetime,
    }
    for name, value in (("roles", args.roles), ("scp", args.scopes), ("wids", args.wids)):
        if value is not None:
            options[name] = value
    if args.url:
        return _from_server(args, options)
    token = mint_token(bad=args.bad, signing_key_path=args.key_file, **options)
    if args.key_file is None:
        # On stderr, so TOKEN=$(mockgraph token) still captures only the token.
        sys.stderr.write(
            "mockgraph token: signed with this command's one-off key, which a server in enforce mode refuses "
            "(401); for 'mockgraph serve' use --url (e.g. --url http://127.0.0.1:5000)\n"
        )
    sys.stdout.write(token + "\n")
    return 0


def _from_server(args: argparse.Namespace, options: dict[str, Any]) -> int:
    names = {"tenant_id": "tenantId", "app_id": "appId", "scp": "scp", "roles": "roles", "wids": "wids"}
    spec = {names.get(key, key): value for key, value in options.items()}
    if args.bad:
        spec["bad"] = args.bad
    # Imported here: only this path needs an HTTP client.
    import requests

    from mockgraph.cli.reach import unreachable

    url = args.url.rstrip("/") + "/_mockgraph/token"
    ca = args.ca or os.environ.get(CA_ENV)
    try:
        response = requests.post(url, json=spec, timeout=TIMEOUT_SECONDS, verify=str(ca) if ca else True)
    except requests.RequestException as error:
        sys.stderr.write(f"mockgraph token: {unreachable(url, error, timeout=TIMEOUT_SECONDS)}\n")
        return 1
    if response.status_code != 200:
        sys.stderr.write(f"mockgraph token: {url} answered {response.status_code}\n")
        return 1
    sys.stdout.write(str(response.json()["access_token"]) + "\n")
    return 0
