"""What one request carries from hook to hook: its ids, route, caller, error and parsed body.

Written by the request-id hook, the journal/fault hooks, the dispatcher, the JSON reader and the error
handler; read by Graph's headers, the request journal and the request log. One typed object under one
attribute of ``flask.g`` says what flows where, instead of a dozen loose attributes nobody declares.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import g, request

from mockgraph.core.text import ECHO_LIMIT, header_value

if TYPE_CHECKING:
    from mockgraph.core.errors import GraphError
    from mockgraph.core.operations import Route
    from mockgraph.core.principal import Principal

_ATTRIBUTE = "mockgraph_request"
# RFC 4122 version 4: the version nibble is 4 and the variant bits are 10 (what uuid.UUID(version=4) sets).
_KEEP = ~((0xF000 << 64) | (0xC000 << 48)) & ((1 << 128) - 1)
_VERSION_4 = (0x4000 << 64) | (0x8000 << 48)


def new_request_id() -> str:
    """A random version-4 GUID, as Graph's request ids are.

    Drawn from ``random`` rather than ``uuid.uuid4()``: ``os.urandom`` is a system call that gives up the
    interpreter lock, and on a threaded server every request then waited to take it back (a fifth of a
    served GET's time). A request id needs to be unique, not unguessable; ``random`` reseeds in forked
    workers, so they never repeat each other's ids.
    """
    bits = random.getrandbits(128) & _KEEP | _VERSION_4
    text = f"{bits:032x}"
    # uuid.UUID(int=..., version=4) then str() gave the same text at three times the cost.
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


@dataclass(slots=True)
class RequestContext:
    """The current request's hand-offs between mockgraph's hooks and views (see :func:`request_context`)."""

    # Graph's ``request-id``, and ``client-request-id``: the caller's, echoed, or else the request id.
    request_id: str
    client_request_id: str
    # time.monotonic() when the first hook ran: the journal's durationMs and the request log's ms.
    started: float = field(default_factory=time.monotonic)
    # The Graph route the path resolved to (set before dispatch when the fault hook resolved it).
    route: Route | None = None
    # A request no route of this host serves (a Graph path on the login host, and the reverse).
    unroutable: bool = False
    # Who called, once the gatekeeper authenticated the token.
    principal: Principal | None = None
    # The Graph error this request was answered with.
    error: GraphError | None = None
    # The JSON body as the view parsed it, and its size in bytes: the journal records it without parsing again.
    parsed_body: tuple[Any, int] | None = None
    # The dashboard's own pages and polls: not calls to the emulator, so neither journaled nor logged (a page
    # left open polls every 2 s and would push the requests it shows out of the bounded journal).
    quiet: bool = False


def new_context(sent_client_request_id: str | None) -> RequestContext:
    """A new request's context: a new request id, and the caller's ``client-request-id`` (the header's raw
    value, or None) echoed, else the request id."""
    request_id = new_request_id()
    sent = sent_client_request_id.strip() if sent_client_request_id else ""
    # Echoed into a header and the error body: capped and escaped once, here.
    echoed = header_value(sent, ECHO_LIMIT) if sent else None
    return RequestContext(request_id=request_id, client_request_id=echoed or request_id)


def request_context() -> RequestContext:
    """The current Flask request's context, made on first use (the ids from its ``client-request-id`` header).

    Needs an active Flask request: call it from a hook, a view or an error handler. Graph requests served
    by ``mockgraph.web.pipeline`` have no Flask request; their context is handed from step to step instead.
    """
    found: RequestContext | None = g.get(_ATTRIBUTE)
    if found is None:
        found = new_context(request.headers.get("client-request-id"))
        setattr(g, _ATTRIBUTE, found)
    return found
