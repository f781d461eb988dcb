"""Several runs of one claim: the spread check, the pooled interval's coverage, the command.

The pooled interval is proved on synthetic runs with a known answer: five runs whose
estimates are the truth, plus a between-run shift of standard deviation tau, plus each
run's own error (unequal, as real runs' are), each run reporting its 95 % interval.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from perfproof.cli import main
from reports.across_runs import Z95, RunEstimate, pool
from reports.verdict_rule import Claimed

TRUTH = 0.70


def _runs(
    estimates: list[float], half_widths: list[float], scale: str = "small"
) -> list[RunEstimate]:
    return [
        RunEstimate(f"run-{n}", e, e - h, e + h, scale)
        for n, (e, h) in enumerate(zip(estimates, half_widths, strict=True), 1)
    ]


@pytest.mark.parametrize("tau", [0.0, 0.015, 0.03, 0.06], ids=lambda t: f"tau={t}")
def test_the_pooled_interval_covers_a_known_truth_in_at_least_94_percent_of_runs(
    tau: float,
) -> None:
    """1,000 series of five runs each, run errors 0.01-0.04 (unequal), tau from none to
    twice a run's error: the 95 % interval across runs covers the truth."""
    rng = np.random.default_rng(24)
    covered = 0
    trials = 1000
    for _ in range(trials):
        errors = rng.uniform(0.01, 0.04, 5)
        estimates = TRUTH + rng.normal(0, tau, 5) + rng.normal(0, errors)
        pooled = pool("x", _runs(list(estimates), list(Z95 * errors)), None, percent=True)
        assert pooled.low is not None and pooled.high is not None
        covered += pooled.low <= TRUTH <= pooled.high
    assert covered / trials >= 0.94


def test_five_runs_that_share_one_truth_decide_a_claim_one_run_alone_cannot() -> None:
    """Five runs at ±5 points each, all near 66 %: across them the interval is narrow enough
    to say "met" of "at least 60 %" where one run's [61, 71] could too, but one at
    [57, 67] could not."""
    pooled = pool("c", _runs([0.66, 0.64, 0.67, 0.65, 0.66], [0.05] * 5), Claimed(0.60), True)
    assert pooled.spread_held and pooled.low is not None and pooled.high is not None
    assert 0.60 < pooled.low < 0.65 < pooled.high < 0.70
    assert pooled.verdict == "met"
    assert pooled.i2 == 0.0  # they spread less than their errors: nothing is between runs


def test_runs_that_spread_beyond_their_intervals_are_named_and_widen_the_pooled_interval() -> None:
    """The five default runs of api-latency (code 107dc7f): 71.3 ±2.8, 78.9 ±7.7, 71.2 ±7.4,
    66.8 ±3.3 and 64.1 ±5.0 % spread by 5.6 points where their intervals allow 5.4; tau
    is about 4.6 points, and across the runs the claim "40-60 %" is exceeded."""
    runs = _runs([0.713, 0.789, 0.712, 0.668, 0.641], [0.028, 0.0767, 0.0743, 0.0332, 0.0502])
    pooled = pool("api-latency", runs, Claimed(0.40, 0.60), percent=True)
    assert pooled.spread == pytest.approx(0.0560, abs=5e-4)
    assert pooled.spread_allowed == pytest.approx(0.0536, abs=5e-4)
    assert not pooled.spread_held
    assert pooled.tau == pytest.approx(0.046, abs=0.003)
    assert pooled.low is not None and pooled.high is not None
    assert pooled.low < min(r.measured for r in runs[:4]) and pooled.high > 0.72
    assert pooled.verdict == "exceeded"


def test_what_cannot_be_pooled_says_why() -> None:
    one = pool("c", _runs([0.7], [0.05]), None, True)
    assert one.estimate is None and one.not_pooled.startswith("one run")
    sizes = _runs([0.7], [0.05], "tiny") + _runs([0.8], [0.05], "small")
    assert "different scales (small, tiny)" in pool("c", sizes, None, True).not_pooled
    count = pool("indexes", _runs([21.0, 21.0], [0.0, 0.0]), Claimed(20), False)
    assert count.estimate is None and "no width" in count.not_pooled


def _run_folder(root: Path, name: str, api: float, half: float) -> Path:
    """A run folder as ``perfproof report`` leaves it, reduced to the fields read here."""
    folder = root / name
    folder.mkdir()
    verdicts = [
        {"id": "api-latency", "measured": api, "low": api - half, "high": api + half,
         "percent": True, "scale": "small", "verdict": "exceeded"},
        {"id": "memory", "measured": None, "low": None, "high": None, "percent": False,
         "scale": "small", "verdict": "not measurable"},
    ]  # fmt: skip
    (folder / "verdicts.json").write_text(json.dumps({"format": 1, "verdicts": verdicts}))
    return folder


def test_the_command_prints_each_claim_across_runs_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folders = [
        _run_folder(tmp_path, f"r{n}", api, 0.04)
        for n, api in enumerate([0.71, 0.69, 0.72, 0.70], 1)
    ]
    out = tmp_path / "across.json"
    assert main(["across", *map(str, folders), "--json", str(out)]) == 0
    said = capsys.readouterr().out
    assert said.startswith("4 runs: r1, r2, r3, r4")
    assert "api-latency (40 % to 60 %): across 4 runs 70.5 % [" in said and "EXCEEDED" in said
    assert "each run: 71.0 % ±4.00, 69.0 % ±4.00, 72.0 % ±4.00, 70.0 % ±4.00" in said
    assert ": within one run's interval" in said
    assert "memory" not in said  # no estimate in any run: nothing to put side by side
    (claim,) = json.loads(out.read_text())["claims"]
    assert claim["claim"] == "api-latency" and claim["spread_held"] is True
    assert claim["low"] < 0.705 < claim["high"] and claim["verdict"] == "exceeded"


@pytest.mark.parametrize(
    ("folders", "says"),
    [
        (["r1"], "give two run folders or more"),
        (["r1", "missing"], "missing: not a run folder"),
        (["r1", "empty"], "empty: no verdicts.json (perfproof report --run"),
        (["r1", "broken"], "verdicts.json: unreadable"),
    ],
    ids=["one-run", "no-folder", "no-verdicts", "broken-json"],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], folders: list[str], says: str
) -> None:
    _run_folder(tmp_path, "r1", 0.7, 0.04)
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "verdicts.json").write_text("{not json")
    assert main(["across", *(str(tmp_path / f) for f in folders)]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
