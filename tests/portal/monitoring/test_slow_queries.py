"""A deliberately slow statement is caught: the ring, the log, the metrics, and its plan."""

from __future__ import annotations

import logging
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import User
from tests.portal.monitoring.conftest import SLEEP_OPERATION

SLEEP_S = 0.15  # over the 100 ms threshold with room for timer noise


def sample_value(metrics_text: str, name: str, **labels: str) -> float | None:
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return None


def test_pg_sleep_lands_in_the_ring_the_log_and_the_metrics(
    monitored: httpx.Client, admin: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="portal.monitoring.slow")
    response = monitored.get("/test/sleep", params={"seconds": SLEEP_S}, headers=admin.headers)
    assert response.status_code == 200, response.text

    # The log: one WARNING naming operation, duration, route and the SQL
    # text with its placeholder (the parameter value stays out).
    logged = [r for r in caplog.records if SLEEP_OPERATION in r.getMessage()]
    assert len(logged) == 1
    message = logged[0].getMessage()
    assert logged[0].levelno == logging.WARNING
    assert "route=GET /test/sleep" in message and f"user={admin.id}" in message
    assert "pg_sleep(%(seconds)s)" in message and str(SLEEP_S) not in message
    duration_ms = float(message.split("duration_ms=")[1].split()[0])
    assert SLEEP_S * 1000 <= duration_ms < SLEEP_S * 1000 + 1000

    # The ring, through the admin endpoint.
    summary = monitored.get("/api/performance/metrics", headers=admin.headers).json()
    newest = summary["slow_queries"][0]
    assert newest["operation"] == SLEEP_OPERATION
    assert newest["route"] == "GET /test/sleep" and newest["user_id"] == admin.id
    assert newest["duration_ms"] >= SLEEP_S * 1000
    assert newest["sql"] == "SELECT pg_sleep(%(seconds)s)"
    operation = summary["operations"][SLEEP_OPERATION]
    assert operation["count"] >= 1 and operation["slow"] >= 1
    assert operation["max_ms"] >= SLEEP_S * 1000

    # The metrics, as Prometheus reads them.
    metrics = monitored.get("/metrics").text
    slow = sample_value(metrics, "portal_db_slow_statements_total", operation=SLEEP_OPERATION)
    assert slow is not None and slow >= 1
    over = sample_value(
        metrics, "portal_db_statement_duration_seconds_bucket", operation=SLEEP_OPERATION, le="0.1"
    )
    total = sample_value(
        metrics, "portal_db_statement_duration_seconds_count", operation=SLEEP_OPERATION
    )
    assert total is not None and over is not None and total - over >= 1


def test_the_plan_of_the_first_slow_instance_is_captured_once(
    monitored: httpx.Client, admin: User
) -> None:
    for _ in range(2):
        monitored.get("/test/sleep", params={"seconds": 0.11}, headers=admin.headers)
    deadline = time.monotonic() + 5
    while True:
        slow = monitored.get("/api/performance/metrics", headers=admin.headers).json()
        plans = [q["plan"] for q in slow["slow_queries"] if q["operation"] == SLEEP_OPERATION]
        if (plans and all(plan is not None for plan in plans)) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    # The same SQL text: one plan, shown on every instance; EXPLAIN, not ANALYZE.
    assert plans and all(plan == plans[0] for plan in plans)
    assert plans[0]["Plan"]["Node Type"] == "Result"
    assert "Actual Total Time" not in plans[0]["Plan"]
