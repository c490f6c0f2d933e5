"""The benchmark harness keeps working (a smoke run of the figures whose dependencies the test extra has).

Nothing here judges a time: it checks that each figure is printed with a baseline and a ratio.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmarks_print_every_figure_with_baseline_and_ratio(tmp_path: Path) -> None:
    output = tmp_path / "RESULTS.md"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--only",
            "inprocess",
            "--only",
            "strategies",
            "--output",
            str(output),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    printed = result.stdout
    assert printed.startswith("machine: ")
    for operation in ("create", "get", "patch", "list of 20"):
        line = next(line for line in printed.splitlines() if line.strip().startswith(f"{operation} (enforce"))
        assert "bare Flask app: " in line
        assert re.search(r"\d[\d.e-]*x\b", line), line
    assert "without certificates (basic)" in printed
    assert "with certificates (PKCS#12)" in printed
    written = output.read_text()
    assert "- Machine: " in written
    assert "| create (enforce + validation) |" in written
    assert "quick mode" in written
