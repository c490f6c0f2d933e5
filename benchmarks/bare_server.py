"""``python -m benchmarks.bare_server``: the bare baseline app on waitress, set up as ``mockgraph serve`` is."""

from __future__ import annotations

import argparse

from benchmarks.bare import create_bare_app
from mockgraph.server.engine import Server, ServerLimits
from mockgraph.server.threaded import DEFAULT_THREADS, bind_socket


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bare_server")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    args = parser.parse_args(argv)
    sock = bind_socket("127.0.0.1", args.port)
    # The same waitress set-up (limits, 204 handling, error pages) as mockgraph serve's.
    server = Server(create_bare_app(), sock, threads=args.threads, limits=ServerLimits())
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
