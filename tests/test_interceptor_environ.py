"""call_app builds the WSGI environ itself: it must be, key for key and in order, the one werkzeug's
EnvironBuilder gives (the builder the interceptor used before), whatever the URL, headers and body."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote, urlsplit

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder

from mockgraph.testing.interceptor import call_app

Outcome = tuple[str, Any]
SKIPPED = {"content-length", "host", "connection", "transfer-encoding"}


def builder_environ(method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes) -> dict[str, Any]:
    """The reference: EnvironBuilder, then the path set as the interceptor has always set it."""
    parts = urlsplit(url)
    builder = EnvironBuilder(
        path="/",
        base_url=f"{parts.scheme}://{parts.netloc}",
        method=method,
        headers=Headers([(k, v) for k, v in headers if k.lower() not in SKIPPED]),
        data=body,
        query_string=parts.query,
    )
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    environ["PATH_INFO"] = unquote(parts.path or "/").encode("utf-8").decode("latin-1")
    environ["REQUEST_URI"] = environ["RAW_URI"] = parts.path + (f"?{parts.query}" if parts.query else "")
    return environ


def comparable(environ: dict[str, Any]) -> list[tuple[str, Any]]:
    """The environ as ordered pairs, the input stream read; an empty form's random boundary made constant."""
    pairs = [(key, value.read() if key == "wsgi.input" else value) for key, value in environ.items()]
    if any(key == "CONTENT_TYPE" and "WerkzeugFormPart_" in value for key, value in pairs):
        pairs = [
            (key, re.sub(r"WerkzeugFormPart_[0-9.]+", "B", value) if isinstance(value, str) else value)
            for key, value in pairs
            if key not in ("CONTENT_LENGTH", "wsgi.input")
        ]
    return pairs


def through_call_app(method: str, url: str, headers: list[tuple[str, str]], body: bytes) -> Outcome:
    seen: list[dict[str, Any]] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(environ)
        start_response("207 Multi-Status", [("X-A", "1"), ("Content-Type", "text/plain"), ("x-a", "2")])
        return [b"an", b"swer"]

    try:
        answer = call_app(app, method, url, iter(headers), body)  # type: ignore[arg-type]
    except Exception as error:  # failing alike (a newline in a header, a bad port) is the same behaviour
        return "raised", (type(error), str(error))
    assert answer == (207, [("X-A", "1"), ("Content-Type", "text/plain"), ("x-a", "2")], b"answer")
    return "environ", comparable(seen[0])


def through_builder(method: str, url: str, headers: list[tuple[str, str]], body: bytes) -> Outcome:
    try:
        return "environ", comparable(builder_environ(method, url, headers, body))
    except Exception as error:
        return "raised", (type(error), str(error))


HOSTS = [
    "graph.microsoft.com",
    "Graph.Microsoft.COM",
    "login.microsoftonline.com:443",
    "contoso.ciamlogin.com:0",
    "127.0.0.1:5000",
    "[::1]:5000",
    "[::1]",
    "graph.microsoft.com.",
    "a..b",
    "h:0443",
    "h:65536",
    "h:",
    "user:pw@h",
    "under_score.example",
    "bücher.example",
    "a" * 64 + ".example",
    "xn--n3h.net",
]
paths = st.one_of(
    st.sampled_from(
        ["", "/", "//beta/x", "/beta/a%20b", "/é", "/a%2Fb", "/%ZZ", "/beta/identity/apiConnectors"]
    ),
    st.text(max_size=12).map(lambda text: "/" + text),
)
queries = st.one_of(st.sampled_from(["", "$top=1&$select=id", "q=%C3%A9", "é=1"]), st.text(max_size=8))
names = st.one_of(
    st.sampled_from(
        [
            "Content-Type",
            "content-type",
            "Content-Length",
            "Host",
            "Connection",
            "Transfer-Encoding",
            "Authorization",
            "X-Dup",
            "x-dup",
            "CONTENT_TYPE",
        ]
    ),
    st.text(alphabet="abXY-_", min_size=1, max_size=6),
)
values = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "multipart/form-data",
            "application/x-www-form-urlencoded; charset=utf-8",
            " multipart/form-data ;x=1",
            "a\nb",
            "a\rb",
        ]
    ),
    st.text(max_size=8),
    st.integers(),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    method=st.sampled_from(["GET", "POST", "patch", "DELETE"]),
    scheme=st.sampled_from(["https", "http", "HTTPS"]),
    host=st.sampled_from(HOSTS),
    path=paths,
    query=queries,
    headers=st.lists(st.tuples(names, values), max_size=5),
    body=st.one_of(st.just(b""), st.binary(min_size=1, max_size=16)),
)
@example(
    "POST", "https", "graph.microsoft.com", "/beta/x", "", [("Content-Type", "multipart/form-data")], b""
)
@example("GET", "https", "graph.microsoft.com", "//x%20y", "a=%20", [("X-Dup", "1"), ("x-dup", "2")], b"")
@example(
    "PATCH", "https", "graph.microsoft.com", "/x", "", [("Content-Type", "a"), ("content-type", "b")], b"{}"
)
def test_call_app_gives_the_app_the_environ_the_builder_gave(
    method: str, scheme: str, host: str, path: str, query: str, headers: list[tuple[str, Any]], body: bytes
) -> None:
    url = f"{scheme}://{host}{path}" + (f"?{query}" if query else "")
    assert through_call_app(method, url, headers, body) == through_builder(method, url, headers, body)
