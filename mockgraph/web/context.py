"""What one request carries from hook to hook: its ids, route, caller, error and parsed body.

Written by the request-id hook, the journal/fault hooks, the dispatcher, the JSON reader and the error
handler; read by Graph's headers, the request journal and the request log. One typed object under one
attribute of ``flask.g`` says what flows where, instead of a dozen loose attributes nobody declares.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import g, request

from mockgraph.core.text import ECHO_LIMIT, header_value

if TYPE_CHECKING:
    from mockgraph.core.errors import GraphError
    from mockgraph.core.operations import Route
    from mockgraph.core.principal import Principal

_ATTRIBUTE = "mockgraph_request"


def new_request_id() -> str:
    """A random version-4 GUID, as Graph's request ids are.

    Drawn from ``random`` rather than ``uuid.uuid4()``: ``os.urandom`` is a system call that gives up the
    interpreter lock, and on a threaded server every request then waited to take it back (a fifth of a
    served GET's time). A request id needs to be unique, not unguessable; ``random`` reseeds in forked
    workers, so they never repeat each other's ids.
    """
    return str(uuid.UUID(int=random.getrandbits(128), version=4))


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


def request_context() -> RequestContext:
    """The current request's context, made on first use (the ids from its ``client-request-id`` header).

    Needs an active request: call it from a hook, a view or an error handler.
    """
    found: RequestContext | None = g.get(_ATTRIBUTE)
    if found is None:
        request_id = new_request_id()
        sent = request.headers.get("client-request-id", "").strip()
        # Echoed into a header and the error body: capped and escaped once, here.
        echoed = header_value(sent, ECHO_LIMIT) if sent else None
        found = RequestContext(request_id=request_id, client_request_id=echoed or request_id)
        setattr(g, _ATTRIBUTE, found)
    return found
