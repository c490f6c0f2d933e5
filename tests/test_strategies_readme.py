"""The README's contract-testing examples run as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Contract testing")
    following = text.find("\n## ", start + 1)
    return text[start : following if following != -1 else len(text)]


def test_the_strategy_examples_pass() -> None:
    blocks = re.findall(r"```python\n(.*?)```", section(), flags=re.DOTALL)
    assert blocks
    namespace: dict[str, object] = {}
    exec(compile("\n".join(blocks), str(README), "exec"), namespace)
    tests = [value for name, value in namespace.items() if name.startswith("test_") and callable(value)]
    assert len(tests) == 2
    for test in tests:
        test()


def test_the_section_names_every_public_strategy() -> None:
    from mockgraph import strategies

    text = section()
    missing = [name for name in strategies.__all__ if name[0].islower() and name not in text]
    # The building blocks below the body strategies need no README mention.
    assert set(missing) <= {"certificate_informations", "display_names", "target_urls"}, missing
