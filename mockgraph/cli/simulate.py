"""``mockgraph simulate``: call a connector endpoint as Entra or B2C would, directly or through a running emulator.

With ``--event``, call a custom authentication extension instead: the documented body for that event, a bearer
token the endpoint can validate, the answer judged as Entra would (see ``mockgraph.callouts``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import requests

from mockgraph.admin.simulate import EXTENSION_PATH, SIMULATE_PATH
from mockgraph.core.errors import GraphError
from mockgraph.signup import HttpTransport, OutcomeKind, try_connector
from mockgraph.signup.documents import read_settings, read_user

PASSWORD_ENV = "MOCKGRAPH_CONNECTOR_PASSWORD"


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "simulate",
        help="call an API connector endpoint exactly as a sign-up would, and judge its answer",
        description=(
            "Either --target-url (call that endpoint directly with Basic credentials) or --server with "
            "--user-flow (ask a running emulator to run its stored flow; without --step the whole sign-up is "
            "walked). With --event, call a custom authentication extension at --target-url (directly, or with "
            "--server through that emulator, whose key then signs the token). Prints the outcome as JSON. Exit "
            "status 0: Continue (or a completed sign-up, or an extension answer after which the sign-in goes on); "
            "1: block page, validation error or failure; 2: the simulation could not run."
        ),
    )
    parser.add_argument("--user", help="the user as JSON, or @FILE holding it (connectors)")
    parser.add_argument("--step", help="PostFederationSignup, PostAttributeCollection or PreTokenIssuance")
    parser.add_argument("--settings", help="flow settings as JSON, or @FILE (timeoutSeconds, collected, ...)")
    parser.add_argument("--target-url", help="the connector endpoint to call directly")
    parser.add_argument("--product", choices=["entra", "b2c"], default="entra", help="with --target-url")
    parser.add_argument("--username", default="mockgraph", help="Basic user name sent with --target-url")
    parser.add_argument("--password", help=f"Basic password sent with --target-url (or set {PASSWORD_ENV})")
    parser.add_argument("--server", help="a running emulator's base URL, e.g. http://127.0.0.1:5000")
    parser.add_argument("--user-flow", help="the stored flow's id, e.g. B2X_1_SignUp (with --server)")
    parser.add_argument(
        "--tenant", help="the flow's tenant id (with --server; default: the emulator's default)"
    )
    parser.add_argument(
        "--insecure", action="store_true", help="do not verify the connector's TLS certificate"
    )
    extension = parser.add_argument_group("custom authentication extensions")
    extension.add_argument(
        "--event",
        help="tokenIssuanceStart, attributeCollectionStart, attributeCollectionSubmit, emailOtpSend or passwordSubmit",
    )
    extension.add_argument("--resource-id", help="the API app's resourceId, api://{host}/{appId}")
    extension.add_argument(
        "--target",
        help="more target fields as JSON or @FILE (tenantKind, accessTokenAcceptedVersion, timeoutInMilliseconds, "
        "passwordEncryptionKey..., or Graph's 'extension' and 'listener' records)",
    )
    extension.add_argument(
        "--session", help="the session as JSON or @FILE (user, attributes, oneTimeCode...)"
    )
    extension.add_argument("--token-flaw", help="send a deliberately bad token (wrong-azp, expired...)")
    extension.add_argument("--key-file", type=Path, help="PEM signing key for the token (without --server)")
    parser.set_defaults(handler=run)


def _json_argument(value: str | None, what: str) -> Any:
    if value is None:
        return None
    text = Path(value[1:]).read_text("utf-8") if value.startswith("@") else value
    try:
        return json.loads(text)
    except ValueError:
        raise SystemExit(f"mockgraph simulate: {what} is not valid JSON") from None


def run(args: argparse.Namespace) -> int:
    if args.event:
        return _extension(args)
    if args.user is None:
        print("mockgraph simulate: --user is required (or --event for an extension)", file=sys.stderr)
        return 2
    try:
        user = _json_argument(args.user, "--user")
        settings = _json_argument(args.settings, "--settings")
        if args.target_url:
            return _direct(args, user, settings)
        if args.server and args.user_flow:
            return _through_server(args, user, settings)
    except (GraphError, OSError) as error:
        print(f"mockgraph simulate: {getattr(error, 'message', error)}", file=sys.stderr)
        return 2
    print("mockgraph simulate: give --target-url, or --server with --user-flow", file=sys.stderr)
    return 2


def _direct(args: argparse.Namespace, user: Any, settings: Any) -> int:
    flow_settings = read_settings(settings)
    transport = HttpTransport(verify=False) if args.insecure else None
    outcome = try_connector(
        args.target_url,
        read_user(user),
        step=args.step or "PostAttributeCollection",
        product=args.product,
        username=args.username,
        password=args.password or os.environ.get(PASSWORD_ENV, "mockgraph"),
        settings=flow_settings,
        transport=transport,
    )
    print(json.dumps(outcome.to_json(), indent=2, ensure_ascii=False))
    return 0 if outcome.kind is OutcomeKind.CONTINUE else 1


def _through_server(args: argparse.Namespace, user: Any, settings: Any) -> int:
    body: dict[str, Any] = {"userFlowId": args.user_flow, "user": user, "settings": dict(settings or {})}
    if args.step:
        body["step"] = args.step
    if args.tenant:
        body["tenantId"] = args.tenant
    if args.insecure:
        body["settings"]["verifyTls"] = False
    try:
        response = requests.post(args.server.rstrip("/") + SIMULATE_PATH, json=body, timeout=300)
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        print(f"mockgraph simulate: the emulator did not answer: {error}", file=sys.stderr)
        return 2
    print(json.dumps(document, indent=2, ensure_ascii=False))
    if response.status_code != 200:
        return 2
    done = document.get("completed") if args.step is None else document.get("outcome") == "continue"
    return 0 if done else 1


def _extension_body(args: argparse.Namespace) -> dict[str, Any]:
    target = dict(_json_argument(args.target, "--target") or {})
    target.setdefault("event", args.event)
    if args.target_url:
        target.setdefault("targetUrl", args.target_url)
    if args.resource_id:
        target.setdefault("resourceId", args.resource_id)
    if args.tenant:
        target.setdefault("tenantId", args.tenant)
    settings = dict(_json_argument(args.settings, "--settings") or {})
    if args.token_flaw:
        settings["tokenFlaw"] = args.token_flaw
    if args.insecure:
        settings["verifyTls"] = False
    return {
        "target": target,
        "session": _json_argument(args.session, "--session") or {},
        "settings": settings,
    }


def _extension(args: argparse.Namespace) -> int:
    """One callout, judged; exit 0 when the sign-in goes on after it."""
    from mockgraph.callouts import ExtensionSimulator
    from mockgraph.callouts.documents import read_request
    from mockgraph.identity.keys import signing_key_for
    from mockgraph.identity.tokens import TokenFactory

    try:
        body = _extension_body(args)
        if args.server:
            response = requests.post(args.server.rstrip("/") + EXTENSION_PATH, json=body, timeout=60)
            document = response.json()
            if response.status_code != 200:
                print(json.dumps(document, indent=2, ensure_ascii=False))
                return 2
        else:
            wanted = read_request(body)
            assert wanted.target is not None
            simulator = ExtensionSimulator(
                TokenFactory(signing_key_for(args.key_file)),
                transport=HttpTransport(verify=wanted.verify_tls),
                settings=wanted.settings,
            )
            document = simulator.call(wanted.target, wanted.session).to_json()
    except (GraphError, OSError, ValueError) as error:
        print(f"mockgraph simulate: {getattr(error, 'message', error)}", file=sys.stderr)
        return 2
    print(json.dumps(document, indent=2, ensure_ascii=False))
    return 0 if document.get("proceeds") else 1
