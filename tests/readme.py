"""Reading the README's sections and their code blocks, for the tests that run its examples as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def section(heading: str) -> str:
    """The text of the ``## heading`` section, up to the next ``## `` heading."""
    text = README.read_text(encoding="utf-8")
    start = text.index(heading)
    following = text.find("\n## ", start + len(heading))
    return text[start : following if following != -1 else len(text)]


def code_blocks(heading: str, language: str = "python") -> list[str]:
    """The fenced ``language`` blocks of one section, in order."""
    return re.findall(rf"```{language}\n(.*?)```", section(heading), flags=re.DOTALL)
