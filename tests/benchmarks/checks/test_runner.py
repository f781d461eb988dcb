"""run_checks: a check that crashes is a failed result and the next one still runs; a
database without the dataset is refused before anything starts."""

from __future__ import annotations

import pytest

from benchmarks.checks import CHECK_IDS, ChecksUnavailable, run_checks
from benchmarks.checks.table import chosen
from portal.devstack import Services
from tests.benchmarks.checks.broken_portals import NOT_AN_APP
from tests.benchmarks.checks.conftest import RunChecks


def test_the_table_holds_the_claims_functional_ids() -> None:
    assert CHECK_IDS == (
        "slow-query", "fallback", "ttl", "x-cache", "invalidation", "indexes",
        "monitoring-endpoints", "money",
    )  # fmt: skip
    assert [check.id for check in chosen(["indexes", "ttl"])] == ["ttl", "indexes"]
    with pytest.raises(ValueError, match="unknown check"):
        chosen(["nope"])


def test_a_crashing_check_fails_and_the_next_one_runs(run: RunChecks) -> None:
    results = run("ttl", "indexes", app=NOT_AN_APP)
    assert list(results) == ["ttl", "indexes"]
    crashed = results["ttl"]
    assert not crashed.passed and crashed.observed == {}
    assert crashed.problems[0].startswith("RuntimeError: the server did not start")
    assert "could not finish" in crashed.tried and crashed.seconds > 0
    assert results["indexes"].passed, results["indexes"]  # needs no portal


def test_a_database_without_the_dataset_is_refused(stack: Services, checks_database: str) -> None:
    with pytest.raises(ChecksUnavailable, match="small dataset of seed 1"):
        run_checks(checks_database, stack.redis_url, scale="small", seed=1, only=["ttl"])
