"""Limits on JSON input: nesting depth (measured without recursion), finite numbers, encodable strings.

Every parser of untrusted JSON (request bodies, the journal's own read of a body) goes through
:func:`parse_json`, so a document that would trouble a recursive walker later (the contract validator,
redaction, the journal export) or that no response could carry (``NaN``, ``1e999``, a lone ``\\ud800``
escape, which UTF-8 cannot encode) never gets in. Nothing here imports Flask.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# As deep as ASP.NET Core's System.Text.Json reads by default (MaxDepth 64); Graph documents are a few
# levels deep (a connector is 3), so this refuses only what no client means to send.
MAX_JSON_DEPTH = 64
DEFAULT_MAX_DEPTH = MAX_JSON_DEPTH


class JsonRefused(ValueError):
    """Raise if a JSON text is malformed, nested deeper than allowed, or holds a non-finite number.

    ``reason`` says which (for the journal and ``x-mockgraph-reason``); it never quotes the text.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_CONTAINERS = (dict, list, tuple)


def json_depth(value: Any, *, stop_after: int | None = None) -> int:
    """How deeply ``value`` nests dicts and lists: 0 for a scalar, 1 for ``[]`` or ``{"a": 1}``.

    With ``stop_after``, counting stops (returning ``stop_after + 1``) at the first level past it, so
    nothing nested deeper in an oversized value is read."""
    # One level at a time (the containers of each depth, then those inside them): the depth is the number
    # of levels, and no (container, depth) pair is built per container.
    deepest = 0
    level: list[Any] = [value] if isinstance(value, _CONTAINERS) else []
    while level:
        deepest += 1
        if stop_after is not None and deepest > stop_after:
            return deepest
        below: list[Any] = []
        for item in level:
            below += [
                c for c in (item.values() if isinstance(item, dict) else item) if isinstance(c, _CONTAINERS)
            ]
        level = below
    return deepest


def depth_of(value: Any) -> int:
    """How deeply ``value``'s lists and objects nest (a scalar is 0, ``[]`` is 1), without recursion."""
    return json_depth(value)


class JsonTooDeep(ValueError):
    """Raise if a JSON value nests objects and arrays deeper than a limit; ``limit`` says which."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"JSON nested deeper than {limit} levels")
        self.limit = limit


def ensure_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise ``JsonTooDeep`` if ``value`` nests dicts and lists deeper than ``limit`` levels."""
    if not check_depth(value, limit):
        raise JsonTooDeep(limit)


# A \uD800-\uDFFF escape in the text: only then can a parsed string hold a lone surrogate (raw UTF-8
# cannot encode one, and a valid pair decodes to a single character).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_lone_surrogate(value: Any) -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def check_depth(value: Any, limit: int) -> bool:
    """Whether ``value`` nests no deeper than ``limit`` levels (measured iteratively, stopping past it)."""
    return json_depth(value, stop_after=limit) <= limit


def _reject_constant(name: str) -> Any:
    raise JsonRefused(f"body holds the non-finite number {name}")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e999 reads as inf
        raise JsonRefused("body holds a number too large for a double")
    return number


def _few_containers(text: str | bytes, limit: int) -> bool:
    """Whether ``text`` opens at most ``limit`` objects and arrays, so that its document cannot nest deeper.

    Every dict or list parsed comes from its own ``{`` or ``[`` (one inside a string only adds to the count),
    and nesting ``n`` deep takes ``n`` of them: a typical body is settled by two counts, without a walk."""
    return isinstance(text, str) and text.count("{") + text.count("[") <= limit


# Built once: json.loads with these hooks builds a new decoder (and its scanner) per call, ~2 µs a body. Like
# json's own default decoder it holds no state between documents, so threads share it.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)


def parse_json(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The document in ``text``, or :class:`JsonRefused`: malformed, too deep, NaN/Infinity/1e999, or a
    string with an unpaired surrogate.

    ``json.loads`` recurses (in C) once per level and raises ``RecursionError`` near the interpreter's
    limit; that is a refusal too. Shallower documents are then measured iteratively.
    """
    try:
        if type(text) is str and not text.startswith("\ufeff"):
            document = _DECODER.decode(text)
        else:  # bytes, and what json.loads refuses (a BOM, another type), exactly as it reads them
            document = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except JsonRefused:
        raise
    except RecursionError:
        raise JsonRefused(f"body is nested deeper than {max_depth} levels") from None
    except (ValueError, UnicodeDecodeError, TypeError):
        raise JsonRefused("body is not valid JSON") from None
    if not _few_containers(text, max_depth) and not check_depth(document, max_depth):
        raise JsonRefused(f"body is nested deeper than {max_depth} levels")
    source = text if isinstance(text, str) else text.decode("utf-8", "replace")
    if _SURROGATE_ESCAPE.search(source) and _has_lone_surrogate(document):
        raise JsonRefused("body holds an unpaired surrogate escape")
    return document
