"""A load claim at every offered rate (``--load-rates``), each rate on its own units.

A synthetic run at two rates with a known answer: the cached arm is 20 % faster
at 60 tasks/s and 50 % faster at 120 (the verdicts' rate, half of capacity).
The verdict is 120/s's alone; 60/s's units never enter its interval; every rate
is judged, drawn and listed; a run at one rate is judged as before.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reports.claims import ClaimsFile, load_claims
from reports.evaluate import judge
from reports.page.html import render
from reports.verdict_output import markdown, terminal_lines
from tests.reports.test_evaluate import claim_file, folder, load_rows

LATENCY = """[[claims]]
id = "api-latency"
quote = "40-60% faster API responses"
statistic = "paired_reduction"
suite = "load"
series = "ALL"
baseline = "no-cache"
candidate = "all-on"
metric = "intended_mean"
models = ["open"]
between = [0.40, 0.60]
"""
PHASES = ((0.5, 120.0, 0.50, True), (0.25, 60.0, 0.20, False))  # share, rate, effect, verdicts'
UNITS = 8


def sequential(units: int) -> dict[str, Any]:
    return {"budget_s": 90.0, "looks": [], "stopped": "budget", "alpha": 0.035, "units": units,
            "unit_s": [13.0] * units, "warmup_s": 1.0, "window_s": 3.0}  # fmt: skip


Phase = tuple[float, float, float, bool]


def two_rates(phases: tuple[Phase, ...] = PHASES) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rng = np.random.default_rng(3)
    rows: list[dict[str, Any]] = []
    records = []
    for number, (share, rate, reduction, primary) in enumerate(phases):
        first = number * UNITS
        for unit in range(first, first + UNITS):
            base = 0.010 * rng.lognormal(0, 0.05)
            cached = base * (1 - reduction) * rng.lognormal(0, 0.05)
            rows += load_rows("no-cache", "open", unit, intended_mean=base, offered_rate=rate)
            rows += load_rows("all-on", "open", unit, intended_mean=cached, offered_rate=rate)
        records.append({"share": share, "rate": rate, "first_unit": first, "units": UNITS,
                        "primary": primary, "sequential": sequential(UNITS)})  # fmt: skip
    manifest = {"open_rate": phases[0][1], "rate_phases": records, "sequential": sequential(UNITS)}
    return rows, manifest


def test_the_verdict_is_the_primary_rate_s_and_every_rate_is_judged(tmp_path: Path) -> None:
    claim = load_claims(claim_file(tmp_path, LATENCY)).claims[0]
    rows, manifest = two_rates()
    verdict = judge(claim, folder(tmp_path, rows, manifest=manifest))
    assert verdict.measured == pytest.approx(0.50, abs=0.03) and verdict.n == UNITS
    assert verdict.verdict == "met"
    low, high = verdict.details["by_rate"]  # by rate, low to high
    assert (low["rate"], low["share"], low["primary"]) == (60.0, 0.25, False)
    assert low["value"] == pytest.approx(0.20, abs=0.03) and low["verdict"] == "not met"
    assert high["primary"] and high["value"] == pytest.approx(verdict.measured)
    assert verdict.conditions.rate_per_s == 120.0
    line = next(x for x in terminal_lines([verdict]) if "by offered rate" in x)
    assert re.search(r"60/s (19|20|21)\.\d % \[[^]]+\] not met; 120/s\* (49|50|51)\.\d %", line)
    assert "by offered rate" in markdown([verdict], run="r", title="t")


def test_the_report_draws_the_effect_against_the_rate(tmp_path: Path) -> None:
    claim = load_claims(claim_file(tmp_path, LATENCY)).claims[0]
    rows, manifest = two_rates()
    run = folder(tmp_path, rows, manifest=manifest)
    claims = ClaimsFile(path=tmp_path / "claims.toml", title="t", source="", claims=(claim,))
    page = html.unescape(render(run, claims, [judge(claim, run)]))
    assert "At each offered rate (--load-rates)" in page
    assert re.search(r"the effect against the offered rate: 60/s: (19|20|21)\.", page)  # alt
    assert "120/s *" in page


def test_a_rate_without_units_says_so_and_the_verdict_stands(tmp_path: Path) -> None:
    claim = load_claims(claim_file(tmp_path, LATENCY)).claims[0]
    rows, manifest = two_rates()
    rows = [r for r in rows if not (r["repetition"] < UNITS * 2 and r["repetition"] >= UNITS)]
    verdict = judge(claim, folder(tmp_path, rows, manifest=manifest))
    assert verdict.verdict == "met"
    assert "missing" in verdict.details["by_rate"][0]


def test_a_run_at_one_rate_has_no_by_rate(tmp_path: Path) -> None:
    claim = load_claims(claim_file(tmp_path, LATENCY)).claims[0]
    rows, manifest = two_rates(PHASES[:1])
    del manifest["rate_phases"]
    verdict = judge(claim, folder(tmp_path, rows, manifest=manifest))
    assert "by_rate" not in verdict.details and verdict.verdict == "met"
