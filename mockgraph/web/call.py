"""What a resource handler receives (``Call``) and returns (``Reply``): the hand-off between dispatch and views.

No Flask here: the dispatcher fills a ``Call`` from the request and turns the ``Reply`` into a response, so
handlers, the tables that name them and the verifier that reads the tables never load the web framework.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlencode

from mockgraph.core.config import MockGraphConfig
from mockgraph.core.contracts import Contracts
from mockgraph.core.errors import GraphError
from mockgraph.core.odata_parsing import encode_skiptoken
from mockgraph.core.operations import Operation, Route
from mockgraph.core.principal import Principal
from mockgraph.core.query_options import read_options
from mockgraph.identity.directory import Directory
from mockgraph.storage.store import Store

GRAPH_ROOT = "https://graph.microsoft.com"
_NO_HEADERS: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class Reply:
    """A handler's answer: a JSON document, a text body, or nothing (204)."""

    status: int = 200
    document: Any = None
    text: str | None = None
    content_type: str | None = None
    headers: Mapping[str, str] = field(default_factory=lambda: _NO_HEADERS)


def json_reply(document: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Reply:
    return Reply(status, document, headers=headers or _NO_HEADERS)


def no_content() -> Reply:
    return Reply(204)


def text_reply(text: str, content_type: str) -> Reply:
    return Reply(200, text=text, content_type=content_type)


def parse_query(operation: Operation, args: Mapping[str, list[str]], version: str) -> object:
    """The operation's parsed query options (None when it takes none); Graph's 400 for bad ones.

    The request checker calls this too, so the emulator and ``check_requests`` judge options alike.
    """
    if operation.query is None:
        return None
    options = read_options(args, version=version, allowed=operation.query.allowed)
    return operation.query.parse(options, version)


@dataclass(frozen=True)
class Call:
    """One authorised Graph call: where it goes, who makes it, what it acts on, and what it sent."""

    route: Route
    principal: Principal
    store: Store
    contracts: Contracts
    config: MockGraphConfig
    clock: Callable[[], float]
    # Query parameters as sent (every value per name), and the base of returned URLs (``http://host/``:
    # the public URL when one is configured, else the host the caller used; mockgraph.web.exposure).
    args: Mapping[str, list[str]]
    # Called only when a handler builds a URL (a nextLink): werkzeug's host_url costs a few µs per request.
    base_url: Callable[[], str]
    # Reads the JSON body (Graph's 400/413/415 for a bad one); called only by handlers that take a body.
    read_body: Callable[[], Any]
    # The operation's parsed query options (its QueryOptions.parse result), or None when it takes none.
    query: Any = None
    # Who exists (apps, service principals): for handlers that judge a configuration against the directory.
    directory: Directory | None = None

    @property
    def tenant(self) -> str:
        return self.principal.tenant_id

    @property
    def version(self) -> str:
        return self.route.version

    def now(self) -> float:
        return self.clock()

    def parameter(self, name: str) -> str:
        return self.route.parameters[name]

    def context(self, fragment: str) -> str:
        """An ``@odata.context`` URL for this version."""
        return f"{GRAPH_ROOT}/{self.route.version}/$metadata#{fragment}"

    def url(self, path: str) -> str:
        """An absolute URL on this emulator's base URL, for ``Location`` and ``@odata.nextLink``."""
        return f"{self.host_url}{self.route.version}/{path}"

    @property
    def host_url(self) -> str:
        return self.base_url()

    def next_link(self, path: str, offset: int) -> str:
        """``@odata.nextLink`` for the page at ``offset``: the request's own options, its ``$skiptoken`` replaced."""
        kept = [
            (name, value)
            for name, values in self.args.items()
            if name.lower().lstrip("$") != "skiptoken"
            for value in values
        ]
        kept.append(("$skiptoken", encode_skiptoken(offset)))
        return f"{self.url(path)}?{urlencode(kept, safe='$,()')}"

    def body(self) -> dict[str, Any]:
        """The request body, checked by the operation's body rule (Graph's 400 when it breaks it)."""
        rule = self.route.operation.body
        if rule is None:
            raise GraphError(reason=f"{self.route.operation.name} takes no body")
        return rule.on(self.version).check(self.contracts, self.read_body())
