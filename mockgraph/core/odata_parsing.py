"""The hardened pieces every resource's OData parsing shares: ``$top``/``$skip`` numbers, ``$skiptoken`` and the
nesting limit of ``$filter``.

Each is written once so that a new resource gets the same limits (ASCII Int32 numbers, a skiptoken matched
rather than parsed, parentheses at most 32 deep before any recursive parser sees them) without copying them.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable

from mockgraph.core.errors import InvalidRequest

# OData reads $top and $skip as Int32: anything larger is not a value Graph can take.
MAX_INT32 = 2**31 - 1
# Parentheses nest at most this deep in $filter: the parsers recurse per level, and a real filter needs a handful.
MAX_FILTER_DEPTH = 32
# Exactly what encode_skiptoken writes: matched, not parsed, so no nesting in a forged token reaches a parser.
_SKIPTOKEN = re.compile(rb'\{"offset":(0|[1-9][0-9]{0,15})\}')


def non_negative(name: str, value: str) -> int:
    """A ``$top``/``$skip`` value: ASCII digits only (``\\d`` would take '٣', which int() reads as 3) within Int32."""
    digits = value.strip()
    if not re.fullmatch(r"[0-9]{1,10}", digits) or int(digits) > MAX_INT32:
        raise InvalidRequest(
            f"Invalid value '{value}' for ${name} query option found. The ${name} query option requires a "
            "non-negative integer value.",
            reason=f"${name} is not a non-negative integer",
        )
    return int(digits)


def encode_skiptoken(offset: int) -> str:
    raw = json.dumps({"offset": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_skiptoken(token: str) -> int:
    """The offset a ``$skiptoken`` this emulator wrote holds; Graph's 400 for anything else."""
    try:
        padded = token + "=" * (-len(token) % 4)
        decoded = base64.urlsafe_b64decode(padded.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        decoded = b""
    match = _SKIPTOKEN.fullmatch(decoded)
    if match is None:
        raise InvalidRequest("The specified $skiptoken value is invalid.", reason="undecodable $skiptoken")
    return int(match.group(1))


def check_parentheses(tokens: Iterable[str], text: str) -> None:
    """Refuse a ``$filter`` whose parentheses nest deeper than the limit, before a recursive parser runs."""
    depth = 0
    for token in tokens:
        if token == "(":
            depth += 1
            if depth > MAX_FILTER_DEPTH:
                raise InvalidRequest(
                    f"Invalid filter clause: parentheses are nested more than {MAX_FILTER_DEPTH} deep in '{text}'.",
                    reason=f"$filter nesting > {MAX_FILTER_DEPTH}",
                )
        elif token == ")":
            depth = max(depth - 1, 0)
