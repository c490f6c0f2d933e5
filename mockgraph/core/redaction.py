"""Redaction: the one list of secret names, and the functions that keep secrets out of what is kept or shown.

Used by the request journal, the request log, snapshots, the verifier's transcript and every error reason
(``x-mockgraph-reason``). Names compare case-insensitively with ``-`` and ``_`` removed, so
``client_secret``, ``clientSecret`` and ``Client-Secret`` are one name. Free text (a reason, a query value)
is searched for what looks like a token instead: a JWT, a ``Bearer`` credential, a long base64 run.

The one secret allowed to appear is the default app's published development secret
(``mockgraph.core.config.DEFAULT_CLIENT_SECRET``), which the README and the ``serve`` banner print; it is
still redacted wherever it is sent under a secret name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "<redacted>"
TOO_DEEP = "<too deep>"
# Graph's mask for a stored password; Graph shows it itself, so it is not a secret and is kept as is.
MASKED_PASSWORD = "******"
# Deeper than any document the emulator accepts (64 levels): a guard, so redaction itself never recurses
# without bound whatever it is given.
MAX_KEPT_DEPTH = 100
SECRET_NAMES = frozenset(
    {
        "password",
        "passwd",
        "pwd",
        "pkcs12value",
        "clientsecret",
        "secret",
        "authorization",
        "accesstoken",
        "refreshtoken",
        "idtoken",
        "token",
        "clientassertion",
        "assertion",
        "code",  # OAuth's authorization code (a form field, a redirect's query)
        "privatekey",
        "apikey",
        # A custom authentication extension's callout: the email one-time code, the JWE holding the password
        # and the password claim inside it.
        "onetimecode",
        "encryptedpasswordcontext",
        "userpassword",
    }
)

_SURROGATE = re.compile("[\ud800-\udfff]")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*){1,4}")
# A credential after "Bearer": RFC 6750's token68 characters, long enough not to be a word ("Bearer token").
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{16,}")
# Base64 and base64url characters but '/' and '.', so paths and dotted type names stay separate words.
_RUN = re.compile(r"[A-Za-z0-9+_=-]{32,}")
_DIGIT = re.compile(r"[0-9]")


def _normal(name: object) -> str:
    return str(name).replace("_", "").replace("-", "").lower()


def is_secret_name(name: object) -> bool:
    """Whether a key, query parameter or form field of this name holds a secret."""
    return _normal(name) in SECRET_NAMES


def redact(document: Any, *, max_depth: int = MAX_KEPT_DEPTH) -> Any:
    """A JSON-ready copy of ``document``, safe to keep and publish: never raises, whatever it is given.

    Every secret-named value reads ``<redacted>``; a non-finite number becomes its name (``"nan"``,
    ``"inf"``), which no JSON encoder refuses; a lone surrogate, which UTF-8 cannot carry, becomes U+FFFD;
    anything nested deeper than ``max_depth`` reads ``<too deep>``; keys become strings and values JSON
    has no type for become their ``repr``.
    """
    return _redact(document, max_depth, "")


# Values kept as they are, by exact type (a subclass takes the general path below).
_KEPT = frozenset({int, bool, type(None)})


def _redact(value: Any, depth_left: int, parent: str) -> Any:
    kind = type(value)
    if kind is str:
        return value if value.isascii() else _encodable(value)
    if kind in _KEPT:
        return value
    if isinstance(value, str):
        return _encodable(value)
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, dict | list | tuple) and depth_left <= 0:
        return TOO_DEEP
    if isinstance(value, dict):
        return _redact_object(value, depth_left - 1, parent)
    if isinstance(value, list | tuple):
        return [_redact(item, depth_left - 1, parent) for item in value]
    return repr(value)


def _redact_object(value: dict[Any, Any], depth_left: int, parent: str) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, item in value.items():
        text = key if type(key) is str else str(key)
        name = _normal(text)  # normalised once: it judges the member and names the parent of what it holds
        # Graph's mask is not a secret, and in Graph's error envelope {"error": {"code": ...}} that code
        # is an error code, not an OAuth code.
        if name in SECRET_NAMES and item != MASKED_PASSWORD and not (parent == "error" and name == "code"):
            item = REDACTED
        elif type(item) is str:  # most members: kept without a call when they are ASCII
            item = item if item.isascii() else _encodable(item)
        elif type(item) not in _KEPT:
            item = _redact(item, depth_left, name)
        kept[text if text.isascii() else _encodable(text)] = item
    return kept


def _encodable(text: str) -> str:
    # A lone surrogate cannot be written as UTF-8 (the response would fail): U+FFFD stands in for it.
    return text if text.isascii() or not _SURROGATE.search(text) else _SURROGATE.sub("\ufffd", text)


def redact_query(query: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Query parameters (every value per name): secret-named ones redacted, the rest through ``redact_text``."""
    return {
        redact_text(name): [REDACTED if is_secret_name(name) else redact_text(v) for v in values]
        for name, values in query.items()
    }


def redact_fields(fields: Mapping[str, str]) -> dict[str, str]:
    """Form fields (the token endpoint's): secret-named ones redacted, the rest through ``redact_text``."""
    return {name: REDACTED if is_secret_name(name) else redact_text(value) for name, value in fields.items()}


def redact_tokens(text: str) -> str:
    """``text`` with every JWT and every ``Bearer`` credential replaced (ids are left alone)."""
    if "eyJ" in text:
        text = _JWT.sub(REDACTED, text)
    # Every text the journal keeps passes here (each path): the case-insensitive search runs only on one
    # that holds the word at all, since no character but B/b lowers to "b" (and so on for the others).
    if "bearer" not in text.lower():
        return text
    return _BEARER.sub(lambda match: f"{match.group(1)} {REDACTED}", text)


def _looks_random(run: str) -> bool:
    # A long run with upper case, lower case and digits: a base64 blob or key, not a word, a GUID
    # (lower case and digits) or a path segment. ``run`` is ASCII (``_RUN``), so it holds an upper-case
    # letter exactly when lowering changes it: string methods in C, not a generator per character (a GUID
    # in every logged path was scanned character by character).
    return run.lower() != run and run.upper() != run and _DIGIT.search(run) is not None


def redact_text(text: str) -> str:
    """Free text (a reason, a query value) with anything token-like replaced: JWTs, ``Bearer`` credentials,
    and runs of 32 or more base64 characters mixing upper case, lower case and digits."""
    text = redact_tokens(text)
    if len(text) < 32:
        return text
    return _RUN.sub(lambda match: REDACTED if _looks_random(match.group(0)) else match.group(0), text)
