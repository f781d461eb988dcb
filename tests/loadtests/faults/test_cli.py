"""``perfproof faults`` from the outside: a bad option, and a real run of two scenarios.

The real run breaks servers the command starts in a home folder of its own
(a temporary ``PERFPROOF_HOME`` here): Redis frozen and PostgreSQL frozen,
short windows, a real portal with two workers driven by the real locustfile.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from loadtests.faults.summary import table_lines


def perfproof(
    *arguments: str, home: Path, cwd: Path, **portal: str
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env |= {"PERFPROOF_HOME": str(home), **portal}
    return subprocess.run(
        [sys.executable, "-m", "perfproof", "faults", *arguments],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_an_unknown_scenario_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = perfproof("--scenarios", "redis-stoped", home=tmp_path, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "redis-stopped" in done.stderr


@pytest.mark.slow
def test_frozen_redis_fails_nothing_and_frozen_postgres_fails_fast(tmp_path: Path) -> None:
    done = perfproof(
        "--scenarios", "redis-frozen,postgres-frozen", "--before", "2", "--fault", "3",
        "--after", "3", "--results", str(tmp_path / "results"), home=tmp_path / "home",
        cwd=tmp_path, PORTAL_REQUEST_TIMEOUT_S="1.5",
    )  # fmt: skip
    # A deadline shorter than the freeze: requests begun in its first 1.5 s fail inside it.
    # With the default 5 s, a 3 s freeze may fail nothing (held requests finish at the thaw).
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (folder,) = (tmp_path / "results").iterdir()
    assert json.loads((folder / "manifest.json").read_text())["request_timeout_s"] == 1.5
    entries = {
        e["scenario"]: e for e in json.loads((folder / "faults.json").read_text())["scenarios"]
    }
    redis, postgres = entries["redis-frozen"], entries["postgres-frozen"]
    assert all(redis["phases"][p]["failures"] == 0 for p in ("before", "during", "after"))
    assert redis["phases"]["during"]["requests"] > 0
    during = postgres["phases"]["during"]
    assert during["failures"] > 0  # the database really was gone
    assert set(during["failure_statuses"]) == {"503"}
    assert during["failure_max_s"] < 1.5 + 1.0  # the portal's deadline is the one judged by
    assert postgres["stale_entries"] == 0 and postgres["passed"]
    assert len(table_lines(list(entries.values()))) == 4
    # Nothing this run started is left behind, stopped or running.
    assert not (tmp_path / "home" / "faults" / "pgdata" / "postmaster.pid").exists()
    assert not (tmp_path / "home" / "faults" / "redis.pid").exists()
