"""HTTP plumbing shared by every Graph view: request ids, Graph's headers, JSON bodies in and out."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Request, Response, request
from werkzeug.datastructures import Headers

from mockgraph.core.errors import (
    GraphError,
    InvalidRequestBody,
    PayloadTooLarge,
    UnsupportedContentType,
)
from mockgraph.core.json_limits import JsonRefused, parse_json
from mockgraph.core.redaction import redact_text, redact_tokens
from mockgraph.core.text import header_value
from mockgraph.web.context import RequestContext, new_request_id, request_context

REASON_HEADER = "x-mockgraph-reason"
JSON_CONTENT_TYPE = (
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"
)
MALFORMED_JSON = "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format."
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
_AGS_DIAGNOSTIC = json.dumps(
    {
        "ServerInfo": {
            "DataCenter": "mockgraph",
            "Slice": "E",
            "Ring": "0",
            "ScaleUnit": "000",
            "RoleInstance": "LOCAL",
        }
    },
    separators=(",", ":"),
)


def assign_request_ids() -> None:
    """Give this request its ``request-id`` and ``client-request-id`` before any view or error reads them."""
    request_context()


def sent_client_request_id() -> str | None:
    """The caller's ``client-request-id`` (capped and escaped), or None when it sent none."""
    if not request.headers.get("client-request-id", "").strip():
        return None
    return request_context().client_request_id


def graph_date(moment: dt.datetime | None = None) -> str:
    """``innerError.date`` as Graph writes it: UTC, whole seconds, no zone."""
    return (moment or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%S")


_STATIC_HEADERS = (
    ("x-ms-ags-diagnostic", _AGS_DIAGNOSTIC),
    ("Strict-Transport-Security", "max-age=31536000"),
    ("Cache-Control", "no-cache"),
)
_GRAPH_HEADER_NAMES = frozenset({"request-id", "client-request-id", *(n.lower() for n, _ in _STATIC_HEADERS)})


def add_graph_headers(response: Response) -> Response:
    """The Flask hook: :func:`graph_headers` for the current request."""
    return graph_headers(response, request_context())


def graph_headers(response: Response, context: RequestContext) -> Response:
    """Set the request ids and add Graph's fixed headers unless the view set its own."""
    headers = response.headers
    ids = (("request-id", context.request_id), ("client-request-id", context.client_request_id))
    if not any(name.lower() in _GRAPH_HEADER_NAMES for name, _ in headers):
        # The common case, in one step: every value is the emulator's own or escaped by header_value.
        _append_trusted(headers, (*ids, *_STATIC_HEADERS))
        return response
    present = {name.lower() for name, _ in headers}
    for name, value in ids:
        if name in present:
            headers[name] = value
        else:
            headers.add(name, value)
    for name, value in _STATIC_HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    return response


def _append_trusted(headers: Headers, pairs: Iterable[tuple[str, str]]) -> None:
    """Append header pairs the emulator made itself, none holding CR or LF by construction.

    Werkzeug checks each value it is given for a newline (a regular expression per header); for the ten
    headers of every Graph response those checks were a tenth of the emulator's own cost of a GET.
    """
    headers._list.extend(pairs)


def json_response(document: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    body = _ENCODER.encode(document).encode("utf-8")
    prepared = Headers()
    # Content-Length is set now so that Response keeps it in place (it sets the same value again).
    own = [("Content-Type", JSON_CONTENT_TYPE), ("Content-Length", str(len(body)))]
    if status != 204:
        own.append(("OData-Version", "4.0"))
    _append_trusted(prepared, own)
    response = Response(body, status=status, headers=prepared)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def no_content() -> Response:
    """Graph's 204: no body and no Content-Type (Flask would add ``text/html``)."""
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


def _envelope_bytes(error: GraphError, request_id: str, client_request_id: str) -> bytes:
    envelope = error.to_envelope(
        date=graph_date(), request_id=request_id, client_request_id=client_request_id
    )
    if "eyJ" in error.message:
        # A message may quote what the caller sent (a $filter, an id); a token it quotes is not shown.
        envelope["error"]["message"] = redact_tokens(error.message)
    return _ENCODER.encode(envelope).encode("utf-8")


def protocol_error_response(error: GraphError) -> tuple[int, list[tuple[str, str]], bytes]:
    """Graph's error response outside Flask: status, headers and body, for the HTTP server's own refusals
    (a request it could not parse never reaches the app, so it has no request id yet: a new one)."""
    request_id = new_request_id()
    headers = [
        ("Content-Type", "application/json"),
        ("request-id", request_id),
        ("client-request-id", request_id),
        *_STATIC_HEADERS,
    ]
    return error.status, headers, _envelope_bytes(error, request_id, request_id)


def error_response(error: GraphError, context: RequestContext | None = None) -> Response:
    """Graph's error envelope for ``error``, with the ids of ``context`` (the current Flask request's when
    None); the context remembers the error for the journal and the request log."""
    if context is None:
        context = request_context()
    body = _envelope_bytes(error, context.request_id, context.client_request_id)
    response = Response(body, status=error.status, content_type="application/json")
    for name, value in error.headers.items():
        response.headers[name] = value
    set_reason(response, error.reason)
    context.error = error
    return response


def set_reason(response: Response, reason: str | None) -> None:
    """Say on ``response`` which emulator rule refused the request (the only place that header is set).

    Reasons often quote what the caller sent, so the value is capped and escaped: printable ASCII, never CR
    or LF, at most :data:`~mockgraph.core.text.HEADER_LIMIT` characters.
    """
    if reason:
        response.headers[REASON_HEADER] = header_value(redact_text(reason))  # a reason never shows a token


def read_json_body(max_bytes: int, req: Request | None = None, context: RequestContext | None = None) -> Any:
    """The JSON document of ``req`` (the current Flask request when None).

    :raises GraphError: for a missing, oversized, mistyped or malformed body, as Graph answers it."""
    if req is None:
        req = request
    length = req.content_length
    if length is not None and length > max_bytes:
        raise PayloadTooLarge(max_bytes)
    raw = req.get_data(cache=True)
    if len(raw) > max_bytes:
        raise PayloadTooLarge(max_bytes)
    if not raw.strip():
        raise InvalidRequestBody(MALFORMED_JSON, reason="empty body")
    mimetype = req.mimetype
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise UnsupportedContentType(req.headers.get("Content-Type", ""))
    charset = req.mimetype_params.get("charset", "utf-8")
    try:
        text = raw.decode(charset)
    except (UnicodeDecodeError, LookupError):
        raise InvalidRequestBody(MALFORMED_JSON, reason="body is not valid JSON") from None
    try:
        # Nesting depth, NaN/Infinity/1e999 and lone surrogates are refused here, before any view, store
        # or journal sees the document (mockgraph.core.json_limits).
        document = parse_json(text)
    except JsonRefused as refused:
        raise InvalidRequestBody(MALFORMED_JSON, reason=refused.reason) from None
    if charset.lower() in ("utf-8", "utf8"):
        # The request journal reads the same document (it parses bytes as UTF-8 itself): parsing it a
        # second time cost every write ~5 µs. Only the journal reads this, and it redacts before keeping it.
        (context or request_context()).parsed_body = (document, len(raw))
    if not isinstance(document, dict):
        node = "StartArray" if isinstance(document, list) else "PrimitiveValue"
        raise InvalidRequestBody(
            f"An unexpected '{node}' node was found when reading from the JSON reader. "
            "A 'StartObject' node was expected.",
            reason="body is not a JSON object",
        )
    return document
