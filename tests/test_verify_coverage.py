"""Every operation in the tables has a ``mockgraph verify`` scenario, or its table says why it has none."""

from __future__ import annotations

from mockgraph.resources import CATALOG
from mockgraph.verify.scenarios import SCENARIOS


def test_every_operation_is_verified_or_says_why_not() -> None:
    covered = {name for scenario in SCENARIOS for name in scenario.covers}
    unexplained = [
        operation.name
        for table in CATALOG.tables
        for operation in table.operations
        if operation.name not in covered and not table.unverified.get(operation.name)
    ]
    assert not unexplained, f"write a verify scenario or state why there is none: {unexplained}"


def test_scenarios_name_only_operations_that_exist() -> None:
    names = {operation.name for operation in CATALOG}
    for scenario in SCENARIOS:
        assert set(scenario.covers) <= names, scenario.name


def test_a_stated_reason_is_not_also_covered() -> None:
    covered = {name for scenario in SCENARIOS for name in scenario.covers}
    for table in CATALOG.tables:
        assert not covered & set(table.unverified), table.name
