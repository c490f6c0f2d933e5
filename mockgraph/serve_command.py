"""``mockgraph serve``: run the emulator on a real WSGI server (waitress), bound to loopback by default."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from waitress.server import create_server

from mockgraph.app import create_app
from mockgraph.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockGraphConfig
from mockgraph.principal import AuthMode


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve", help="run the emulator as an HTTP server"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=5000, help="port to bind; 0 picks a free one (default: 5000)"
    )
    parser.add_argument(
        "--auth-mode", choices=[mode.value for mode in AuthMode], default=AuthMode.ENFORCE.value
    )
    parser.set_defaults(handler=serve)


def serve(args: argparse.Namespace) -> int:
    config = MockGraphConfig(auth_mode=AuthMode(args.auth_mode))
    server = create_server(create_app(config), host=args.host, port=args.port, threads=8)
    host, port = getattr(server, "effective_host", args.host), getattr(server, "effective_port", args.port)
    base = f"http://{host}:{port}"
    tenant = config.tenants[0].tenant_id
    print(f"mockgraph listening on {base}", flush=True)
    print(f"  Graph:  {base}/beta  {base}/v1.0", flush=True)
    print(f"  Token:  {base}/{tenant}/oauth2/v2.0/token", flush=True)
    print(f"  Tenant: {tenant}  App: {DEFAULT_CLIENT_ID}  Secret: {DEFAULT_CLIENT_SECRET}", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    print("mockgraph stopped", file=sys.stderr, flush=True)
    return 0
