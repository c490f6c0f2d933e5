"""Timing helpers and the shape of one reported figure: a median beside its baseline, and their ratio."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """How hard to measure: ``quick`` cuts repeats and sizes for a smoke run."""

    quick: bool = False

    def repeats(self, full: int) -> int:
        return max(3, full // 3) if self.quick else full

    def size(self, full: int, quick: int) -> int:
        return quick if self.quick else full


@dataclass(frozen=True)
class Figure:
    """One measured line: ``value`` (the emulator) beside ``baseline``; ``ratio`` is value / baseline.

    ``better`` says which way is good ("lower" for times and memory, "higher" for rates), and ``target``
    is the ratio (or absolute value, with ``target_absolute``) the issue asks for, if any.
    """

    group: str
    label: str
    unit: str
    value: float
    baseline_label: str
    baseline: float
    better: str = "lower"
    target: float | None = None
    target_absolute: bool = False
    note: str = ""
    skipped: str = ""  # why the figure could not be measured (an optional peer not installed), if so

    @property
    def ratio(self) -> float:
        return self.value / self.baseline if self.baseline else float("nan")

    @property
    def target_text(self) -> str:
        if self.target is None:
            return ""
        sign = "<=" if self.better == "lower" else ">="
        if self.target_absolute:
            return f"{sign} {format_value(self.target, self.unit)}"
        return f"ratio {sign} {self.target:g}x"

    @property
    def met(self) -> bool | None:
        if self.target is None or self.skipped:
            return None
        measured = self.value if self.target_absolute else self.ratio
        return measured <= self.target if self.better == "lower" else measured >= self.target


def format_value(value: float, unit: str) -> str:
    if unit == "s":
        if value < 1e-3:
            return f"{value * 1e6:.1f} µs"
        if value < 1:
            return f"{value * 1e3:.2f} ms"
        return f"{value:.2f} s"
    if unit == "B":
        if value >= 1024 * 1024:
            return f"{value / (1024 * 1024):.1f} MiB"
        if value >= 1024:
            return f"{value / 1024:.2f} KiB"
        return f"{value:.0f} B"
    if value >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.3g} {unit}"


def time_per_call(action: Callable[[], object], calls: int) -> float:
    """Seconds per call of ``action``, over ``calls`` back-to-back calls (garbage collection paused)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(calls):
            action()
        return (time.perf_counter() - start) / calls
    finally:
        if enabled:
            gc.enable()


def median_of(samples: list[float]) -> float:
    return statistics.median(samples)


def interleaved(runs: int, first: Callable[[], float], second: Callable[[], float]) -> tuple[float, float]:
    """Medians of ``runs`` alternating samples of two measurements, so drift hits both alike."""
    first_samples: list[float] = []
    second_samples: list[float] = []
    for index in range(runs):
        # Alternate which goes first, so neither always runs on a warmer cache.
        if index % 2 == 0:
            first_samples.append(first())
            second_samples.append(second())
        else:
            second_samples.append(second())
            first_samples.append(first())
    return median_of(first_samples), median_of(second_samples)


def skipped_figure(group: str, label: str, baseline_label: str, reason: str) -> Figure:
    """A line saying a figure was not measured and why, in place of the figure (never a crash)."""
    return Figure(group, label, "s", float("nan"), baseline_label, float("nan"), skipped=reason)


def missing_peer(*modules: str) -> str:
    """Empty if every module imports; otherwise the skip reason naming the first missing one."""
    import importlib

    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError:
            return f"skipped: {module} is not installed (pip install -e '.[bench]')"
    return ""
