"""fallback: the real portal answers every request through a Redis outage; one without its
in-process fallback does not, and the check counts the failures."""

from __future__ import annotations

from benchmarks.checks import CheckResult
from tests.benchmarks.checks.broken_portals import WITHOUT_FALLBACK
from tests.benchmarks.checks.conftest import RunChecks, failed_with


def test_the_real_portal_answers_everything_from_memory(
    real_portal: dict[str, CheckResult],
) -> None:
    result = real_portal["fallback"]
    assert result.passed, result
    seen = result.observed
    assert seen["failed_before"] == seen["failed_after"] == 0
    assert seen["requests_before"] > 0 and seen["requests_after"] > 0
    assert seen["backend_after"].get("memory", 0) > 0
    assert sum(seen["x_cache_after"].values()) == seen["requests_after"]


def test_a_portal_without_fallback_fails_requests(run: RunChecks) -> None:
    result = run("fallback", app=WITHOUT_FALLBACK)["fallback"]
    failed_with(result, "failed after the stop")
    assert result.observed["failed_before"] == 0  # it worked while Redis did
    assert result.observed["failed_after"] > 0
