"""A real quick run for every report test that needs one: ``perfproof bench --profile quick``.

One run per session (about a minute on two cores: the benchmark suites at
tiny, the load tests, the functional checks), in a temporary results folder,
against the session's PostgreSQL and Redis. Any report test can take
``quick_run`` and read or re-render it; none may write into it except through
``reports.cli.write_report``, which rewrites the same files every time.

``PERFPROOF_QUICK_RUN=<run folder>`` reuses a finished quick run instead (a
copy of it), for iterating on the report without a minute's wait per try.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from portal.devstack import Services

BENCH_TIMEOUT_S = 900


@pytest.fixture(scope="session")
def quick_run(stack: Services, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The run folder of a finished quick-profile bench run."""
    results = tmp_path_factory.mktemp("quick-run")
    given = os.environ.get("PERFPROOF_QUICK_RUN")
    if given:
        return Path(shutil.copytree(given, results / Path(given).name))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.cli",
            "bench",
            "--profile",
            "quick",
            "--results",
            str(results),
        ],
        env={**os.environ, **stack.env()},
        capture_output=True,
        text=True,
        timeout=BENCH_TIMEOUT_S,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (folder,) = [path for path in results.iterdir() if path.is_dir()]
    return folder
