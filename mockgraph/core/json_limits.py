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


def json_depth(value: Any, *, stop_after: int | None = None) -> int:
    """How deeply ``value`` nests dicts and lists: 0 for a scalar, 1 for ``[]`` or ``{"a": 1}``.

    With ``stop_after``, counting stops (returning ``stop_after + 1``) as soon as the depth passes it,
    so an oversized value costs no more than the part of it that is read."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        depth += 1
        if depth > deepest:
            deepest = depth
            if stop_after is not None and deepest > stop_after:
                return deepest
        stack.extend((child, depth) for child in children if isinstance(child, dict | list | tuple))
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


def parse_json(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The document in ``text``, or :class:`JsonRefused`: malformed, too deep, NaN/Infinity/1e999, or a
    string with an unpaired surrogate.

    ``json.loads`` recurses (in C) once per level and raises ``RecursionError`` near the interpreter's
    limit; that is a refusal too. Shallower documents are then measured iteratively.
    """
    try:
        document = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except JsonRefused:
        raise
    except RecursionError:
        raise JsonRefused(f"body is nested deeper than {max_depth} levels") from None
    except (ValueError, UnicodeDecodeError, TypeError):
        raise JsonRefused("body is not valid JSON") from None
    if not check_depth(document, max_depth):
        raise JsonRefused(f"body is nested deeper than {max_depth} levels")
    source = text if isinstance(text, str) else text.decode("utf-8", "replace")
    if _SURROGATE_ESCAPE.search(source) and _has_lone_surrogate(document):
        raise JsonRefused("body holds an unpaired surrogate escape")
    return document
