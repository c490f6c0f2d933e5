"""Why a command could not reach a running server: one line naming the URL and the cause, never a bare class name.

``requests`` wraps the cause three levels deep (``ConnectionError`` around urllib3's ``MaxRetryError`` around
``NewConnectionError`` around the ``ConnectionRefusedError``) and prints the whole chain on one long line;
what a person needs is the innermost system error ("Connection refused", "Name or service not known").
"""

from __future__ import annotations

import requests

CA_HINT = "pass --ca with the CA file 'mockgraph serve --tls' printed"
# How much of an unexpected error's text is kept: one line, not urllib3's whole chain.
MESSAGE_LIMIT = 200


def _system_error(error: BaseException) -> OSError | None:
    """The innermost ``OSError`` with a system message in ``error``'s chain of causes."""
    found: OSError | None = None
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, OSError) and cause.strerror:
            found = cause
        cause = cause.__cause__ or cause.__context__
    return found


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MESSAGE_LIMIT else line[: MESSAGE_LIMIT - 3] + "..."


def unreachable(url: str, error: requests.RequestException, *, timeout: float | None = None) -> str:
    """``cannot reach URL: cause`` (or the certificate problem), for a request to ``url`` that raised ``error``."""
    if isinstance(error, requests.exceptions.SSLError):
        return f"cannot verify {url}'s certificate: {CA_HINT}"
    if isinstance(error, requests.exceptions.MissingSchema | requests.exceptions.InvalidSchema):
        return f"cannot reach {url}: not an http:// or https:// URL (e.g. http://127.0.0.1:5000)"
    if isinstance(error, requests.exceptions.InvalidURL):
        return f"cannot reach {url}: not a valid URL ({_one_line(str(error))})"
    if isinstance(error, requests.exceptions.Timeout):
        within = f" within {timeout:g} s" if timeout is not None else ""
        return f"cannot reach {url}: no answer{within}"
    system = _system_error(error)
    if isinstance(system, ConnectionRefusedError):
        return f"cannot reach {url}: connection refused (is 'mockgraph serve' running there?)"
    if system is not None:
        return f"cannot reach {url}: {system.strerror}"
    return f"cannot reach {url}: {_one_line(str(error)) or type(error).__name__}"
