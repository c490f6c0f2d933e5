"""The README's contract-testing examples run as written."""

from __future__ import annotations

from tests.readme import README, code_blocks, section


def test_the_strategy_examples_pass() -> None:
    blocks = code_blocks("## Contract testing")
    assert blocks
    namespace: dict[str, object] = {}
    exec(compile("\n".join(blocks), str(README), "exec"), namespace)
    tests = [value for name, value in namespace.items() if name.startswith("test_") and callable(value)]
    assert len(tests) == 2
    for test in tests:
        test()


def test_the_section_names_every_public_strategy() -> None:
    from mockgraph import strategies

    text = section("## Contract testing")
    missing = [name for name in strategies.__all__ if name[0].islower() and name not in text]
    # The building blocks below the body strategies need no README mention.
    assert set(missing) <= {"certificate_informations", "display_names", "target_urls"}, missing
