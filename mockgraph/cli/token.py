"""``mockgraph token``: print one access token signed like the emulator's (the sub-command module for cli.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from mockgraph.core.config import DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID
from mockgraph.identity.tokens import DEFAULT_LIFETIME, BadToken, mint_token


def register(subparsers: Any) -> None:
    """Add the ``token`` sub-command (``cli.py`` calls this for each module in ``COMMAND_MODULES``)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "token",
        help="print an access token for the emulator",
        description="Print an access token. With --url, the running server at that address mints it "
        "with its own key (so it accepts it); otherwise it is signed with --key-file, or with this "
        "process's key, which only an emulator in this process accepts.",
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
    parser.add_argument("--ca-file", type=Path, help="CA file to trust for an https --url")
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
    sys.stdout.write(token + "\n")
    return 0


def _from_server(args: argparse.Namespace, options: dict[str, Any]) -> int:
    names = {"tenant_id": "tenantId", "app_id": "appId", "scp": "scp", "roles": "roles", "wids": "wids"}
    spec = {names.get(key, key): value for key, value in options.items()}
    if args.bad:
        spec["bad"] = args.bad
    # Imported here: only this path needs an HTTP client.
    import requests

    url = args.url.rstrip("/") + "/_mockgraph/token"
    try:
        response = requests.post(
            url, json=spec, timeout=10, verify=str(args.ca_file) if args.ca_file else True
        )
    except requests.RequestException as error:
        sys.stderr.write(f"mockgraph token: cannot reach {url}: {type(error).__name__}\n")
        return 1
    if response.status_code != 200:
        sys.stderr.write(f"mockgraph token: {url} answered {response.status_code}\n")
        return 1
    sys.stdout.write(str(response.json()["access_token"]) + "\n")
    return 0
