"""``--load-rates`` for real: a quick bench of the load tests alone at two shares of capacity.

Each rate runs paired units of its own; the verdicts are the profile's share's (half of
capacity), and every latency verdict lists each rate it was judged at, with the rate a
reader would read: tasks per second and the share of the slowest arm's capacity. One
unit per rate (the smallest budget that buys one) keeps it to about two minutes: what is
checked is the wiring, not precision (``tests/reports/test_per_rate.py`` checks the
arithmetic on a known answer).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from loadtests.paired_units import unit_seconds
from portal.devstack import Services


@pytest.mark.slow
def test_the_latency_verdicts_are_judged_at_each_rate_and_name_theirs(
    stack: Services, tmp_path: Path
) -> None:
    budget = unit_seconds(3) + 1.0  # one unit per rate
    done = subprocess.run(
        [sys.executable, "-m", "perfproof", "bench", "--profile", "quick", "--suite", "load",
         "--load-rates", "0.25,0.5", "--load-budget", f"{budget:g}", "--results", str(tmp_path)],
        env={**os.environ, **stack.env()}, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (run_folder,) = tmp_path.iterdir()
    (load_folder,) = (run_folder / "load").iterdir()
    manifest = json.loads((load_folder / "manifest.json").read_text())
    phases = manifest["rate_phases"]
    assert [(p["share"], p["primary"]) for p in phases] == [(0.5, True), (0.25, False)]
    assert phases[1]["first_unit"] == phases[0]["units"] >= 1  # units numbered on
    assert manifest["open_rate"] == phases[0]["rate"]
    assert phases[1]["rate"] == pytest.approx(phases[0]["rate"] / 2, rel=0.02)
    verdicts = {v["id"]: v for v in json.loads((run_folder / "verdicts.json").read_text())[
        "verdicts"]}  # fmt: skip
    for claim in ("cache-latency", "api-latency"):
        verdict = verdicts[claim]
        assert verdict["judged_at"]["rate_per_s"] == phases[0]["rate"], claim
        assert verdict["judged_at"]["capacity_share"] == pytest.approx(0.5, rel=0.02)
        by_rate = verdict["details"]["by_rate"]
        assert [e["rate"] for e in by_rate] == sorted(p["rate"] for p in phases)
        assert [e["primary"] for e in by_rate] == [False, True]
    assert "by offered rate" in done.stdout
    assert "At each offered rate (--load-rates)" in (run_folder / "report.html").read_text()
