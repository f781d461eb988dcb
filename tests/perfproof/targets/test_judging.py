"""A target's claims judged without a number where none can be had, and why (no services)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from loadtests.arm_run import ArmRun
from loadtests.arms import NamedArm
from loadtests.recorder import Recorder
from perfproof.targets.judging import Judging, RatePhase, judge
from perfproof.targets.report import table_lines
from perfproof.targets.target_claims import TargetClaim

LOAD = {"quote": "q", "statistic": "paired_reduction", "series": ["ALL"], "baseline": "a",
        "candidate": "b", "at_least": 0.5}  # fmt: skip


def _one(table: dict[str, Any], *, open_unavailable: str = "", code: int | None = None,
         runs: Sequence[ArmRun] = ()) -> Any:  # fmt: skip
    claim = TargetClaim("c", str(table["statistic"]), "said", table=table)
    checks = {"works": (code, "checks/works.log")} if code is not None else {}
    judging = Judging(runs, 0.005, "quick", checks, open_unavailable, "1,000 items, 5 tasks/s",
                      closed_at="1,000 items, 8 users")  # fmt: skip
    (verdict,) = judge([claim], judging)
    return verdict


@pytest.mark.parametrize(
    ("table", "unavailable", "said"),
    [
        ({**LOAD, "metric": "latency_p99"}, "", "latency_p99 is not recorded per paired unit"),
        (LOAD, "Shopper runs a TaskSet", "the open model is not available: Shopper runs a"),
    ],
    ids=["metric-not-recorded", "open-model-unavailable"],
)
def test_a_load_claim_without_evidence_says_no_evidence_and_why(
    table: dict[str, Any], unavailable: str, said: str
) -> None:
    verdict = _one(table, open_unavailable=unavailable)
    assert verdict.verdict == "no evidence" and said in verdict.reason
    assert verdict.low is None and verdict.high is None


def test_a_load_claim_with_no_complete_unit_is_inconclusive_never_met() -> None:
    verdict = _one(LOAD)
    assert verdict.verdict == "inconclusive" and verdict.measured is None


@pytest.mark.parametrize(("code", "word"), [(0, "met"), (1, "not met")])
def test_a_check_holds_exactly_when_its_command_exits_0(code: int, word: str) -> None:
    verdict = _one({"quote": "q", "statistic": "check", "check": "works"}, code=code)
    assert verdict.verdict == word and f"exited with code {code}" in verdict.reason


def _window(arm: str, model: str, unit: int, ms: float) -> ArmRun:
    """A window of 50 requests, each ``ms`` from the send (and, in the open model, from its
    intended start, twice that)."""
    recorder = Recorder()
    for _ in range(50):
        recorder.record("GET /", ms / 1e3, ok=True, x_cache=None, second=0,
                        intended_seconds=2 * ms / 1e3 if model == "open" else None)  # fmt: skip
    return ArmRun(
        arm=NamedArm(arm), model="open" if model == "open" else "closed", repetition=unit,
        offered_rps=5.0 if model == "open" else None,
        recorded={"measured": recorder}, servers={}, cpu={"generator": 0.2},
        portal_statements=None, generator_processes=1, server_died=False, seconds=3.0,
    )  # fmt: skip


def test_a_closed_model_claim_is_judged_on_the_closed_units_alone_at_5_percent() -> None:
    # Closed: b is 40 % faster than a in every unit (10 -> 6 ms, give or take); the open
    # windows say 0 % and must not count.
    runs = [
        *(_window(arm, "closed", unit, ms * (1 + 0.01 * unit))
          for unit in range(3) for arm, ms in (("a", 10.0), ("b", 6.0))),
        *(_window(arm, "open", unit, 10.0) for unit in range(3) for arm in ("a", "b")),
    ]  # fmt: skip
    closed = _one({**LOAD, "metric": "latency_mean", "models": ["closed"], "at_least": 0.3},
                  runs=runs)  # fmt: skip
    assert closed.verdict in ("met", "exceeded") and closed.n == 3
    assert closed.measured == pytest.approx(0.4, abs=0.01)
    assert closed.level == pytest.approx(0.95) and "closed model" in closed.method
    assert closed.judged_at == "1,000 items, 8 users"
    assert "fixed number of closed units" in closed.reason
    opened = _one({**LOAD, "metric": "latency_mean", "at_least": 0.3}, runs=runs)
    assert opened.verdict == "not met" and opened.measured == pytest.approx(0.0, abs=1e-9)
    assert opened.judged_at == "1,000 items, 5 tasks/s" and opened.level == pytest.approx(0.995)


def test_each_offered_rate_is_judged_on_its_own_units_and_the_verdict_is_the_first_rates() -> None:
    # Units 0-2 at 5/s (the verdicts' rate): b 40 % faster; units 3-5 at 10/s: 60 % faster.
    runs = [
        *(_window(arm, "open", unit, ms * (1 + 0.01 * unit))
          for unit in range(3) for arm, ms in (("a", 10.0), ("b", 6.0))),
        *(_window(arm, "open", unit, ms * (1 + 0.01 * unit))
          for unit in range(3, 6) for arm, ms in (("a", 10.0), ("b", 4.0))),
    ]  # fmt: skip
    phases = [RatePhase(0.5, 5.0, 0, 3, 0.005, primary=True),
              RatePhase(0.25, 2.5, 3, 3, 0.01, primary=False)]  # fmt: skip
    claim = TargetClaim("c", "paired_reduction", "said", table={**LOAD, "at_least": 0.5})
    judging = Judging(runs, 0.005, "quick", {}, "", "5 tasks/s", phases=phases)
    (verdict,) = judge([claim], judging)
    assert verdict.measured == pytest.approx(0.4, abs=0.01) and verdict.n == 3
    assert verdict.verdict == "not met"
    low, primary = verdict.details["by_rate"]  # in order of the rate
    assert (low["rate"], low["primary"], low["n"]) == (2.5, False, 3)
    assert low["value"] == pytest.approx(0.6, abs=0.01) and low["verdict"] in ("met", "exceeded")
    assert low["level"] == pytest.approx(0.99)
    assert primary["primary"] and primary["value"] == pytest.approx(verdict.measured)
    (line,) = [line for line in table_lines([verdict]) if line.startswith("  c: 2.5/s")]
    assert "2.5/s 60.0 %" in line and "5/s* 40.0 %" in line


def test_a_series_no_window_sent_is_no_evidence_naming_what_was_sent() -> None:
    runs = [_window(arm, "open", unit, 10.0) for unit in range(3) for arm in ("a", "b")]
    verdict = _one({**LOAD, "series": ["stat"]}, runs=runs)
    assert verdict.verdict == "no evidence"
    assert "no request named 'stat' was sent in the open model (sent: GET /)" in verdict.reason
    said = _one({**LOAD, "series": ["GET /"], "at_least": -1.0}, runs=runs)
    assert said.verdict == "met" and said.reason.startswith("the whole interval is within")
