"""``python -m benchmarks.quiet_serve ARGS``: ``mockgraph serve ARGS`` with its per-request log line switched off.

Only for the benchmark: it separates what the request log costs from what the emulator itself costs.
"""

from __future__ import annotations

import logging
import sys

from mockgraph.cli.main import main
from mockgraph.server.request_log import LOGGER_NAME

if __name__ == "__main__":
    # The request log writes at INFO; serve configures the "mockgraph" logger, never this child's level.
    logging.getLogger(LOGGER_NAME).setLevel(logging.WARNING)
    raise SystemExit(main(["serve", *sys.argv[1:]]))
