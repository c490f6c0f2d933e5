"""URL building still works when the rules' builders are compiled lazily (mockgraph.web.lazy_rules)."""

from __future__ import annotations

from flask import url_for
from werkzeug.routing import Map, Rule

from mockgraph import create_app
from mockgraph.web.lazy_rules import LazyBuilderRule


def test_url_for_builds_the_same_urls_on_first_and_later_calls() -> None:
    app = create_app()
    with app.test_request_context():
        for _ in range(2):  # the first call compiles the builder, the second uses the compiled one
            assert url_for("graph", path="beta/identity/apiConnectors") == "/beta/identity/apiConnectors"
            assert url_for("graph", path="beta/x", top="3") == "/beta/x?top=3"
            assert url_for("mockgraph_admin.health") == "/_mockgraph/health"


def test_a_lazy_rule_builds_exactly_what_werkzeug_builds() -> None:
    eager = Map([Rule("/a/<int:n>/<name>", endpoint="e")]).bind("example.com")
    lazy = Map([LazyBuilderRule("/a/<int:n>/<name>", endpoint="e")]).bind("example.com")
    for values in ({"n": 3, "name": "x y"}, {"n": 4, "name": "z", "extra": "1"}):
        assert lazy.build("e", values) == eager.build("e", values)
        assert lazy.build("e", values, append_unknown=False) == eager.build("e", values, append_unknown=False)
