"""OData query options on API connectors: parsing, validation, filtering, ordering and paging.

Supported: ``$select``, ``$top`` (with ``@odata.nextLink``/``$skiptoken`` paging), ``$skip``, ``$count``,
``$orderby`` and a ``$filter`` subset (``eq``, ``ne``, ``startswith`` on the string properties, with
``and``/``or``/parentheses nested at most 32 deep). Anything malformed or unsupported is Graph's 400, never
silently ignored. Parsing is linear in the length of the option (which ``read_options`` caps).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mockgraph.core.errors import InvalidRequest
from mockgraph.core.odata_parsing import (
    MAX_FILTER_DEPTH,
    CollectionQuery,
    Predicate,
    all_of,
    any_of,
    collection_query,
    filter_error,
    page,
)
from mockgraph.core.query_options import COLLECTION_OPTIONS, UnsupportedQuery

ENTITY_TYPE = "microsoft.graph.identityApiConnector"
PROPERTIES = ("id", "displayName", "targetUrl", "authenticationConfiguration")
STRING_PROPERTIES = ("id", "displayName", "targetUrl")
# OData reads $top and $skip as Int32: anything larger is not a value Graph can take.
LIST_OPTIONS = COLLECTION_OPTIONS
GET_OPTIONS = frozenset({"select", "expand"})
COUNT_OPTIONS = frozenset({"filter", "search"})


def parse_select(value: str) -> tuple[str, ...]:
    names: list[str] = []
    for item in value.split(","):
        name = item.strip()
        canonical = _property(name, for_what="$select")
        if canonical not in names:
            names.append(canonical)
    return tuple(names)


def check_expand(value: str) -> None:
    # identityApiConnector has no navigation properties: only '*' (a no-op) is meaningful.
    for item in value.split(","):
        name = item.strip()
        if name != "*":
            _property(name, for_what="$expand")
            raise InvalidRequest(
                f"Property '{name}' on type '{ENTITY_TYPE}' is not a navigation property or complex "
                "property. Only navigation properties can be expanded.",
                reason=f"$expand of {name}",
            )


def _property(name: str, *, for_what: str) -> str:
    for prop in PROPERTIES:
        if prop.lower() == name.lower():
            return prop
    raise InvalidRequest(
        f"Could not find a property named '{name}' on type '{ENTITY_TYPE}'.",
        reason=f"{for_what} names unknown property {name!r}",
    )


def parse_collection_query(options: Mapping[str, str]) -> CollectionQuery:
    """Validate list/count options; raise Graph's 400 for anything malformed or unsupported."""
    if "search" in options:
        raise UnsupportedQuery(
            "Search is not supported for the resource 'apiConnectors'.",
            reason="$search",
        )
    if "expand" in options:
        check_expand(options["expand"])
    select = parse_select(options["select"]) if "select" in options else None
    return collection_query(options, select=select, parse_orderby=parse_orderby, parse_filter=parse_filter)


def parse_orderby(value: str) -> tuple[tuple[str, bool], ...]:
    keys: list[tuple[str, bool]] = []
    for clause in value.split(","):
        words = clause.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise InvalidRequest(
                f"Syntax error in $orderby clause '{clause.strip()}'.",
                reason="bad $orderby",
            )
        prop = _property(words[0], for_what="$orderby")
        if prop not in STRING_PROPERTIES:
            raise UnsupportedQuery(f"Order by '{prop}' is not supported.", reason=f"$orderby on {prop}")
        keys.append((prop, len(words) == 2 and words[1].lower() == "desc"))
    return tuple(keys)


def apply(
    records: Sequence[Mapping[str, Any]], query: CollectionQuery
) -> tuple[list[Mapping[str, Any]], int, int | None]:
    """Filter, order and page ``records``: (page, total matching, offset of the next page or None)."""
    return page(records, query, _sort_key)


def _sort_key(prop: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda record: str(record[prop]).casefold()


# --- $filter -------------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"'(?:[^']|'')*'|[(),]|[A-Za-z_][A-Za-z0-9_.]*")


def _tokens(text: str) -> list[str]:
    """The filter's tokens, scanned once from left to right (no copy of the rest of the text per token)."""
    tokens: list[str] = []
    position = _after_space(text, 0)
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise filter_error(
                f"syntax error at position {position} in '{text}' (unexpected '{text[position]}')."
            )
        tokens.append(match.group(0))
        position = _after_space(text, match.end())
    return tokens


def _after_space(text: str, position: int) -> int:
    space = _SPACE.match(text, position)
    return space.end() if space is not None else position


class _FilterParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.position = 0
        self.depth = 0  # parentheses open at this point

    def fail(self, detail: str) -> InvalidRequest:
        return filter_error(detail)

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise self.fail(f"unexpected end of expression in '{self.text}'.")
        if expected is not None and token.lower() != expected:
            raise self.fail(f"'{expected}' expected but found '{token}' in '{self.text}'.")
        self.position += 1
        return token

    def parse(self) -> Predicate:
        if not self.tokens:
            raise self.fail("the expression is empty.")
        predicate = self.disjunction()
        if self.peek() is not None:
            raise self.fail(f"unexpected '{self.peek()}' in '{self.text}'.")
        return predicate

    def disjunction(self) -> Predicate:
        parts = [self.conjunction()]
        while (self.peek() or "").lower() == "or":
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else any_of(tuple(parts))

    def conjunction(self) -> Predicate:
        parts = [self.primary()]
        while (self.peek() or "").lower() == "and":
            self.take()
            parts.append(self.primary())
        return parts[0] if len(parts) == 1 else all_of(tuple(parts))

    def primary(self) -> Predicate:
        token = self.take()
        if token == "(":
            self.depth += 1
            if self.depth > MAX_FILTER_DEPTH:
                raise self.fail(f"parentheses are nested more than {MAX_FILTER_DEPTH} deep.")
            inner = self.disjunction()
            self.take(")")
            self.depth -= 1
            return inner
        if (self.peek() or "") == "(":
            return self.function(token)
        return self.comparison(token)

    def function(self, name: str) -> Predicate:
        if name.lower() != "startswith":
            raise UnsupportedQuery(
                f"Invalid filter clause: the function '{name}' is not supported.",
                reason=f"$filter {name}()",
            )
        self.take("(")
        prop = self.property(self.take())
        self.take(",")
        prefix = self.literal(self.take())
        self.take(")")
        if prefix is None:
            raise self.fail("startswith needs a string literal.")
        folded = prefix.casefold()
        return lambda r: str(r[prop]).casefold().startswith(folded)

    def comparison(self, token: str) -> Predicate:
        prop = self.property(token)
        operator = self.take().lower()
        if operator not in ("eq", "ne"):
            if operator in ("gt", "ge", "lt", "le", "has", "in"):
                raise UnsupportedQuery(
                    f"Invalid filter clause: the operator '{operator}' is not supported.",
                    reason=f"$filter operator {operator}",
                )
            raise self.fail(f"'eq' or 'ne' expected after '{token}' but found '{operator}'.")
        value = self.literal(self.take())
        folded = None if value is None else value.casefold()

        def equal(record: Mapping[str, Any]) -> bool:
            current = record.get(prop)
            return (current is None) if folded is None else str(current).casefold() == folded

        return equal if operator == "eq" else (lambda r: not equal(r))

    def property(self, token: str) -> str:
        for prop in STRING_PROPERTIES:
            if prop.lower() == token.lower():
                return prop
        if token.lower() == "authenticationconfiguration":
            raise UnsupportedQuery(
                "Invalid filter clause: filtering on 'authenticationConfiguration' is not supported.",
                reason="$filter on authenticationConfiguration",
            )
        raise filter_error(
            f"Could not find a property named '{token}' on type '{ENTITY_TYPE}'.",
            reason=f"$filter names unknown property {token!r}",
        )

    def literal(self, token: str) -> str | None:
        if token.lower() == "null":
            return None
        if len(token) >= 2 and token[0] == token[-1] == "'":
            return token[1:-1].replace("''", "'")
        raise self.fail(f"a string literal in single quotes was expected but found '{token}'.")


def parse_filter(text: str) -> Predicate:
    return _FilterParser(text).parse()


def parse_list(options: Mapping[str, str], version: str) -> CollectionQuery:
    """The list/count options, as the operation table's parser (``version`` is not needed here)."""
    return parse_collection_query(options)


def parse_get(options: Mapping[str, str], version: str) -> tuple[str, ...] | None:
    """A single connector's options: the ``$select`` list (None when absent); ``$expand`` only as ``*``."""
    if "expand" in options:
        check_expand(options["expand"])
    return parse_select(options["select"]) if "select" in options else None
