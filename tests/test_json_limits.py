"""Depth limits on parsed JSON: counted without recursion, stopping as soon as the limit is passed."""

from __future__ import annotations

import pytest

from mockgraph.core.json_limits import DEFAULT_MAX_DEPTH, JsonTooDeep, check_depth, json_depth


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
    check_depth(_chain(DEFAULT_MAX_DEPTH))
    with pytest.raises(JsonTooDeep, match=f"deeper than {DEFAULT_MAX_DEPTH} levels") as caught:
        check_depth(_chain(DEFAULT_MAX_DEPTH + 1))
    assert caught.value.limit == DEFAULT_MAX_DEPTH
    check_depth({"a": [1]}, 2)
    with pytest.raises(JsonTooDeep):
        check_depth({"a": [1]}, 1)


def test_a_value_far_deeper_than_the_stack_is_refused_without_recursion_error() -> None:
    deep = _chain(200_000)
    assert json_depth(deep, stop_after=10) == 11
    with pytest.raises(JsonTooDeep):
        check_depth(deep)
    assert json_depth(deep) == 200_000
