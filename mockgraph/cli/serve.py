"""``mockgraph serve``: run the emulator as a development service (http or https, state, seed, workers, logs).

Settings come from flags over ``MOCKGRAPH_*`` variables over a TOML file (``mockgraph.server.settings``); a bad one
is a one-line error and exit code 2. When ready it prints the URLs and the published development
credentials; SIGINT or SIGTERM stop it cleanly (exit 0). ``--workers N`` forks N processes that accept on
one listening socket and share the ``--state`` file.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from flask import Flask

from mockgraph.admin.snapshot import apply_seed, read_seed_file, seed_error_message
from mockgraph.app import create_app
from mockgraph.core.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockGraphConfig
from mockgraph.core.errors import GraphError
from mockgraph.core.network import is_loopback_address
from mockgraph.core.principal import AuthMode
from mockgraph.server import request_log
from mockgraph.server.engine import ServerLimits
from mockgraph.server.settings import LOG_FORMATS, ConfigError, ServeSettings, load_settings
from mockgraph.server.threaded import MockGraphServer, bind_socket
from mockgraph.server.tls import TlsFiles, ensure_tls_files
from mockgraph.storage.state_file import StateFileError
from mockgraph.web.state import state_of

READY_LINE = "mockgraph ready"
# How often the parent of several workers looks for one that died (and starts a new one).
SUPERVISE_SECONDS = 0.5
# An https connection holds three: the client's socket and the socket pair to waitress.
DESCRIPTORS_PER_CONNECTION = 3
SPARE_DESCRIPTORS = 256  # the state file, its journal, the log, the listening socket, the loops' own


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "serve",
        help="run the emulator as an HTTP(S) server",
        description="Flags override MOCKGRAPH_* environment variables, which override the TOML file.",
    )
    parser.add_argument("--config", type=Path, help="TOML settings file (or MOCKGRAPH_CONFIG)")
    parser.add_argument("--host", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", help="port to bind; 0 picks a free one (default: 5000)")
    parser.add_argument("--tls", action=argparse.BooleanOptionalAction, default=None, help="serve https")
    parser.add_argument("--tls-dir", help="where the local CA and server certificate are kept")
    parser.add_argument(
        "--auth-mode", help=f"one of {', '.join(m.value for m in AuthMode)} (default: enforce)"
    )
    parser.add_argument("--connector-limit", help="API connectors per tenant (default: 20)")
    parser.add_argument("--seed", help="JSON seed file applied when the state is empty")
    parser.add_argument("--state", help="SQLite state file (default: in memory)")
    parser.add_argument("--log-format", help=f"one of {', '.join(LOG_FORMATS)} (default: text)")
    parser.add_argument("--workers", help="worker processes sharing --state (default: 1)")
    parser.add_argument("--threads", help="threads per worker (default: 8)")
    parser.add_argument(
        "--allowed-host",
        dest="allowed_hosts",
        action="append",
        metavar="NAME",
        help="also answer requests for this Host name (repeatable; .suffix for subdomains, * for any)",
    )
    parser.add_argument(
        "--public-url", metavar="URL", help="the URL clients use (printed, and in every returned URL)"
    )
    parser.add_argument(
        "--allow-secret-export",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="let GET /_mockgraph/snapshot?secrets=true export stored secrets",
    )
    parser.set_defaults(handler=serve)


FLAG_NAMES = (
    "host",
    "port",
    "tls",
    "tls_dir",
    "auth_mode",
    "connector_limit",
    "seed",
    "state",
    "log_format",
    "workers",
    "threads",
    "allowed_hosts",
    "public_url",
    "allow_secret_export",
)


def _fail(message: str) -> int:
    print(f"mockgraph serve: error: {message}", file=sys.stderr, flush=True)
    return 2


def serve(args: argparse.Namespace) -> int:
    try:
        settings = load_settings({name: getattr(args, name) for name in FLAG_NAMES}, config_file=args.config)
        app = _build_app(settings)
        tls = ensure_tls_files(settings.effective_tls_dir(), settings.host) if settings.tls else None
    except ConfigError as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(f"{error.filename or ''} {error.strerror or error}".strip())
    _raise_open_file_limit(DESCRIPTORS_PER_CONNECTION * ServerLimits().connections + SPARE_DESCRIPTORS)
    try:
        sock = bind_socket(settings.host, settings.port)
    except OSError as error:
        return _fail(f"cannot listen on {settings.host}:{settings.port}: {error.strerror or error}")
    request_log.configure_logging(settings.log_format)
    request_log.install(app, log_format=settings.log_format)
    server = MockGraphServer(app, host=settings.host, tls=tls, threads=settings.threads, sock=sock)
    # Handlers first: a client that reads the banner may signal at once.
    stop = _stop_event()
    _print_banner(settings, state_of(app).config, server.url, tls)
    if settings.workers > 1:
        return _supervise(settings.workers, server, sock, stop)
    return _run_until_signalled(server, stop)


def _raise_open_file_limit(wanted: int) -> None:
    """Let the process hold as many connections as the server admits (a soft limit of 256 or 1,024 open
    files is common): out of descriptors, new clients would wait however few requests there are."""
    if os.name != "posix":
        return
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft == resource.RLIM_INFINITY or soft >= target:
        return
    with contextlib.suppress(
        ValueError, OSError
    ):  # e.g. macOS caps it below the hard limit: keep the soft one
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def _build_app(settings: ServeSettings) -> Flask:
    """The app, its store opened, its signing key made, and the seed applied to an empty state."""
    config = settings.to_config()
    try:
        app = create_app(config)
    except StateFileError as error:  # damaged, empty, not SQLite, not a mockgraph state
        raise ConfigError(f"cannot open the state {error.path}: it {error.problem}; {error.hint}") from None
    except (ValueError, OSError) as error:  # e.g. an unreadable key, a stored directory entry gone bad
        raise ConfigError(f"cannot open the state {settings.state}: {error}") from None
    except Exception as error:  # sqlite3.DatabaseError and friends
        raise ConfigError(f"cannot open the state {settings.state}: {error}") from None
    state = state_of(app)
    if settings.seed is not None and not state.store.dump():
        try:
            apply_seed(
                read_seed_file(settings.seed),
                config=state.config,
                store=state.store,
                directory=state.gatekeeper.directory,
                contracts=state.contracts,
            )
        except GraphError as error:
            raise ConfigError(f"seed file {settings.seed}: {seed_error_message(error)}") from None
        except ValueError as error:
            raise ConfigError(str(error)) from None
    return app


def _local_url(settings: ServeSettings, url: str) -> str:
    """The server's URL as a client on this machine can use it: a wildcard bind is reached through loopback.

    ``::`` is shown as ``[::1]``, which it always accepts (``127.0.0.1`` works only on a dual-stack socket).
    """
    if settings.host == "0.0.0.0":
        return url.replace("//0.0.0.0", "//127.0.0.1", 1)
    if settings.host == "::":
        return url.replace("//[::]", "//[::1]", 1)
    return url


def _exposure_warning(settings: ServeSettings, config: MockGraphConfig, port: int) -> list[str]:
    """Banner lines for a bind other machines can reach (docs/security.md says what is and is not promised)."""
    if settings.host == "localhost" or is_loopback_address(settings.host):
        return []
    published = any(
        a.client_id == DEFAULT_CLIENT_ID and a.client_secret == DEFAULT_CLIENT_SECRET for a in config.apps
    )
    who = f"  WARNING: --host {settings.host} is not loopback: everyone who can reach port {port}"
    if published:
        what = (
            "can use the published development secret below for full read and write access to this emulator."
        )
    else:
        what = "can ask its token endpoint for tokens with the credentials configured here."
    return [who, f"  WARNING: {what} See docs/security.md."]


def _print_banner(settings: ServeSettings, config: MockGraphConfig, url: str, tls: TlsFiles | None) -> None:
    local = _local_url(settings, url)
    # The URLs clients use: the public URL when one is set (a container's published name), else the local one.
    base = settings.public_url or local
    tenant = config.tenants[0].tenant_id
    where = f"state {settings.state}" if settings.state is not None else "state in memory"
    lines = [
        f"mockgraph listening on {local} ({settings.workers} worker(s), {where}, auth {settings.auth_mode.value})",
        *_exposure_warning(settings, config, int(url.rsplit(":", 1)[1])),
    ]
    if settings.public_url:
        lines.append(f"  Public:    {settings.public_url}")
    lines += [
        f"  Graph:     {base}/beta  {base}/v1.0",
        f"  Authority: {base}/{tenant}",
        f"  Token:     {base}/{tenant}/oauth2/v2.0/token",
        f"  Tenant:    {tenant}",
    ]
    default_app = next((a for a in config.apps if a.client_id == DEFAULT_CLIENT_ID), None)
    if default_app is not None and default_app.client_secret == DEFAULT_CLIENT_SECRET:
        # The published development secret is the one secret mockgraph prints.
        lines += [f"  App id:    {DEFAULT_CLIENT_ID}", f"  Secret:    {DEFAULT_CLIENT_SECRET}"]
    elif config.apps:
        lines.append(f"  App id:    {config.apps[0].client_id}")
    # The admin API answers this machine only: its URL is the local one.
    lines.append(f"  Admin:     {local}/_mockgraph/health")
    if tls is not None:
        # Absolute: the banner is read from other folders (a test harness, another shell, a CI step).
        lines.append(f"  Trust CA:  {Path(tls.ca_file).absolute()}")
    lines.append(READY_LINE)
    print("\n".join(lines), flush=True)


def _stop_event() -> threading.Event:
    """An event set by SIGINT or SIGTERM."""
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    return stop


def _run_until_signalled(server: MockGraphServer, stop: threading.Event) -> int:
    server.start()
    while not stop.wait(1.0):
        pass
    server.stop()
    print("mockgraph stopped", file=sys.stderr, flush=True)
    return 0


def _start_worker(server: MockGraphServer, stop: threading.Event) -> int:
    """Fork one worker that serves on the shared socket until SIGTERM; the parent gets its pid.

    The child keeps the parent's handlers, which set the child's own copy of ``stop``: no signal is lost."""
    supervisor = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        stop.clear()
        server.start()
        # A supervisor killed with SIGKILL cannot stop its workers: they notice they were orphaned
        # (re-parented to another pid) and stop, instead of holding the port and the state file.
        while not stop.wait(1.0) and os.getppid() == supervisor:
            pass
        server.stop()
        code = 0
    finally:
        os._exit(code)


def _supervise(workers: int, server: MockGraphServer, sock: socket.socket, stop: threading.Event) -> int:
    """Run ``workers`` forked workers; restart one that dies; on SIGINT/SIGTERM stop them all."""
    children = {_start_worker(server, stop) for _ in range(workers)}
    while not stop.wait(SUPERVISE_SECONDS):
        for pid in list(children):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                children.discard(pid)
                print(
                    f"mockgraph worker {pid} exited ({status}); starting another", file=sys.stderr, flush=True
                )
                children.add(_start_worker(server, stop))
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    for pid in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    sock.close()
    print("mockgraph stopped", file=sys.stderr, flush=True)
    return 0
