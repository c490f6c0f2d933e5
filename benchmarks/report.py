"""Printing figures as a table and writing ``benchmarks/RESULTS.md`` with the machine they ran on."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
from collections.abc import Iterable
from pathlib import Path

from benchmarks.harness import Figure, Settings, format_value


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def load_average() -> str:
    """The 1-minute load average: other work on the machine skews every figure, so it is printed."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def machine_description() -> str:
    return (
        f"machine: {cores()} cores, {cpu_model()}; Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.release()}; "
        f"load average {load_average()}"
    )


def _verdict(figure: Figure) -> str:
    met = figure.met
    if met is None:
        return ""
    return f"{figure.target_text}: {'met' if met else 'NOT met'}"


def _row(figure: Figure) -> list[str]:
    if figure.skipped:
        return [figure.label, "-", f"{figure.baseline_label}: -", "-", "", figure.skipped]
    return [
        figure.label,
        format_value(figure.value, figure.unit),
        f"{figure.baseline_label}: {format_value(figure.baseline, figure.unit)}",
        f"{figure.ratio:.3g}x",
        _verdict(figure),
        figure.note,
    ]


def _rows(figures: Iterable[Figure]) -> list[list[str]]:
    return [_row(figure) for figure in figures]


def _groups(figures: list[Figure]) -> dict[str, list[Figure]]:
    grouped: dict[str, list[Figure]] = {}
    for figure in figures:
        grouped.setdefault(figure.group, []).append(figure)
    return grouped


def print_figures(figures: list[Figure]) -> None:
    for group, members in _groups(figures).items():
        print(f"\n{group}")
        rows = _rows(members)
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            cells = [row[i].ljust(widths[i]) for i in range(4)]
            extra = "  ".join(part for part in row[4:] if part)
            print("  " + "  ".join(cells) + (f"  {extra}" if extra else ""))
    sys.stdout.flush()


def write_results(
    path: Path,
    figures: list[Figure],
    timings: dict[str, float],
    settings: Settings,
    command: str,
    load_before: str,
) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Produced by `{command}` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
        + (" (quick mode: fewer repeats, smaller sizes)." if settings.quick else "."),
        "",
        f"- Machine: {cores()} cores, {cpu_model()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}",
        f"- 1-minute load average: {load_before} before the run, {load_average()} after it "
        "(above 0.5 or so, other work shared the cores and the figures are noisier)",
        f"- Run time: {sum(timings.values()):.0f} s ("
        + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items())
        + ")",
        "",
        "Every value is a median of repeated runs; the baseline was measured in the same run, interleaved "
        "where possible; the ratio is value / baseline. See `benchmarks/README.md` for what each baseline is.",
    ]
    for group, members in _groups(figures).items():
        lines += [
            "",
            f"## {group}",
            "",
            "| measure | value | baseline | ratio | target | note |",
            "|---|---|---|---|---|---|",
        ]
        lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in _rows(members)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
