"""OData query options on listeners and user flows: ``$filter``, ``$select``, ``$count``.

Both resources describe what may be filtered with an ``EntityModel``: scalar paths (``displayName eq 'x'``), the
collections ``any()`` may range over (the documented flow filters, e.g.
``microsoft.graph.externalUsersSelfServiceSignUpEventsFlow/conditions/applications/includeApplications/any(a:a/appId
eq '{appId}')``) and the subtypes ``isof()`` may name. Cast segments in a path are accepted and skipped. The
grammar is ``eq``/``ne`` comparisons with string or ``null`` literals, ``isof('type')``, ``any(v:v/p eq 'x')``,
``not``, ``and``, ``or`` and parentheses; anything else is Graph's 400, never silently ignored. Strings compare
case-insensitively, as directory properties do. Pure: no Flask.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mockgraph.core.errors import InvalidRequest
from mockgraph.core.odata_parsing import check_parentheses, filter_error
from mockgraph.core.odata_types import canonical_type

Predicate = Callable[[Mapping[str, Any]], bool]
CAST_PREFIX = "microsoft.graph."
_TOKEN = re.compile(r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<punct>[(),:])|(?P<word>[A-Za-z_#$][\w.$#/-]*))")


@dataclass(frozen=True)
class EntityModel:
    """What the query options may name on one entity set."""

    entity_type: str  # microsoft.graph.authenticationEventListener
    properties: tuple[str, ...]  # what $select may name
    scalars: tuple[tuple[str, ...], ...]  # filterable scalar paths
    collections: Mapping[tuple[str, ...], tuple[str, ...]]  # collection path -> its items' scalar members
    types: frozenset[str]  # concrete subtypes isof() may name (with '#')


@dataclass(frozen=True)
class ListQuery:
    """Parsed list options: ``select`` (None: every property), ``filter``, ``count``, and the resource's expansion."""

    select: tuple[str, ...] | None = None
    filter: Predicate | None = None
    count: bool = False
    expand: Any = None


def bad_filter(detail: str) -> InvalidRequest:
    return filter_error(detail, reason=f"$filter: {detail}")


def unknown_property(model: EntityModel, name: str, option: str) -> InvalidRequest:
    return InvalidRequest(
        f"Could not find a property named '{name}' on type '{model.entity_type}'.",
        reason=f"{option} names unknown property {name!r}",
    )


def parse_select(model: EntityModel, value: str) -> tuple[str, ...]:
    names: list[str] = []
    for item in value.split(","):
        name = item.strip()
        found = next((p for p in model.properties if p.lower() == name.lower()), None)
        if found is None:
            raise unknown_property(model, name, "$select")
        if found not in names:
            names.append(found)
    return tuple(names)


def parse_count(value: str) -> bool:
    flag = value.strip().lower()
    if flag not in ("true", "false"):
        raise InvalidRequest(f"'{value}' is not a valid count option.", reason="$count is not true or false")
    return flag == "true"


def parse_options(
    model: EntityModel, options: Mapping[str, str], expand: Callable[[str], Any] | None = None
) -> ListQuery:
    """The list/get/count options a resource accepts (the table's QueryOptions chose which may appear)."""
    return ListQuery(
        select=parse_select(model, options["select"]) if "select" in options else None,
        filter=parse_filter(model, options["filter"]) if "filter" in options else None,
        count=parse_count(options["count"]) if "count" in options else False,
        expand=expand(options["expand"]) if expand is not None and "expand" in options else None,
    )


def selected(document: dict[str, Any], select: tuple[str, ...] | None) -> dict[str, Any]:
    """Only the ``$select``-ed properties (and the annotations) of a rendered entity."""
    if select is None:
        return document
    return {key: value for key, value in document.items() if key.startswith("@odata.") or key in select}


def select_shape(select: tuple[str, ...] | None) -> str:
    """The ``(a,b)`` part of an ``@odata.context`` for a ``$select``."""
    return f"({','.join(select)})" if select else ""


# --- $filter ------------------------------------------------------------------------------------------


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise bad_filter(f"unexpected character at position {position}")
        kind = match.lastgroup
        assert kind is not None
        found.append((kind, match.group(kind)))
        position = match.end()
    check_parentheses((value for _, value in found), text)
    return found


def _path(word: str) -> tuple[str, ...]:
    """A property path without its cast segments (``microsoft.graph.x``)."""
    return tuple(part for part in word.split("/") if part and not part.lower().startswith(CAST_PREFIX))


def _lookup(document: Any, path: Sequence[str]) -> Any:
    for name in path:
        if not isinstance(document, Mapping):
            return None
        document = next((value for key, value in document.items() if key.lower() == name.lower()), None)
    return document


def _equal(left: Any, right: str | None) -> bool:
    if right is None or left is None:
        return left is right
    return isinstance(left, str) and left.lower() == right.lower()


class _Parser:
    def __init__(self, model: EntityModel, text: str) -> None:
        self.model = model
        self.tokens = _tokens(text)
        self.index = 0
        self.variables: dict[str, tuple[str, ...]] = {}  # lambda variable -> its items' members

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise bad_filter("the expression ends too early")
        if expected is not None and token[1].lower() != expected:
            raise bad_filter(f"expected '{expected}', found '{token[1]}'")
        self.index += 1
        return token

    def parse(self) -> Predicate:
        if not self.tokens:
            raise bad_filter("the expression is empty")
        predicate = self.disjunction()
        if self.peek() is not None:
            raise bad_filter(f"unexpected '{self.tokens[self.index][1]}'")
        return predicate

    def disjunction(self) -> Predicate:
        terms = [self.conjunction()]
        while self._keyword("or"):
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else (lambda r: any(term(r) for term in terms))

    def conjunction(self) -> Predicate:
        terms = [self.unary()]
        while self._keyword("and"):
            terms.append(self.unary())
        return terms[0] if len(terms) == 1 else (lambda r: all(term(r) for term in terms))

    def _keyword(self, word: str) -> bool:
        token = self.peek()
        if token is not None and token[0] == "word" and token[1].lower() == word:
            self.index += 1
            return True
        return False

    def unary(self) -> Predicate:
        if self._keyword("not"):
            inner = self.unary()
            return lambda r: not inner(r)
        token = self.peek()
        if token == ("punct", "("):
            self.take()
            inner = self.disjunction()
            self.take(")")
            return inner
        return self.term()

    def term(self) -> Predicate:
        kind, word = self.take()
        if kind != "word":
            raise bad_filter(f"expected a property or function, found '{word}'")
        if word.lower() == "isof" and self.peek() == ("punct", "("):
            return self.isof()
        parts = word.split("/")
        if parts[-1].lower() in ("any", "all") and self.peek() == ("punct", "("):
            return self.lambda_over(tuple(parts[:-1]), parts[-1].lower())
        if self.peek() == ("punct", "("):
            raise bad_filter(f"the function '{word}' is not supported (isof, any and all are)")
        path = self.scalar(word)
        operator = self.take()[1].lower()
        if operator not in ("eq", "ne"):
            raise bad_filter(f"the operator '{operator}' is not supported (eq and ne are)")
        literal = self.literal()
        if operator == "eq":
            return lambda r: _equal(_lookup(r, path), literal)
        return lambda r: not _equal(_lookup(r, path), literal)

    def literal(self) -> str | None:
        kind, text = self.take()
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "word" and text.lower() == "null":
            return None
        raise bad_filter(f"expected a string literal or null, found '{text}'")

    def scalar(self, word: str) -> tuple[str, ...]:
        path = _path(word)
        head, *rest = path or ("",)
        if head in self.variables:
            members = self.variables[head]
            found = [m for m in members if len(rest) == 1 and m.lower() == rest[0].lower()]
            if not found:
                raise bad_filter(f"'{word}' names no member of the items")
            return (head, found[0])
        for candidate in self.model.scalars:
            if [p.lower() for p in candidate] == [p.lower() for p in path]:
                return candidate
        raise unknown_property(self.model, "/".join(path) or word, "$filter")

    def isof(self) -> Predicate:
        self.take("(")
        kind, text = self.take()
        if kind != "string":
            raise bad_filter("isof takes a quoted type name")
        self.take(")")
        wanted = canonical_type(text[1:-1])
        base = canonical_type(self.model.entity_type)
        if wanted != base and wanted not in self.model.types:
            raise bad_filter(f"the type '{text[1:-1]}' is not a type of {self.model.entity_type}")
        if wanted == base:
            return lambda r: True
        return lambda r: canonical_type(str(r.get("@odata.type", ""))) == wanted

    def lambda_over(self, raw: tuple[str, ...], quantifier: str) -> Predicate:
        path = _path("/".join(raw))
        collection = next(
            (c for c in self.model.collections if [p.lower() for p in c] == [p.lower() for p in path]), None
        )
        if collection is None:
            raise unknown_property(self.model, "/".join(path), "$filter")
        self.take("(")
        kind, variable = self.take()
        if kind != "word" or "/" in variable:
            raise bad_filter("a lambda needs a variable name")
        self.take(":")
        self.variables[variable] = self.model.collections[collection]
        inner = self.disjunction()
        del self.variables[variable]
        self.take(")")

        def test(record: Mapping[str, Any]) -> bool:
            items = _lookup(record, collection)
            if not isinstance(items, list):
                items = []
            results = (inner({variable: item}) for item in items)
            return any(results) if quantifier == "any" else all(results)

        return test


def parse_filter(model: EntityModel, text: str) -> Predicate:
    """A predicate over stored records; Graph's 400 for anything outside the grammar."""
    return _Parser(model, text).parse()
