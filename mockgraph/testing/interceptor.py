"""GraphMock: answer ``requests`` and ``httpx`` calls to Graph and its login host from an in-process app, with no socket.

While a ``GraphMock`` is active:

- every ``requests`` call (through ``responses``) and every ``httpx`` call, sync or async (by patching
  ``httpx.HTTPTransport.handle_request`` and ``httpx.AsyncHTTPTransport.handle_async_request``, as respx
  does), to ``https://graph.microsoft.com/...``, ``https://login.microsoftonline.com/...`` or an external
  tenant's ``https://{tenant}.ciamlogin.com/...`` is answered by the app's WSGI callable, in this process;
- the sign-up simulator's real-HTTP calls (``DeadlineTransport.send``, which uses neither library) likewise;
- any other Graph URL gets Graph's own error from the app (the catch-all route), never the network;
- any other host is refused with the library's connection error (and journaled as unroutable), unless
  it is listed in ``allow_hosts`` (a host, any port; or ``host:port``, that port only): then, and only
  then, the call goes out as it would without the mock.

Why not respx: the patch point is two methods, httpx stays an optional dependency, and one forwarding
function serves requests and both httpx flavours, so they cannot drift apart.
"""

from __future__ import annotations

import functools
import inspect
import re
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from io import BytesIO
from typing import Any, TypeVar, cast
from unittest import mock
from urllib.parse import SplitResult, unquote, urlsplit

import responses
from flask import Flask
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder

from mockgraph.app import create_app
from mockgraph.identity.discovery import ciam_label
from mockgraph.testing.testkit import Connectors, SeedSpec, Tokens, prepare
from mockgraph.web.faults import Faults
from mockgraph.web.hooks import GRAPH_HOST, LOGIN_HOST, faults_of, journal_of
from mockgraph.web.journal import Journal, JournalEntry
from mockgraph.web.state import state_of

INTERCEPTED_HOSTS = frozenset({GRAPH_HOST, LOGIN_HOST})
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
# Hop-by-hop or computed headers that the WSGI environ carries in its own keys.
_SKIPPED_REQUEST_HEADERS = frozenset({"content-length", "host", "connection", "transfer-encoding"})
# A host[:port] that iri_to_uri (hence EnvironBuilder) leaves as it is: lower-case ASCII labels of 1-63.
_SIMPLE_NETLOC = re.compile(r"[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*(?::[0-9]{1,5})?")
# With an empty body, EnvironBuilder encodes an (empty) form for these content types.
_FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})

F = TypeVar("F", bound=Callable[..., Any])
Answer = tuple[int, list[tuple[str, str]], bytes]


def call_app(
    app: Flask, method: str, url: str | SplitResult, headers: Iterable[tuple[str, str]], body: bytes
) -> Answer:
    """Run one request through ``app``'s WSGI callable and return its status, headers and body; ``url`` may
    come already split (the router splits it once to pick the host)."""
    parts = url if isinstance(url, SplitResult) else urlsplit(url)
    environ = _environ(method, parts, headers, body)
    reply: tuple[str, list[tuple[str, str]]] | None = None

    # What werkzeug's run_wsgi_app(buffered=True) did, without its Headers copy of the response headers.
    def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        nonlocal reply
        if exc_info:
            try:
                raise exc_info[1].with_traceback(exc_info[2])
            finally:
                exc_info = None
        reply = (status, response_headers)
        return [].append  # write() output is dropped, as the buffered run_wsgi_app dropped it

    app_iter = app(environ, start_response)
    try:
        content = b"".join(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
    status, response_headers = reply  # type: ignore[misc]
    return int(status.split(" ", 1)[0]), _answer_headers(response_headers), content


def _environ(
    method: str, parts: SplitResult, headers: Iterable[tuple[str, str]], body: bytes
) -> dict[str, Any]:
    """The environ werkzeug's EnvironBuilder gives for this request, key for key and in its order, built
    directly: the builder (Headers objects, iri_to_uri, properties) cost more than the rest of the
    interceptor. Anything off the common path (an unusual host, an empty form body) still goes through it."""
    if not isinstance(headers, (list, tuple)):
        headers = list(headers)  # the fallback below reads them again
    content_type: str | None = None
    http: dict[str, str] = {}
    for key, value in headers:
        lowered = key.lower()
        if lowered in _SKIPPED_REQUEST_HEADERS:
            continue
        if not isinstance(value, str):
            value = str(value)
        if "\n" in value or "\r" in value:
            raise ValueError("Header values must not contain newline characters.")
        if lowered == "content-type":
            if content_type is None:
                content_type = value
            continue
        name = f"HTTP_{key.upper().replace('-', '_')}"
        http[name] = f"{http[name]}, {value}" if name in http else value
    scheme, netloc = parts.scheme, parts.netloc
    if (
        (scheme != "https" and scheme != "http")
        or _SIMPLE_NETLOC.fullmatch(netloc) is None
        or type(body) is not bytes
        or (not body and content_type is not None and content_type.partition(";")[0].strip() in _FORM_TYPES)
    ):
        return _built_environ(method, parts, headers, body)
    name, _, port = netloc.partition(":")
    if port and (int(port) > 65535 or str(int(port)) != port):
        return _built_environ(method, parts, headers, body)
    raw_uri = parts.path + (f"?{parts.query}" if parts.query else "")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": _path_info(parts.path),
        "QUERY_STRING": parts.query.encode().decode("latin1"),
        "REQUEST_URI": raw_uri,
        "RAW_URI": raw_uri,
        "SERVER_NAME": name,
        "SERVER_PORT": port or ("443" if scheme == "https" else "80"),
        "HTTP_HOST": netloc,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if content_type is not None:
        environ["CONTENT_TYPE"] = content_type
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
    environ.update(http)
    return environ


def _built_environ(
    method: str, parts: SplitResult, headers: Iterable[tuple[str, str]], body: bytes
) -> dict[str, Any]:
    """The environ through werkzeug's EnvironBuilder (which normalises an unusual host with iri_to_uri)."""
    kept = Headers([(k, v) for k, v in headers if k.lower() not in _SKIPPED_REQUEST_HEADERS])
    builder = EnvironBuilder(
        path="/",
        base_url=f"{parts.scheme}://{parts.netloc}",
        method=method,
        headers=kept,
        data=body,
        query_string=parts.query,
    )
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    # Set the path here, not through the builder: it would read a leading "//" as a host name.
    environ["PATH_INFO"] = _path_info(parts.path)
    environ["REQUEST_URI"] = environ["RAW_URI"] = parts.path + (f"?{parts.query}" if parts.query else "")
    return environ


def _path_info(path: str) -> str:
    return unquote(path or "/").encode("utf-8").decode("latin-1")


def _answer_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The response headers as werkzeug's Headers would hand them over: values str, with no newline."""
    for _, value in headers:
        if value.__class__ is not str or "\n" in value or "\r" in value:
            return list(Headers(headers).items())
    return list(headers)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _host_and_port(url: str) -> str:
    """``host:port`` of ``url`` (``[::1]:5000`` for IPv6), port included only when the URL names one."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    return host if port is None else f"{host}:{port}"


def _names_a_port(entry: str) -> bool:
    """``host:port`` or ``[v6]:port``, as opposed to a bare host (an IPv6 address alone holds colons too)."""
    if entry.startswith("["):
        return "]:" in entry
    return entry.count(":") == 1


def _passthru_pattern(entry: str) -> re.Pattern[str]:
    """The URLs an ``allow_hosts`` entry lets through: "127.0.0.1" any port, "127.0.0.1:5000" that port only."""
    if _names_a_port(entry):
        return re.compile(rf"https?://{re.escape(entry)}(/|\?|$)", re.IGNORECASE)
    host = f"[{entry}]" if ":" in entry else entry  # a bare IPv6 address is bracketed in URLs
    return re.compile(rf"https?://{re.escape(host)}(:\d+)?(/|\?|$)", re.IGNORECASE)


def _request_body(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        return cast(bytes, body.read())
    return b"".join(chunk.encode() if isinstance(chunk, str) else chunk for chunk in body)


class GraphMock:
    """In-process Graph for ``requests`` and ``httpx``: a context manager and a decorator.

    ``app`` defaults to a new app in ``permissive`` auth mode (``config`` overrides it). With ``fresh``
    (the default for an app the mock builds itself) every start resets the app, so a decorated test always
    starts empty; ``reset()`` does the same at any time. A reset empties the store, journal and fault
    rules, then applies ``faults`` (a fault spec) and ``seed`` (create bodies for ``tenant_id``, or
    ``{tenant_id: [bodies]}``). ``allow_hosts`` lists the other hosts that may reach the network: a host
    (any port) or ``host:port``. With ``strict``, leaving the mock raises AssertionError if any request
    could not be routed.
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        config: dict[str, Any] | None = None,
        allow_hosts: Iterable[str] = (),
        strict: bool = False,
        tenant_id: str | None = None,
        seed: SeedSpec | None = None,
        faults: Mapping[str, Any] | None = None,
        fresh: bool | None = None,
    ) -> None:
        if app is not None and config is not None:
            raise ValueError("pass either an app or a config, not both")
        self.owns_app = app is None
        self.app = app if app is not None else create_app({"auth_mode": "permissive", **(config or {})})
        self.allow_hosts = frozenset(host.lower() for host in allow_hosts)
        self.strict = strict
        self.fresh = self.owns_app if fresh is None else fresh
        self.seed = seed
        self.fault_rules = dict(faults) if faults else None
        tenant = tenant_id or state_of(self.app).gatekeeper.directory.default_tenant_id
        self.connectors = Connectors(self.app, tenant_id=tenant)
        self.tokens = Tokens(self.app, tenant_id=tenant)
        self._requests_mock: responses.RequestsMock | None = None
        self._patches: list[Any] = []

    @property
    def journal(self) -> Journal:
        return journal_of(self.app)

    @property
    def faults(self) -> Faults:
        return faults_of(self.app)

    @property
    def active(self) -> bool:
        return self._requests_mock is not None

    # Lifecycle ------------------------------------------------------------------------------------

    def start(self) -> None:
        if self.active:
            raise RuntimeError("this GraphMock is already active")
        if self.fresh:
            self.reset()
        requests_mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        for method in METHODS:
            requests_mock.add_callback(
                method,
                re.compile(r".*"),
                callback=self._answer_requests,
                content_type=None,
                match=[self._not_allowed_matcher],
            )
        for host in self.allow_hosts:
            requests_mock.add_passthru(_passthru_pattern(host))
        requests_mock.start()
        self._requests_mock = requests_mock
        self._patches = [*self._httpx_patches(), self._simulator_patch()]
        for patch in self._patches:
            patch.start()

    def stop(self, *, check: bool = True) -> None:
        """Undo the patches; with ``strict`` (and ``check``), fail if a request could not be routed."""
        for patch in reversed(self._patches):
            patch.stop()
        self._patches = []
        if self._requests_mock is not None:
            self._requests_mock.stop(allow_assert=False)
            self._requests_mock.reset()
            self._requests_mock = None
        if check and self.strict:
            self.check_unroutable()

    def check_unroutable(self) -> None:
        """Raise AssertionError listing the requests the emulator could not route, if there were any."""
        missed = self.journal.unroutable()
        if missed:
            listed = "\n".join(f"  - {entry.host} {entry.describe()}" for entry in missed)
            raise AssertionError(f"mockgraph could not route {len(missed)} request(s):\n{listed}")

    def reset(self) -> None:
        """Start over: forget every object, journal entry and fault rule, then apply this mock's faults and seed.

        Usable between Hypothesis examples (``@given``), where a function-scoped fixture is not re-run."""
        prepare(self.app, tenant_id=self.connectors.tenant_id, seed=self.seed, faults=self.fault_rules)

    def __enter__(self) -> GraphMock:
        self.start()
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.stop(check=exc_type is None)

    def __call__(self, func: F) -> F:
        """Use as a decorator: the mock is active for each call of ``func`` (sync or async)."""
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await func(*args, **kwargs)

            return cast(F, async_wrapper)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return cast(F, wrapper)

    # Routing --------------------------------------------------------------------------------------

    def allowed(self, url: str) -> bool:
        """Whether ``url`` goes out to the network: its host, or its ``host:port``, is in ``allow_hosts``."""
        if not self.allow_hosts:  # the usual case, asked on every request: no URL to parse
            return False
        return _host(url) in self.allow_hosts or _host_and_port(url) in self.allow_hosts

    def _not_allowed_matcher(self, request: Any) -> tuple[bool, str]:
        allowed = self.allowed(request.url)
        return (not allowed, "host is in allow_hosts" if allowed else "")

    def answer(self, method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes) -> Answer | None:
        """The app's answer for an intercepted host; None (after journaling it) for a refused host."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host in INTERCEPTED_HOSTS or ciam_label(host) is not None:
            return self._forward(method, parts, headers, body)
        self._journal_refusal(method, url)
        return None

    def _forward(
        self, method: str, parts: SplitResult, headers: Iterable[tuple[str, str]], body: bytes
    ) -> Answer:
        """Run an intercepted request through the app (split once, by ``answer``, to pick the host)."""
        return call_app(self.app, method, parts, headers, body)

    def _journal_refusal(self, method: str, url: str) -> None:
        parts = urlsplit(url)
        now = time.monotonic()
        self.journal.record(
            JournalEntry(
                method=method,
                path=parts.path or "/",
                host=parts.netloc,
                unroutable=True,
                reason="connection refused by mockgraph: host is not Graph, its login host, or in allow_hosts",
                time=self.journal.clock(),
                started=now,
                finished=now,
            )
        )

    def _refusal_message(self, url: str) -> str:
        return (
            f"mockgraph refused a connection to {_host(url)!r}: only graph.microsoft.com, "
            "login.microsoftonline.com and *.ciamlogin.com are answered; pass allow_hosts=[...] to let other "
            "hosts through"
        )

    def _answer_requests(self, request: Any) -> tuple[int, dict[str, str], bytes]:
        import requests

        answer = self.answer(
            request.method, request.url, request.headers.items(), _request_body(request.body)
        )
        if answer is None:
            raise requests.exceptions.ConnectionError(self._refusal_message(request.url), request=request)
        status, headers, content = answer
        return status, dict(headers), content

    def _httpx_patches(self) -> list[Any]:
        try:
            import httpx
        except ImportError:  # httpx is optional; requests interception still works
            return []
        original_sync = httpx.HTTPTransport.handle_request
        original_async = httpx.AsyncHTTPTransport.handle_async_request
        graph = self

        def handle_request(transport: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
            url = str(request.url)  # httpx renders the URL anew on every str()
            if graph.allowed(url):
                return original_sync(transport, request)
            answer = graph.answer(request.method, url, request.headers.multi_items(), request.read())
            if answer is None:
                raise httpx.ConnectError(graph._refusal_message(url), request=request)
            return httpx.Response(answer[0], headers=answer[1], content=answer[2], request=request)

        async def handle_async_request(
            transport: httpx.AsyncHTTPTransport, request: httpx.Request
        ) -> httpx.Response:
            url = str(request.url)
            if graph.allowed(url):
                return await original_async(transport, request)
            body = await request.aread()
            answer = graph.answer(request.method, url, request.headers.multi_items(), body)
            if answer is None:
                raise httpx.ConnectError(graph._refusal_message(url), request=request)
            return httpx.Response(answer[0], headers=answer[1], content=answer[2], request=request)

        return [
            mock.patch.object(httpx.HTTPTransport, "handle_request", handle_request),
            mock.patch.object(httpx.AsyncHTTPTransport, "handle_async_request", handle_async_request),
        ]

    def _simulator_patch(self) -> Any:
        """The sign-up simulator speaks http.client directly: route its calls as requests' and httpx's are."""
        from mockgraph.signup.deadline import DeadlineTransport
        from mockgraph.signup.messages import InboundResponse, OutboundRequest, TransportFailure
        from mockgraph.signup.verdicts import FailureKind

        original = DeadlineTransport.send
        graph = self

        def send(
            transport: DeadlineTransport, request: OutboundRequest, deadline_seconds: float
        ) -> InboundResponse | TransportFailure:
            if graph.allowed(request.url):
                return original(transport, request, deadline_seconds)
            answer = graph.answer("POST", request.url, request.headers.items(), request.body)
            if answer is None:
                # requests' ConnectionError (what the simulator got when it used requests) was a connection error
                return TransportFailure(FailureKind.CONNECTION_ERROR, graph._refusal_message(request.url))
            status, headers, content = answer
            return InboundResponse(status, content, dict(headers))

        return mock.patch.object(DeadlineTransport, "send", send)
