"""Reports of a verification run: a readable summary of each divergence, and JUnit XML for CI systems."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from mockgraph.verify.probe import ScenarioResult

LABELS = {"passed": "PASS", "failed": "FAIL", "skipped": "NOT RUN"}


def summary(results: Sequence[ScenarioResult], *, base_url: str) -> str:
    """One line per scenario, one indented line per divergence, and the totals."""
    lines = [f"mockgraph verify against {base_url}"]
    for result in results:
        lines.append(f"{LABELS[result.outcome]:8} {result.name}")
        if result.skip_reason:
            lines.append(f"         ({result.skip_reason})")
        lines.extend(f"         - {divergence.describe()}" for divergence in result.divergences)
    counts = {outcome: sum(r.outcome == outcome for r in results) for outcome in LABELS}
    divergences = sum(len(r.divergences) for r in results)
    lines.append(
        f"{len(results)} scenarios: {counts['passed']} passed, {counts['failed']} failed "
        f"({divergences} divergences), {counts['skipped']} not run"
    )
    return "\n".join(lines)


def junit_xml(results: Sequence[ScenarioResult], *, suite: str = "mockgraph verify") -> str:
    """A JUnit XML report: one test case per scenario, its divergences as the failure, transcript as output."""
    failures = sum(r.outcome == "failed" for r in results)
    skipped = sum(r.outcome == "skipped" for r in results)
    root = ET.Element("testsuites", name=suite, tests=str(len(results)), failures=str(failures))
    element = ET.SubElement(
        root,
        "testsuite",
        name=suite,
        tests=str(len(results)),
        failures=str(failures),
        skipped=str(skipped),
        errors="0",
        time=f"{sum(r.seconds for r in results):.3f}",
    )
    for result in results:
        case = ET.SubElement(
            element, "testcase", classname="mockgraph.verify", name=result.name, time=f"{result.seconds:.3f}"
        )
        if result.outcome == "failed":
            failure = ET.SubElement(
                case, "failure", message=f"{len(result.divergences)} divergence(s)", type="ContractDivergence"
            )
            failure.text = "\n".join(d.describe() for d in result.divergences)
        elif result.outcome == "skipped":
            ET.SubElement(case, "skipped", message=result.skip_reason or "not run")
        ET.SubElement(case, "system-out").text = "\n".join(result.transcript)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_junit_xml(results: Sequence[ScenarioResult], path: Path) -> None:
    path.write_text(junit_xml(results), encoding="utf-8")
