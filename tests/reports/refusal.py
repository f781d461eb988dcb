"""A command that reads a run folder, run as a user runs it, and the refusal it must give:
exit 2 and one line on stderr, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_command(module: str, *arguments: str | Path) -> subprocess.CompletedProcess[str]:
    """``python -m <module> <arguments>`` from the checkout, as ``perfproof`` runs it."""
    return subprocess.run(
        [sys.executable, "-m", module, *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def one_line_refusal(done: subprocess.CompletedProcess[str], case: object = "") -> str:
    """The line ``done`` refused with; the test fails unless it exited 2 with that one line."""
    said = f"{case}\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    assert done.returncode == 2, said
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, said
    return done.stderr
