"""URL rules whose URL builders are compiled when first used instead of when the app is built.

Werkzeug compiles two Python functions per rule (through ``ast`` and ``compile``) so that ``url_for`` can
build its URL; that was three quarters of ``create_app()``, and the emulator builds URLs rarely or never.
Matching is untouched: only the builders wait until a URL is built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from werkzeug.routing import Rule


class LazyBuilderRule(Rule):
    """A ``Rule`` whose ``_build``/``_build_unknown`` are compiled on their first call (then kept)."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        attribute = "_build_unknown" if append_unknown else "_build"
        compile_now = super()._compile_builder

        def build_once(rule: LazyBuilderRule, **values: Any) -> tuple[str, str]:
            built: Callable[..., tuple[str, str]] = compile_now(append_unknown).__get__(rule, None)
            setattr(rule, attribute, built)  # the next build calls werkzeug's own function directly
            return built(**values)

        return build_once


class LazyFlask(Flask):
    """Flask with ``LazyBuilderRule`` for every rule, its own static route and blueprints' included."""

    url_rule_class = LazyBuilderRule
