"""The wrk-driven measurements run end to end on tiny data: real servers, every arm, a result file.

Short runs with few repetitions: what is checked is that every arm was
measured without errors and the results were written, never how fast
anything was (that is what the measurements themselves are for).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.devstack import Services

pytestmark = pytest.mark.needs_program("wrk")


def perfproof(stack: Services, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **stack.env()}
    return subprocess.run(
        [sys.executable, "-m", "perfproof", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_http_throughput_measures_every_arm(stack: Services, tmp_path: Path) -> None:
    done = perfproof(
        stack, "http-throughput", "--scale", "tiny", "--seconds", "0.5", "--warmup", "0.2",
        "--repetitions", "1", "--results", str(tmp_path),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (folder,) = tmp_path.iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["finished"] is True and manifest["files"] == ["http_throughput.json"]
    result = json.loads((folder / "http_throughput.json").read_text())
    arms = {run["arm"] for run in result["runs"]}
    assert arms == {
        "bare redis GET", "products cached", "products uncached", "orders cached", "orders uncached"
    }  # fmt: skip
    assert result["errors"] == 0
    assert all(run["requests"] > 0 for run in result["runs"])


def test_monitoring_cost_pairs_both_arms(stack: Services, tmp_path: Path) -> None:
    done = perfproof(
        stack, "monitoring-cost", "--blocks", "1", "--pairs", "2", "--seconds", "0.3",
        "--warmup", "0.3", "--output", str(tmp_path),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads((tmp_path / "monitoring-cost.json").read_text())
    assert [run["arm"] for run in result["runs"]].count("on") == 2
    assert [run["arm"] for run in result["runs"]].count("off") == 2
    assert result["errors"] == 0
    low, high = result["median_ratio_ci95"]
    assert low <= result["median_ratio"] <= high
