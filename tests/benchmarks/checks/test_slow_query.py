"""slow-query: the real portal catches a held statement in all three places; a portal whose
threshold is above it catches it nowhere."""

from __future__ import annotations

from benchmarks.checks import CheckResult
from benchmarks.checks.slow_query import CLAIMED_THRESHOLD_MS, HOLD_S
from tests.benchmarks.checks.conftest import RunChecks, failed_with


def test_the_real_portal_logs_rings_and_counts_it(real_portal: dict[str, CheckResult]) -> None:
    result = real_portal["slow-query"]
    assert result.passed, result
    seen = result.observed
    assert seen["operation"] == "wallet.top_up"
    assert seen["log_lines"] == seen["ring_entries"] == 1 and seen["metric_increase"] == 1
    assert seen["duration_ms"] >= HOLD_S * 1000 > CLAIMED_THRESHOLD_MS
    assert seen["portal_threshold_ms"] == CLAIMED_THRESHOLD_MS


def test_a_threshold_above_the_statement_fails(run: RunChecks) -> None:
    result = run("slow-query", portal_env={"PORTAL_SLOW_QUERY_MS": "1000"})["slow-query"]
    failed_with(result, "log", "slow ring", "rose by 0")
    assert result.observed["portal_threshold_ms"] == 1000
