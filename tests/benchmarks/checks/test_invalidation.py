"""invalidation: every declared write shows in the next reads; a portal whose writes renew
nothing serves stale HITs, and the check sees them."""

from __future__ import annotations

import pytest

from benchmarks.checks import CheckResult, invalidation
from benchmarks.checks.invalidation import WRITES, uncovered_writes
from tests.benchmarks.checks.broken_portals import WITHOUT_INVALIDATION
from tests.benchmarks.checks.conftest import RunChecks, failed_with


def test_the_story_makes_every_write_the_policy_declares() -> None:
    assert uncovered_writes() == []


def test_a_write_the_story_lacks_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(invalidation, "WRITES", WRITES[1:])
    assert uncovered_writes() == ["POST /api/products"]


def test_the_real_portal_shows_every_write(real_portal: dict[str, CheckResult]) -> None:
    result = real_portal["invalidation"]
    assert result.passed, result
    seen = result.observed
    assert seen["writes"] == len(WRITES) and seen["stale"] == 0
    assert seen["fresh"] == seen["reads_after_writes"] >= len(WRITES)
    # Every write changed at least the routes it must; more reads than writes changed.
    assert seen["changed_by_the_write"] >= sum(len(write.visible) for write in WRITES)


def test_writes_that_invalidate_nothing_fail(run: RunChecks) -> None:
    result = run("invalidation", app=WITHOUT_INVALIDATION)["invalidation"]
    failed_with(
        result, "after POST /api/products, GET /api/products?q=", "differs from the database"
    )
    assert result.observed["stale"] > 0
    # The writes did change the database: stale reads are the whole finding.
    assert not any("nothing to see" in problem for problem in result.problems)
    assert result.observed["changed_by_the_write"] >= sum(len(write.visible) for write in WRITES)
