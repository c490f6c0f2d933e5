"""The peer server: moto's ``ThreadedMotoServer`` (what ``moto_server`` runs: werkzeug, a thread per
request) on loopback, for ``python -m benchmarks.moto_peer``; prints the line the load driver waits for."""

from __future__ import annotations

import argparse
import time

from moto.server import ThreadedMotoServer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = ThreadedMotoServer("127.0.0.1", args.port, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    print(f"listening on http://{host}:{port}", flush=True)
    while True:  # until the driver terminates the process
        time.sleep(3600)


if __name__ == "__main__":
    main()
