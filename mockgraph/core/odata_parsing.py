"""The OData parsing every collection shares: ``$top``/``$skip`` numbers, ``$skiptoken``, the nesting limit of
``$filter``, the list options and paging.

Each is written once so that a new resource gets the same limits (ASCII Int32 numbers, a skiptoken matched
rather than parsed, parentheses at most 32 deep before any recursive parser sees them) without copying them.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mockgraph.core.errors import InvalidRequest
from mockgraph.core.query_options import UnsupportedQuery

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


def filter_error(detail: str, reason: str = "$filter syntax") -> InvalidRequest:
    """Graph's 400 for a ``$filter`` it cannot read: ``Invalid filter clause: <detail>``."""
    return InvalidRequest(f"Invalid filter clause: {detail}", reason=reason)


def check_parentheses(tokens: Iterable[str], text: str) -> None:
    """Refuse a ``$filter`` whose parentheses nest deeper than the limit, before a recursive parser runs."""
    depth = 0
    for token in tokens:
        if token == "(":
            depth += 1
            if depth > MAX_FILTER_DEPTH:
                raise filter_error(
                    f"parentheses are nested more than {MAX_FILTER_DEPTH} deep in '{text}'.",
                    reason=f"$filter nesting > {MAX_FILTER_DEPTH}",
                )
        elif token == ")":
            depth = max(depth - 1, 0)


# --- list and count options, and paging: the same for every collection --------------------------------------

MAX_TOP = 999
Predicate = Callable[[Mapping[str, Any]], bool]
SortKey = Callable[[Mapping[str, Any]], Any]


def any_of(parts: tuple[Predicate, ...]) -> Predicate:
    """``or`` of a filter's parts."""
    return lambda record: any(part(record) for part in parts)


def all_of(parts: tuple[Predicate, ...]) -> Predicate:
    """``and`` of a filter's parts."""
    return lambda record: all(part(record) for part in parts)


@dataclass(frozen=True)
class CollectionQuery:
    """A validated set of query options for a list or count request."""

    select: tuple[str, ...] | None = None
    filter: Predicate | None = None
    orderby: tuple[tuple[str, bool], ...] = ()
    top: int | None = None
    skip: int = 0
    count: bool = False
    offset: int = 0


NO_OPTIONS = CollectionQuery()


def collection_query(
    options: Mapping[str, str],
    *,
    select: tuple[str, ...] | None,
    parse_orderby: Callable[[str], tuple[tuple[str, bool], ...]],
    parse_filter: Callable[[str], Predicate],
) -> CollectionQuery:
    """``$top``, ``$skip``, ``$count``, ``$orderby``, ``$filter`` and ``$skiptoken`` of a list, each checked as Graph
    does; the resource supplies what depends on its properties (the parsed ``$select``, its orderby and filter)."""
    if not options and select is None:
        return NO_OPTIONS  # most lists send none (a frozen query, so every such list can share one)
    top = None
    if "top" in options:
        top = non_negative("top", options["top"])
        if not 1 <= top <= MAX_TOP:
            raise UnsupportedQuery(
                f"Invalid page size specified: '{top}'. Must be between 1 and {MAX_TOP} inclusive.",
                reason="$top out of range",
            )
    skip = non_negative("skip", options["skip"]) if "skip" in options else 0
    count = False
    if "count" in options:
        flag = options["count"].strip().lower()
        if flag not in ("true", "false"):
            raise InvalidRequest(
                f"'{options['count']}' is not a valid count option.",
                reason="$count is not true or false",
            )
        count = flag == "true"
    orderby = parse_orderby(options["orderby"]) if "orderby" in options else ()
    predicate = parse_filter(options["filter"]) if "filter" in options else None
    offset = decode_skiptoken(options["skiptoken"]) if "skiptoken" in options else 0
    return CollectionQuery(select, predicate, orderby, top, skip, count, offset)


def page(
    records: Sequence[Mapping[str, Any]], query: CollectionQuery, sort_key: Callable[[str], SortKey]
) -> tuple[list[Mapping[str, Any]], int, int | None]:
    """Filter, order and page ``records``: (page, total matching, offset of the next page or None)."""
    predicate = query.filter
    matching = list(records) if predicate is None else [r for r in records if predicate(r)]
    for prop, descending in reversed(query.orderby):
        matching.sort(key=sort_key(prop), reverse=descending)
    start = query.skip + query.offset
    if query.top is None:
        return (matching[start:] if start else matching), len(matching), None
    end = start + query.top
    return matching[start:end], len(matching), end if end < len(matching) else None
