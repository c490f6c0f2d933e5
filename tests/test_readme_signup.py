"""The README's "Testing your connector endpoint" examples, run as a throwaway project's tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
SECTION = "## Testing your connector endpoint"


def section_examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    following = text.find("\n## ", start + len(SECTION))
    section = text[start : following if following != -1 else len(text)]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_the_first_example_tests_an_endpoint_in_about_ten_lines() -> None:
    first = section_examples()[0]
    statements = [line for line in first.splitlines() if line.strip()]
    assert len(statements) <= 14  # imports, the endpoint, and the test
    assert "try_connector(app" in first


def test_the_readme_examples_pass(pytester: pytest.Pytester) -> None:
    examples = section_examples()
    assert len(examples) == 2
    for index, code in enumerate(examples):
        pytester.makepyfile(**{f"test_readme_signup_{index}": code})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(passed=2)
