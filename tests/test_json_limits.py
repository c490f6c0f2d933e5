"""The JSON input limits: depth counted without recursion (stopping past the limit), finite numbers,
encodable strings."""

from __future__ import annotations

from typing import Any

import pytest

from mockgraph.core.json_limits import (
    DEFAULT_MAX_DEPTH,
    JsonRefused,
    JsonTooDeep,
    check_depth,
    depth_of,
    ensure_depth,
    json_depth,
    parse_json,
)


def _chain(depth: int, *, lists: bool = False) -> object:
    value: object = 0
    for _ in range(depth):
        value = [value] if lists else {"n": value}
    return value


@pytest.mark.parametrize(
    ("value", "depth"),
    [
        (0, 0),
        ("text", 0),
        ([], 1),
        ({}, 1),
        ({"a": 1, "b": [1, 2]}, 2),
        ([{"a": []}, 3, [[[]]]], 4),
        (_chain(50), 50),
        (_chain(50, lists=True), 50),
    ],
)
def test_depth_counts_the_deepest_branch(value: object, depth: int) -> None:
    assert json_depth(value) == depth


def test_check_depth_allows_the_limit_and_refuses_one_more() -> None:
    ensure_depth(_chain(DEFAULT_MAX_DEPTH))
    with pytest.raises(JsonTooDeep, match=f"deeper than {DEFAULT_MAX_DEPTH} levels") as caught:
        ensure_depth(_chain(DEFAULT_MAX_DEPTH + 1))
    assert caught.value.limit == DEFAULT_MAX_DEPTH
    ensure_depth({"a": [1]}, 2)
    with pytest.raises(JsonTooDeep):
        ensure_depth({"a": [1]}, 1)


def test_a_value_far_deeper_than_the_stack_is_refused_without_recursion_error() -> None:
    deep = _chain(200_000)
    assert json_depth(deep, stop_after=10) == 11
    with pytest.raises(JsonTooDeep):
        ensure_depth(deep)
    assert json_depth(deep) == 200_000


def test_depth_is_measured_without_recursion() -> None:
    deep: Any = []
    for _ in range(200_000):
        deep = [deep]
    assert depth_of(deep) == 200_001
    assert depth_of({"a": [1, {"b": []}]}) == 4
    assert depth_of("scalar") == 0
    assert check_depth([[[]]], 3)
    assert not check_depth([[[]]], 2)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"a": NaN}', "non-finite number NaN"),
        ('{"a": -Infinity}', "non-finite number -Infinity"),
        ('{"a": 1e999}', "too large for a double"),
        ("[" * 65 + "]" * 65, "nested deeper than 64"),
        ("[" * 50_000 + "]" * 50_000, "nested deeper than 64"),
        ('{"a": "\\udc00"}', "unpaired surrogate"),
        ("{", "not valid JSON"),
    ],
)
def test_parse_json_refuses_what_no_response_could_carry(text: str, reason: str) -> None:
    with pytest.raises(JsonRefused) as refused:
        parse_json(text)
    assert reason in refused.value.reason


def test_parse_json_reads_everything_else() -> None:
    assert parse_json("[" * 64 + "]" * 64) is not None
    assert parse_json('{"a": "\\ud83d\\ude00", "b": 1.5e300, "c": "\\\\ud800"}') == {
        "a": "\N{GRINNING FACE}",
        "b": 1.5e300,
        "c": "\\ud800",
    }


def test_parse_json_judges_depth_alike_however_many_brackets_it_holds() -> None:
    # Brackets inside strings open nothing: a document within the limit is read however many it holds.
    assert parse_json('{"a": "' + "[{" * 100 + '", "b": ' + "[" * 63 + "]" * 63 + "}") is not None
    assert parse_json('{"a": {"b": 1}}', max_depth=2) == {"a": {"b": 1}}
    for text, limit in [
        ('{"a": ' + "[" * 64 + "]" * 64 + "}", 64),
        ('{"a": {"b": []}}', 2),
        ("[[],[[]]]", 2),
    ]:
        with pytest.raises(JsonRefused, match=f"nested deeper than {limit}"):
            parse_json(text, max_depth=limit)
    # Bytes are measured by walking the document, with the same verdicts.
    assert parse_json(b'{"a": {"b": 1}}', max_depth=2) == {"a": {"b": 1}}
    with pytest.raises(JsonRefused, match="nested deeper than 2"):
        parse_json(b'{"a": {"b": []}}', max_depth=2)
