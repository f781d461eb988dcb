"""A target's claims judged without a number where none can be had, and why (no services)."""

from __future__ import annotations

from typing import Any

import pytest

from perfproof.targets.judging import Judging, judge
from perfproof.targets.target_claims import TargetClaim

LOAD = {"quote": "q", "statistic": "paired_reduction", "series": ["ALL"], "baseline": "a",
        "candidate": "b", "at_least": 0.5}  # fmt: skip


def _one(table: dict[str, Any], *, open_unavailable: str = "", code: int | None = None) -> Any:
    claim = TargetClaim("c", str(table["statistic"]), "said", table=table)
    checks = {"works": (code, "checks/works.log")} if code is not None else {}
    judging = Judging([], 0.05, "quick", checks, open_unavailable, "")
    (verdict,) = judge([claim], judging)
    return verdict


@pytest.mark.parametrize(
    ("table", "unavailable", "said"),
    [
        ({**LOAD, "models": ["closed"]}, "", "closed windows measure each arm's capacity only"),
        ({**LOAD, "metric": "latency_p99"}, "", "latency_p99 is not recorded per paired unit"),
        (LOAD, "Shopper runs a TaskSet", "the open model is not available: Shopper runs a"),
    ],
    ids=["closed-model", "metric-not-recorded", "open-model-unavailable"],
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
