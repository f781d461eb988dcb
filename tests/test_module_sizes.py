"""No module of the tool is over 400 lines: past that, a module is asking to be split along a
seam (STYLE.md), and one that does several jobs is hard to read and to change."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("perfproof", "reports", "loadtests", "benchmarks")
MOST_LINES = 400


def lines_of(path: Path) -> int:
    return len(path.read_text().splitlines())


def test_no_module_of_the_harness_is_over_400_lines() -> None:
    over = {
        str(path.relative_to(ROOT)): lines_of(path)
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if lines_of(path) > MOST_LINES
    }
    assert over == {}


def test_the_count_is_of_lines(tmp_path: Path) -> None:
    module = tmp_path / "long.py"
    module.write_text("x = 1\n" * (MOST_LINES + 1))
    assert lines_of(module) == MOST_LINES + 1
