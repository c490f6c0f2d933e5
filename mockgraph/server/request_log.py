"""One log line per request: method, path, status, Graph error code, milliseconds, request-id (text or JSON).

Never a secret: no query string (only its parameter names), no header, no body, and token-like text in a
path is redacted (``mockgraph.core.redaction``). Paths are cut at a fixed length so a pasted blob cannot
flood the log. In the text format every control character a caller sent is escaped (``\x0a``), so a
``%0A`` in a path cannot forge a line; in the JSON format an internal error's record carries its traceback
(the server log is the one place it goes: never a response).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from typing import Any, TextIO

from flask import Flask, Request, Response, has_request_context

from mockgraph.core.redaction import redact_text
from mockgraph.server.direct_write import Writer, writer_for
from mockgraph.web.context import RequestContext, request_context
from mockgraph.web.state import state_of

LOGGER_NAME = "mockgraph.requests"
MAX_PATH = 200
log = logging.getLogger(LOGGER_NAME)
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators some viewers break lines at; the
# backslash too, so that an escaped "\x0a" cannot be told apart from a path that spelt it out.
_UNPRINTABLE = re.compile(r"[\\\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_control(text: str) -> str:
    """``text`` on one line: each control character as ``\\xNN`` (or ``\\uNNNN``), a backslash doubled."""
    return _UNPRINTABLE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    char = match.group(0)
    if char == "\\":
        return "\\\\"
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def _error_code(context: RequestContext, response: Response) -> str | None:
    error = context.error
    if error is not None:
        return error.code
    if response.status_code < 400 or not response.is_json:
        return None
    body = response.get_json(silent=True)
    found = body.get("error") if isinstance(body, dict) else None
    if isinstance(found, dict):
        found = found.get("code")
    return found if isinstance(found, str) else None


def request_fields(req: Request, context: RequestContext, response: Response) -> dict[str, Any]:
    """What one log line says about a request and its ``response``."""
    elapsed = (time.monotonic() - context.started) * 1000
    path = req.path if len(req.path) <= MAX_PATH else req.path[:MAX_PATH] + "..."
    return {
        "method": req.method,
        "path": redact_text(path),
        # Only the names; most calls send no query string, which is not parsed then.
        "query": sorted(redact_text(name) for name in req.args) if req.environ.get("QUERY_STRING") else [],
        "status": response.status_code,
        "error": _error_code(context, response),
        "ms": round(elapsed, 1),
        "requestId": response.headers.get("request-id"),
    }


def format_text(fields: dict[str, Any]) -> str:
    """One line, whatever the request held: every value a caller chose is escaped."""
    query = f"?{','.join(fields['query'])}" if fields["query"] else ""
    return escape_control(
        f"{fields['method']} {fields['path']}{query} {fields['status']} {fields['error'] or '-'} "
        f"{fields['ms']}ms request-id={fields['requestId'] or '-'}"
    )


def install(app: Flask, *, log_format: str = "text") -> None:
    """Log every request ``app`` (made by ``create_app``) answers to the ``mockgraph.requests`` logger, as
    text or JSON."""
    as_json = log_format == "json"

    def finish(req: Request, context: RequestContext, response: Response) -> None:
        # The dashboard's own pages and polls are not logged (a page left open polls every 2 s).
        if log.isEnabledFor(logging.INFO) and not context.quiet:
            fields = request_fields(req, context, response)
            handler = _direct_handler()
            if handler is not None:
                handler.write_request_line(fields, as_json)
            else:
                log.info(json.dumps(fields, separators=(",", ":")) if as_json else format_text(fields))

    # A response observer: told last, after the journal and Graph's headers, so the line carries the
    # request-id the client reads and is written before the response leaves (mockgraph.web.state).
    state_of(app).response_observers.append(finish)


class _TextFormatter(logging.Formatter):
    """``time message``, the message on one line (Flask's "Exception on <path>" quotes the path too);
    a traceback follows on its own lines, as Python prints it."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        if record.name != LOGGER_NAME:  # request lines are escaped already (format_text)
            record.message = escape_control(redact_text(record.message))
        return super().formatMessage(record)


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.name == LOGGER_NAME:
            return json.dumps(
                {"time": round(record.created, 3), **json.loads(message)}, separators=(",", ":")
            )
        fields: dict[str, Any] = {
            "time": round(record.created, 3),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_text(message),
        }
        if record.exc_info:
            # The traceback of an internal error, as one field: the developer's clue, kept in the log only.
            fields["traceback"] = self.formatException(record.exc_info)
            # The Graph pipeline names the request (it has no Flask request); Flask's handlers have one.
            request_id = getattr(record, "mockgraph_request_id", None)
            if request_id is None and has_request_context():
                request_id = request_context().request_id
            if request_id is not None:
                fields["requestId"] = request_id
        return json.dumps(fields, separators=(",", ":"))


class _ServerHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler ``configure_logging`` installs; it can also write a request line without a LogRecord.

    Through ``logging`` a request line cost a record, a caller lookup and a formatter pass (about a tenth of
    a served GET); written here it is the same text, in the kernel under the same lock before the response
    leaves, so a client never holds a response whose line is not in the log. On a stream with a file
    descriptor (stderr, a file, a pipe) the line goes out as one ``os.write`` of its encoded bytes: no text
    layer, buffer and flush per line, and lines of concurrent requests never interleave.
    """

    def __init__(self, stream: TextIO) -> None:
        super().__init__(stream)
        self._clock: tuple[int, str] = (-1, "")  # (a second, its "%Y-%m-%d %H:%M:%S" text)
        self._json = json.JSONEncoder(separators=(",", ":")).encode
        self._target = _descriptor_of(stream)

    def setStream(self, stream: TextIO) -> TextIO | None:
        old: TextIO | None = super().setStream(stream)
        self._target = _descriptor_of(self.stream)
        return old

    def _stamp(self, created: float) -> str:
        """``created`` as ``%(asctime)s`` writes it (local time, ``YYYY-mm-dd HH:MM:SS,mmm``); the second's
        text is made once per second, not per line."""
        second = int(created)
        clock = self._clock  # one read: another thread may swap the pair meanwhile
        if clock[0] != second:
            clock = (second, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second)))
            self._clock = clock
        return f"{clock[1]},{int((created - second) * 1000):03d}"

    def write_request_line(self, fields: dict[str, Any], as_json: bool) -> None:
        created = time.time()
        if as_json:  # what _JsonFormatter writes for a request record
            line = self._json({"time": round(created, 3), **fields})
        else:  # what _TextFormatter's "%(asctime)s %(message)s" writes
            line = f"{self._stamp(created)} {format_text(fields)}"
        target = self._target
        if target is None:
            with self.lock:  # type: ignore[union-attr]
                self.stream.write(line + self.terminator)
                self.stream.flush()
            return
        descriptor, encoding, errors, write = target
        data = (line + self.terminator).encode(encoding, errors)
        with self.lock:  # type: ignore[union-attr]
            while data:  # a pipe or a full disk may take part of it
                data = data[write(descriptor, data) :]


def _descriptor_of(stream: Any) -> tuple[int, str, str, Writer] | None:
    """The file descriptor under a text stream, with the stream's encoding, error handler and writer
    (``mockgraph.server.direct_write``), when its lines can be written to the descriptor directly; else None
    (a ``StringIO``, a test's capture). POSIX only: on Windows a text stream writes each ``\\n`` as ``\\r\\n``."""
    if os.name != "posix":
        return None
    try:
        descriptor = stream.fileno()
        stream.flush()  # what the stream still holds goes first, so lines stay in order
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is both
        return None
    if not isinstance(descriptor, int):
        return None
    return (
        descriptor,
        getattr(stream, "encoding", None) or "utf-8",
        getattr(stream, "errors", None) or "strict",
        writer_for(descriptor),
    )


def _direct_handler() -> _ServerHandler | None:
    """The configured server handler when a request line would reach it alone and unchanged, else None
    (anyone who added a handler, a filter or a level sees request lines through ``logging`` as before)."""
    if log.handlers or log.filters or not log.propagate or log.level != logging.NOTSET:
        return None
    parent = log.parent
    if parent is None or parent.name != "mockgraph" or parent.propagate or parent.filters:
        return None
    handlers = parent.handlers
    if len(handlers) != 1:
        return None
    handler = handlers[0]
    if type(handler) is not _ServerHandler or handler.filters or handler.level > logging.INFO:
        return None
    if type(handler.formatter) not in (_TextFormatter, _JsonFormatter):
        return None
    return handler


def configure_logging(log_format: str = "text", stream: TextIO | None = None) -> None:
    """Send mockgraph's logs (requests at INFO, problems at WARNING and up) to ``stream`` (stderr)."""
    handler = _ServerHandler(stream or sys.stderr)
    if log_format == "json":
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(_TextFormatter("%(asctime)s %(message)s"))
    root = logging.getLogger("mockgraph")
    root.handlers = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False
    # The WSGI server's own logger: warnings only (its per-connection chatter is not a request log).
    waitress = logging.getLogger("waitress")
    waitress.handlers = [handler]
    waitress.setLevel(logging.WARNING)
    waitress.propagate = False
