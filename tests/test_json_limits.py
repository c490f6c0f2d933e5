"""The JSON input limits (mockgraph.core.json_limits): depth measured without recursion, finite numbers,
encodable strings."""

from __future__ import annotations

from typing import Any

import pytest

from mockgraph.core.json_limits import JsonRefused, check_depth, depth_of, parse_json


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
