"""Limits on parsed JSON values, checked without recursion (so a deep value cannot exhaust the stack)."""

from __future__ import annotations

from typing import Any

# System.Text.Json's default MaxDepth (the ASP.NET Core stack Graph's front ends run on); Graph does not
# document its own. Far below the ~1,000 levels where Python's recursive json, copy and repr give up.
DEFAULT_MAX_DEPTH = 64


class JsonTooDeep(ValueError):
    """Raise if a JSON value nests objects and arrays deeper than a limit; ``limit`` says which."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"JSON nested deeper than {limit} levels")
        self.limit = limit


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


def check_depth(value: Any, limit: int = DEFAULT_MAX_DEPTH) -> None:
    """Raise ``JsonTooDeep`` if ``value`` nests dicts and lists deeper than ``limit`` levels."""
    if json_depth(value, stop_after=limit) > limit:
        raise JsonTooDeep(limit)
