"""``mockgraph verify``: run the contract scenarios against a base URL; exit 0 when nothing diverges."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from mockgraph.verify.base_url import BaseUrlError, verification_root
from mockgraph.verify.probe import Target, fetch_token, run_scenarios
from mockgraph.verify.report import summary, write_junit_xml
from mockgraph.verify.scenarios import SCENARIOS

TOKEN_ENV = "MOCKGRAPH_VERIFY_TOKEN"
SECRET_ENV = "MOCKGRAPH_VERIFY_CLIENT_SECRET"
LOW_TOKEN_ENV = "MOCKGRAPH_VERIFY_LOW_PRIVILEGE_TOKEN"


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "verify",
        help="check that an endpoint (the emulator, or a real tenant's Graph) honours the contracts",
        description=(
            "Runs the contract scenarios (lifecycle, documented examples, refusals) against BASE_URL, "
            "deletes what it creates, and reports each divergence. Exit status 0: no divergence; 1: divergences; "
            "2: could not start. Secrets may come from the environment "
            f"({TOKEN_ENV}, {SECRET_ENV}, {LOW_TOKEN_ENV}) to keep them off the command line."
        ),
    )
    parser.add_argument(
        "--base-url",
        required=True,
        help="Graph's root, e.g. http://127.0.0.1:5000 or https://graph.microsoft.com (a trailing /beta or /v1.0 "
        "is taken as the version)",
    )
    parser.add_argument(
        "--api-version",
        choices=["beta", "v1.0"],
        default=None,
        help="the version to verify (default: the one --base-url ends in, else beta)",
    )
    parser.add_argument("--token", help=f"a bearer token for Graph (or set {TOKEN_ENV})")
    parser.add_argument("--tenant", help="tenant id or domain, for the client-credentials grant")
    parser.add_argument("--client-id", help="application (client) id, for the client-credentials grant")
    parser.add_argument("--client-secret", help=f"client secret (or set {SECRET_ENV})")
    parser.add_argument(
        "--authority",
        default="https://login.microsoftonline.com",
        help="token authority (default: %(default)s)",
    )
    parser.add_argument(
        "--low-privilege-token",
        help=f"a token without APIConnectors.ReadWrite.All, for the 403 scenario (or set {LOW_TOKEN_ENV})",
    )
    parser.add_argument("--junit-xml", type=Path, help="write a JUnit XML report here")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds per request (default: %(default)s)"
    )
    parser.set_defaults(handler=verify)


def _token(args: argparse.Namespace) -> str:
    token = args.token or os.environ.get(TOKEN_ENV)
    if token:
        return str(token)
    secret = args.client_secret or os.environ.get(SECRET_ENV)
    if not (args.tenant and args.client_id and secret):
        raise ValueError("give --token, or --tenant, --client-id and --client-secret")
    return fetch_token(
        authority=args.authority,
        tenant=args.tenant,
        client_id=args.client_id,
        client_secret=secret,
        timeout=args.timeout,
    )


def verify(args: argparse.Namespace) -> int:
    try:
        root = verification_root(args.base_url, args.api_version)
        if root.notice is not None:
            print(f"mockgraph verify: {root.notice}", file=sys.stderr)
        token = _token(args)
    except (BaseUrlError, ValueError, RuntimeError, OSError) as error:
        print(f"mockgraph verify: {error}", file=sys.stderr)
        return 2
    target = Target(
        base_url=root.base_url,
        token=token,
        low_privilege_token=args.low_privilege_token or os.environ.get(LOW_TOKEN_ENV),
        version=root.version,
        timeout=args.timeout,
    )
    results = run_scenarios(target, SCENARIOS)
    print(summary(results, base_url=root.base_url))
    if args.junit_xml is not None:
        write_junit_xml(results, args.junit_xml)
    return 1 if any(result.outcome == "failed" for result in results) else 0
