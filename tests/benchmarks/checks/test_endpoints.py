"""monitoring-endpoints: the four answer, admin-only where the write-up says; with monitoring
off they answer 200 but with nothing in them, which fails."""

from __future__ import annotations

from benchmarks.checks import CheckResult
from benchmarks.checks.endpoints import ENDPOINTS
from tests.benchmarks.checks.conftest import RunChecks, failed_with


def test_the_real_portal_answers_and_guards(real_portal: dict[str, CheckResult]) -> None:
    result = real_portal["monitoring-endpoints"]
    assert result.passed, result
    statuses = result.observed["statuses"]
    assert statuses["GET /metrics"] == {"none": 200}
    for endpoint in ENDPOINTS[1:]:
        assert statuses[endpoint.name] == {"none": 401, "buyer": 403, "admin": 200}


def test_monitoring_off_fails(run: RunChecks) -> None:
    result = run("monitoring-endpoints", portal_env={"PORTAL_MONITORING": "off"})
    failed_with(
        result["monitoring-endpoints"],
        "GET /metrics answered 200 but no portal_* samples",
        "GET /api/performance/metrics answered 200 but monitoring 'off'",
    )
