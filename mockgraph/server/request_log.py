"""One log line per request: method, path, status, Graph error code, milliseconds, request-id (text or JSON).

Never a secret: no query string (only its parameter names), no header, no body. Paths are cut at a fixed
length so a pasted blob cannot flood the log.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any, TextIO

from flask import Flask, Response, request

from mockgraph.web.context import request_context

LOGGER_NAME = "mockgraph.requests"
MAX_PATH = 200
log = logging.getLogger(LOGGER_NAME)


def _error_code(response: Response) -> str | None:
    error = request_context().error
    if error is not None:
        return error.code
    if response.status_code < 400 or not response.is_json:
        return None
    body = response.get_json(silent=True)
    found = body.get("error") if isinstance(body, dict) else None
    if isinstance(found, dict):
        found = found.get("code")
    return found if isinstance(found, str) else None


def request_fields(response: Response) -> dict[str, Any]:
    """What one log line says about the current request and its ``response``."""
    elapsed = (time.monotonic() - request_context().started) * 1000
    path = request.path if len(request.path) <= MAX_PATH else request.path[:MAX_PATH] + "..."
    return {
        "method": request.method,
        "path": path,
        "query": sorted(request.args.keys()),
        "status": response.status_code,
        "error": _error_code(response),
        "ms": round(elapsed, 1),
        "requestId": response.headers.get("request-id"),
    }


def format_text(fields: dict[str, Any]) -> str:
    query = f"?{','.join(fields['query'])}" if fields["query"] else ""
    return (
        f"{fields['method']} {fields['path']}{query} {fields['status']} {fields['error'] or '-'} "
        f"{fields['ms']}ms request-id={fields['requestId'] or '-'}"
    )


def _start() -> None:
    request_context()  # made now, so its start time covers every other hook


def install(app: Flask, *, log_format: str = "text") -> None:
    """Log every request ``app`` answers to the ``mockgraph.requests`` logger, as text or JSON."""
    as_json = log_format == "json"

    def finish(response: Response) -> Response:
        # The dashboard's own pages and polls are not logged (a page left open polls every 2 s).
        if log.isEnabledFor(logging.INFO) and not request_context().quiet:
            fields = request_fields(response)
            log.info(json.dumps(fields, separators=(",", ":")) if as_json else format_text(fields))
        return response

    # First before every other hook and last after them (Flask runs after_request hooks in reverse), so the
    # time covers the whole request and the response already carries its request-id header.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, finish)


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.name == LOGGER_NAME:
            return json.dumps(
                {"time": round(record.created, 3), **json.loads(message)}, separators=(",", ":")
            )
        return json.dumps(
            {
                "time": round(record.created, 3),
                "level": record.levelname,
                "logger": record.name,
                "message": message,
            },
            separators=(",", ":"),
        )


def configure_logging(log_format: str = "text", stream: TextIO | None = None) -> None:
    """Send mockgraph's logs (requests at INFO, problems at WARNING and up) to ``stream`` (stderr)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if log_format == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    root = logging.getLogger("mockgraph")
    root.handlers = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False
    # The WSGI server's own logger: warnings only (its per-connection chatter is not a request log).
    waitress = logging.getLogger("waitress")
    waitress.handlers = [handler]
    waitress.setLevel(logging.WARNING)
    waitress.propagate = False
