"""The README's "Testing your custom authentication extension endpoint" examples, run as a throwaway project's tests."""

from __future__ import annotations

import pytest

from tests.readme import code_blocks

SECTION = "## Testing your custom authentication extension endpoint"


def test_the_first_example_tests_an_endpoint_in_about_ten_lines() -> None:
    first = code_blocks(SECTION)[0]
    statements = [line for line in first.splitlines() if line.strip()]
    assert len(statements) <= 14  # imports, the endpoint, and the test
    assert "try_extension(app" in first


def test_the_readme_examples_pass(pytester: pytest.Pytester) -> None:
    examples = code_blocks(SECTION)
    assert len(examples) == 2
    for index, code in enumerate(examples):
        pytester.makepyfile(**{f"test_readme_callouts_{index}": code})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(passed=2)
