"""OData query options on custom authentication extensions: ``$filter``, ``$select``, ``$orderby``, paging, ``$count``.

``$filter`` takes ``isOf('microsoft.graph.<subtype>')`` (the one form Graph documents), ``eq``/``ne`` and
``startswith`` on ``id``, ``displayName`` and ``description``, joined by ``and``/``or``/``not`` and parentheses.
``$top`` pages with ``@odata.nextLink``/``$skiptoken``. Anything else is Graph's 400, never silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mockgraph.core.errors import InvalidRequest
from mockgraph.core.odata_parsing import (
    CollectionQuery,
    Predicate,
    all_of,
    any_of,
    check_parentheses,
    collection_query,
    filter_error,
    page,
)
from mockgraph.core.odata_types import bare
from mockgraph.core.query_options import COLLECTION_OPTIONS, UnsupportedQuery
from mockgraph.resources.extensions.model import ABSTRACT_TYPES, ALL_PROPERTIES, ENTITY_TYPE, SUBTYPES

STRING_PROPERTIES = ("id", "displayName", "description")
LIST_OPTIONS = COLLECTION_OPTIONS
GET_OPTIONS = frozenset({"select", "expand"})
COUNT_OPTIONS = frozenset({"filter", "search"})
# isOf's argument: a subtype (matches its objects) or the abstract base (matches every extension).
_ISOF_TYPES = {bare(name).casefold(): name for name in (*SUBTYPES, ABSTRACT_TYPES[0])}


def _property(name: str, *, for_what: str, allowed: Sequence[str] = ALL_PROPERTIES) -> str:
    for prop in allowed:
        if prop.lower() == name.strip().lower():
            return prop
    if name.strip().lower() in (p.lower() for p in ALL_PROPERTIES):
        raise UnsupportedQuery(
            f"Invalid {for_what} clause: '{name.strip()}' is not supported here.",
            reason=f"{for_what} on {name.strip()}",
        )
    raise InvalidRequest(
        f"Could not find a property named '{name.strip()}' on type '{ENTITY_TYPE}'.",
        reason=f"{for_what} names unknown property {name.strip()!r}",
    )


def parse_select(value: str) -> tuple[str, ...]:
    names: list[str] = []
    for item in value.split(","):
        # The cast form Graph's OpenAPI lists for a subtype's own property is accepted too.
        name = item.strip().rsplit("/", 1)[-1]
        canonical = _property(name, for_what="$select")
        if canonical not in names:
            names.append(canonical)
    return tuple(names)


def check_expand(value: str) -> None:
    # customAuthenticationExtension has no navigation properties: only '*' (a no-op) is meaningful.
    for item in value.split(","):
        name = item.strip()
        if name != "*":
            _property(name, for_what="$expand")
            raise InvalidRequest(
                f"Property '{name}' on type '{ENTITY_TYPE}' is not a navigation property or complex "
                "property. Only navigation properties can be expanded.",
                reason=f"$expand of {name}",
            )


def parse_list(options: Mapping[str, str], version: str) -> CollectionQuery:
    """Validate list/count options (the operation table's parser); Graph's 400 for anything it refuses."""
    if "search" in options:
        raise UnsupportedQuery(
            "Search is not supported for the resource 'customAuthenticationExtensions'.", reason="$search"
        )
    if "expand" in options:
        check_expand(options["expand"])
    select = parse_select(options["select"]) if "select" in options else None
    return collection_query(options, select=select, parse_orderby=parse_orderby, parse_filter=parse_filter)


def parse_get(options: Mapping[str, str], version: str) -> tuple[str, ...] | None:
    """One extension's options: the ``$select`` list (None when absent); ``$expand`` only as ``*``."""
    if "expand" in options:
        check_expand(options["expand"])
    return parse_select(options["select"]) if "select" in options else None


def parse_orderby(value: str) -> tuple[tuple[str, bool], ...]:
    keys: list[tuple[str, bool]] = []
    for clause in value.split(","):
        words = clause.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].lower() not in ("asc", "desc")):
            raise InvalidRequest(
                f"Syntax error in $orderby clause '{clause.strip()}'.", reason="bad $orderby"
            )
        prop = _property(words[0], for_what="$orderby", allowed=STRING_PROPERTIES)
        keys.append((prop, len(words) == 2 and words[1].lower() == "desc"))
    return tuple(keys)


def apply(
    records: Sequence[Mapping[str, Any]], query: CollectionQuery
) -> tuple[list[Mapping[str, Any]], int, int | None]:
    """Filter, order and page: (page, total matching, offset of the next page or None)."""
    return page(records, query, _sort_key)


def _sort_key(prop: str) -> Callable[[Mapping[str, Any]], tuple[bool, str]]:
    # null sorts first ascending, as in OData
    return lambda record: (record.get(prop) is not None, str(record.get(prop) or "").casefold())


# --- $filter -----------------------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<punct>[(),])|(?P<word>[#A-Za-z_][A-Za-z0-9_.]*))")


def _tokens(text: str) -> list[str]:
    """The filter's tokens, scanned once (no copy of the rest of the text per token), nesting checked."""
    tokens: list[str] = []
    position = 0
    end = len(text.rstrip())
    while position < end:
        match = _TOKEN.match(text, position)
        if match is None:
            where = len(text) - len(text[position:].lstrip())
            raise filter_error(f"syntax error at position {where} in '{text}'.")
        tokens.append(match.group(0).strip())
        position = match.end()
    check_parentheses(tokens, text)
    return tokens


class _FilterParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.position = 0

    def fail(self, detail: str) -> InvalidRequest:
        return filter_error(detail)

    def peek(self) -> str:
        return self.tokens[self.position] if self.position < len(self.tokens) else ""

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if not token:
            raise self.fail(f"unexpected end of expression in '{self.text}'.")
        if expected is not None and token.lower() != expected:
            raise self.fail(f"'{expected}' expected but found '{token}' in '{self.text}'.")
        self.position += 1
        return token

    def parse(self) -> Predicate:
        if not self.tokens:
            raise self.fail("the expression is empty.")
        predicate = self.disjunction()
        if self.peek():
            raise self.fail(f"unexpected '{self.peek()}' in '{self.text}'.")
        return predicate

    def disjunction(self) -> Predicate:
        parts = [self.conjunction()]
        while self.peek().lower() == "or":
            self.take()
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else any_of(tuple(parts))

    def conjunction(self) -> Predicate:
        parts = [self.negation()]
        while self.peek().lower() == "and":
            self.take()
            parts.append(self.negation())
        return parts[0] if len(parts) == 1 else all_of(tuple(parts))

    def negation(self) -> Predicate:
        if self.peek().lower() == "not":
            self.take()
            inner = self.negation()
            return lambda record: not inner(record)
        return self.primary()

    def primary(self) -> Predicate:
        token = self.take()
        if token == "(":
            inner = self.disjunction()
            self.take(")")
            return inner
        if self.peek() == "(":
            return self.function(token)
        return self.comparison(token)

    def function(self, name: str) -> Predicate:
        self.take("(")
        if name.lower() == "isof":
            argument = self.take()
            self.take(")")
            return self.is_of(argument)
        if name.lower() != "startswith":
            raise UnsupportedQuery(
                f"Invalid filter clause: the function '{name}' is not supported.", reason=f"$filter {name}()"
            )
        prop = self.property(self.take())
        self.take(",")
        prefix = self.literal(self.take())
        self.take(")")
        if prefix is None:
            raise self.fail("startswith needs a string literal.")
        folded = prefix.casefold()
        return lambda r: str(r.get(prop) or "").casefold().startswith(folded)

    def is_of(self, argument: str) -> Predicate:
        name = self.literal(argument) if argument.startswith("'") else argument
        if name is None:
            raise self.fail("isOf needs a type name.")
        chosen = _ISOF_TYPES.get(name.lstrip("#").casefold())
        if chosen is None:
            raise filter_error(
                f"the type '{name}' could not be resolved by the model, or it does not derive from '{ENTITY_TYPE}'.",
                reason=f"isOf of {name!r}",
            )
        if chosen == ABSTRACT_TYPES[0]:
            return lambda record: True
        return lambda record: record.get("@odata.type") == chosen

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
            return current is None if folded is None else str(current).casefold() == folded

        return equal if operator == "eq" else (lambda r: not equal(r))

    def property(self, token: str) -> str:
        for prop in STRING_PROPERTIES:
            if prop.lower() == token.lower():
                return prop
        if token.lower() in (p.lower() for p in ALL_PROPERTIES):
            raise UnsupportedQuery(
                f"Invalid filter clause: filtering on '{token}' is not supported.",
                reason=f"$filter on {token}",
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
