"""``python -m benchmarks.bare_server``: the bare baseline app on waitress, set up as ``mockgraph serve`` is."""

from __future__ import annotations

import argparse

from waitress.server import create_server

from benchmarks.bare import create_bare_app

# mockgraph serve's worker threads (mockgraph/cli/serve.py); the baseline must match it.
THREADS = 8


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bare_server")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--threads", type=int, default=THREADS)
    args = parser.parse_args(argv)
    server = create_server(create_bare_app(), host="127.0.0.1", port=args.port, threads=args.threads)
    print(f"listening on http://127.0.0.1:{getattr(server, 'effective_port', args.port)}", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
