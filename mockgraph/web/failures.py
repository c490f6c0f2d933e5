"""Werkzeug's own errors and the emulator's internal faults, answered in Graph's envelope.

Shared by the Flask error handlers (``mockgraph.app``) and the Graph pipeline (``mockgraph.web.pipeline``),
so a request answers alike whichever path served it: never an HTML page, never a traceback.
"""

from __future__ import annotations

import logging

from flask import Request, Response
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from mockgraph.core.errors import GraphError, MethodNotSupported, PayloadTooLarge, SegmentNotFound
from mockgraph.web.context import RequestContext
from mockgraph.web.http import error_response

log = logging.getLogger("mockgraph")


def http_error(
    exception: HTTPException, req: Request, context: RequestContext, body_limit: int | None
) -> Response:
    """Werkzeug's own errors (routing, size limit) in Graph's envelope instead of an HTML page.

    ``body_limit`` is the app's MAX_CONTENT_LENGTH, which a 413 names.
    """
    if isinstance(exception, RequestEntityTooLarge):
        return error_response(PayloadTooLarge(body_limit or 0), context)
    if exception.code == 405:
        allowed = tuple(getattr(exception, "valid_methods", None) or ())
        return error_response(MethodNotSupported(req.method, allowed), context)
    if exception.code == 404:
        segment = next((s for s in req.path.split("/") if s), "")
        return error_response(SegmentNotFound(segment), context)
    if exception.code is None or exception.code >= 500:
        # Flask wraps an error raised after the view (an after_request hook) in InternalServerError and
        # has logged it already: it is an internal fault, Graph's generalException, not a BadRequest.
        original = getattr(exception, "original_exception", None)
        cause = type(original or exception).__name__
        return error_response(
            GraphError(status=exception.code or 500, reason=f"internal error: {cause}"), context
        )
    return error_response(
        GraphError(
            "The request could not be processed.",
            code="BadRequest",
            status=exception.code or 400,
        ),
        context,
    )


def internal_error(
    exception: Exception, req: Request, context: RequestContext, body_limit: int | None
) -> Response:
    """Any fault inside the emulator: Graph's 500 envelope, never a traceback (which is logged instead)."""
    if isinstance(exception, HTTPException):
        return http_error(exception, req, context, body_limit)
    log.exception(
        "internal error while serving a request", extra={"mockgraph_request_id": context.request_id}
    )
    return error_response(GraphError(reason=f"internal error: {type(exception).__name__}"), context)
