"""The ``slow`` group: left out of a plain run and of one that chooses by another marker."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FAULTS = "tests/loadtests/faults/test_cli.py"
SLOW = f"{FAULTS}::test_frozen_redis_fails_nothing_and_frozen_postgres_fails_fast"


def collected(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_another_marker_leaves_the_slow_group_out_and_says_so() -> None:
    done = collected(FAULTS, "-m", "not embedded")
    assert done.returncode == 0, done.stdout + done.stderr
    assert SLOW not in done.stdout.splitlines()
    assert "1 slow tests left out: `nox -s tests -- -m slow` runs them" in done.stdout
    assert f"{FAULTS}::test_an_unknown_scenario_is_one_line_and_exit_2" in done.stdout
