"""``--load-rates`` for real: a quick bench of the load tests alone at two shares of capacity.

Each rate runs paired units of its own; the verdicts are the profile's share's (half of
capacity), and every latency verdict lists each rate it was judged at, with the rate a
reader would read: tasks per second and the share of the slowest arm's capacity. One
unit per rate (the smallest budget that buys one) keeps it to about two minutes: what is
checked is the wiring, not precision (``tests/reports/test_per_rate.py`` checks the
arithmetic on a known answer). Its report is opened in headless Chromium: under each
latency claim, the effect-against-rate plot decodes and the table has a row per rate.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from loadtests.unit_timing import unit_seconds
from portal.devstack import Services
from reports.page.blocks import anchor
from tests.reports.page.browser import open_report

LATENCY_CLAIMS = ("cache-latency", "api-latency")


@dataclass(frozen=True)
class RatesRun:
    folder: Path  # the bench's run folder
    stdout: str
    phases: list[dict[str, Any]]  # the load manifest's rate_phases
    verdicts: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def rates_run(stack: Services, tmp_path_factory: pytest.TempPathFactory) -> RatesRun:
    results = tmp_path_factory.mktemp("load-rates")
    budget = unit_seconds(3) + 1.0  # one unit per rate
    done = subprocess.run(
        [sys.executable, "-m", "perfproof", "bench", "--profile", "quick", "--suite", "load",
         "--load-rates", "0.25,0.5", "--load-budget", f"{budget:g}", "--results", str(results)],
        env={**os.environ, **stack.env()}, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (run_folder,) = results.iterdir()
    (load_folder,) = (run_folder / "load").iterdir()
    manifest = json.loads((load_folder / "manifest.json").read_text())
    verdicts = json.loads((run_folder / "verdicts.json").read_text())["verdicts"]
    return RatesRun(
        run_folder, done.stdout, manifest["rate_phases"], {v["id"]: v for v in verdicts}
    )


@pytest.mark.slow
def test_the_latency_verdicts_are_judged_at_each_rate_and_name_theirs(rates_run: RatesRun) -> None:
    phases = rates_run.phases
    assert [(p["share"], p["primary"]) for p in phases] == [(0.5, True), (0.25, False)]
    assert phases[1]["first_unit"] == phases[0]["units"] >= 1  # units numbered on
    manifest = json.loads(next((rates_run.folder / "load").iterdir()).joinpath(
        "manifest.json").read_text())  # fmt: skip
    assert manifest["open_rate"] == phases[0]["rate"]
    assert phases[1]["rate"] == pytest.approx(phases[0]["rate"] / 2, rel=0.02)
    for claim in LATENCY_CLAIMS:
        verdict = rates_run.verdicts[claim]
        assert verdict["judged_at"]["rate_per_s"] == phases[0]["rate"], claim
        assert verdict["judged_at"]["capacity_share"] == pytest.approx(0.5, rel=0.02)
        by_rate = verdict["details"]["by_rate"]
        assert [e["rate"] for e in by_rate] == sorted(p["rate"] for p in phases)
        assert [e["primary"] for e in by_rate] == [False, True]
    assert "by offered rate" in rates_run.stdout


@pytest.mark.slow
@pytest.mark.needs_program("chromium")
def test_the_report_draws_each_latency_claim_against_the_offered_rate(rates_run: RatesRun) -> None:
    """In headless Chromium: a plot that decodes and a table row per rate, under each claim."""
    pages = open_report(rates_run.folder / "report.html", {"desktop": 1366}, "load-rates")
    page = pages["desktop"]
    assert page.requests == [] and page.console_errors == []
    rates = sorted(p["rate"] for p in rates_run.phases)
    for claim in LATENCY_CLAIMS:
        section = page.claims[anchor(claim)]
        assert "At each offered rate (--load-rates)" in section, claim
        for rate in rates:  # the table's "offered" column, the verdict's rate starred
            assert f"{rate:g}/s" in section, (claim, rate)
        assert f"{rates[1]:g}/s *" in section, claim
        plots = [
            image for image in page.images
            if image["alt"].startswith(f"{claim}: the effect against the offered rate")
        ]  # fmt: skip
        assert len(plots) == 1, (claim, [image["alt"] for image in page.images])
        assert plots[0]["complete"] and plots[0]["width"] > 0, claim
