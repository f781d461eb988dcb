"""The session's one real bench run: ``perfproof bench --profile quick``.

Every test that reads a run folder reads this one (about two and a half minutes
on two cores: the benchmark suites at tiny, the load tests, the functional
checks and the faults), made once per session
in a temporary results folder against the session's PostgreSQL and Redis. A
test may read it, or re-render it through ``reports.cli.write_report`` (which
rewrites the same files every time); a test that changes anything else in it
works on a copy.

``PERFPROOF_QUICK_RUN=<run folder>`` reuses a finished run of that command
instead (a copy of it): CI passes the one its main job just made, and it saves
the wait when iterating on the report.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from portal.devstack import Services

QUICK_RUN_ENV = "PERFPROOF_QUICK_RUN"
BENCH_TIMEOUT_S = 900
# The tests read the record, not its precision: two or three paired units are enough.
COMMAND = ("bench", "--profile", "quick", "--load-budget", "30")


@pytest.fixture(scope="session")
def quick_run(stack: Services, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run folder of a finished ``perfproof bench --profile quick``."""
    results = tmp_path_factory.mktemp("quick-run")
    given = os.environ.get(QUICK_RUN_ENV)
    if given:
        folder = Path(shutil.copytree(given, results / Path(given).name))
        manifest = json.loads((folder / "manifest.json").read_text())
        if manifest.get("profile") != "quick" or manifest.get("growth_scales"):
            pytest.fail(f"{QUICK_RUN_ENV}={given} is not a `perfproof {' '.join(COMMAND)}` run")
        return folder
    done = subprocess.run(
        [sys.executable, "-m", "perfproof", *COMMAND, "--results", str(results)],
        env={**os.environ, **stack.env()},
        capture_output=True,
        text=True,
        timeout=BENCH_TIMEOUT_S,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (folder,) = [path for path in results.iterdir() if path.is_dir()]
    return folder
