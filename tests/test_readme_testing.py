"""The README's "Testing with pytest" examples, run as a throwaway project's tests (as pytest-httpserver's howto is)."""

from __future__ import annotations

import re

import pytest

from tests.readme import code_blocks

SECTION = "## Testing with pytest"


def section_examples() -> list[str]:
    return code_blocks(SECTION)


def test_the_section_has_examples_for_every_fixture() -> None:
    code = "\n".join(section_examples())
    for name in (
        "mockgraph",
        "mockgraph_client",
        "mockgraph_connectors",
        "mockgraph_tokens",
        "mockgraph_journal",
    ):
        assert f"{name}," in code or f"{name})" in code, name
    assert "mockgraph_faults" in code
    assert "mockgraph_server" in code
    assert "@pytest.mark.mockgraph(" in code


def test_the_readme_examples_pass(pytester: pytest.Pytester) -> None:
    examples = section_examples()
    assert len(examples) >= 5
    for index, code in enumerate(examples):
        pytester.makepyfile(**{f"test_readme_{index}": code})
    expected = sum(len(re.findall(r"^def test_", code, flags=re.MULTILINE)) for code in examples)
    # A subprocess, as a downstream project runs (and see tests/test_plugin.py on in-process runs).
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "ignore::DeprecationWarning")
    result.assert_outcomes(passed=expected)
