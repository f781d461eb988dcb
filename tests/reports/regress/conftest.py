"""Two real quick runs of the query and endpoint suites, for the gate's end-to-end tests.

About 25 s each on two cores (``perfproof bench --profile quick --suite queries
--suite endpoints``), once per session, against the session's PostgreSQL and
Redis. ``PERFPROOF_REGRESS_RUNS=<run>:<run>`` reuses two finished runs (copied)
instead, for iterating without the wait.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from portal.devstack import Services

BENCH_TIMEOUT_S = 600
QUICK = ["--profile", "quick", "--suite", "queries", "--suite", "endpoints"]


def quick_bench(stack: Services, results: Path, *, cwd: Path | None = None) -> Path:
    """One finished quick run of queries and endpoints; its run folder."""
    done = subprocess.run(
        [sys.executable, "-m", "perfproof", "bench", *QUICK, "--results", str(results)],
        env={**os.environ, **stack.env()},
        capture_output=True,
        text=True,
        timeout=BENCH_TIMEOUT_S,
        cwd=cwd,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (folder,) = [path for path in results.iterdir() if path.is_dir()]
    return folder


@pytest.fixture(scope="session")
def two_quick_runs(stack: Services, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    given = os.environ.get("PERFPROOF_REGRESS_RUNS")
    root = tmp_path_factory.mktemp("regress-runs")
    if given:
        first, second = given.split(":")
        return (
            Path(shutil.copytree(first, root / "a" / Path(first).name)),
            Path(shutil.copytree(second, root / "b" / Path(second).name)),
        )
    return quick_bench(stack, root / "a"), quick_bench(stack, root / "b")
