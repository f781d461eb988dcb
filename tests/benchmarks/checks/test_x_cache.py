"""x-cache: MISS then HIT on every cached route; a portal with the cache off says neither."""

from __future__ import annotations

from benchmarks.checks import CheckResult
from portal.cache.policy import CACHED_ROUTES, NAMESPACES
from tests.benchmarks.checks.conftest import RunChecks, failed_with


def test_the_real_portal_misses_then_hits(real_portal: dict[str, CheckResult]) -> None:
    result = real_portal["x-cache"]
    assert result.passed, result
    assert result.observed["miss_then_hit"] == result.observed["routes"] == len(CACHED_ROUTES)
    assert sorted(result.observed["namespaces"]) == sorted(NAMESPACES)


def test_the_cache_off_fails(run: RunChecks) -> None:
    result = run("x-cache", portal_env={"PORTAL_CACHE": "off"})["x-cache"]
    failed_with(result, "X-Cache none then none")
    assert result.observed["miss_then_hit"] == 0
