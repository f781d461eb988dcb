"""``PORTAL_MONITORING=off`` installs no timing; ``serve --workers 2`` sums both workers.

The statement counter is not monitoring: the cache's stats report it and the
database-load benchmarks read it, in every arm, so it stays attached when
monitoring is off (one integer increment per statement).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import event

from benchmarks.servers import serving
from portal import Settings, create_app
from portal.monitoring import HttpMetricsMiddleware
from tests.conftest import LiveServer, User


def test_off_means_no_middleware_no_timing_listeners_and_says_so(
    settings: Settings, admin: User
) -> None:
    app = create_app(settings.model_copy(update={"monitoring": "off"}))
    # ``cls`` is typed as a ParamSpec factory protocol that mypy finds no overlap with a
    # class in; compared as plain objects, the identity check is the same.
    installed = [cast(object, m.cls) for m in app.user_middleware]
    assert not any(cls is HttpMetricsMiddleware for cls in installed)
    with LiveServer(app) as url, httpx.Client(base_url=url, timeout=15) as client:
        assert client.get("/api/products", headers=admin.headers).status_code == 200
        metrics = client.get("/metrics")
        assert metrics.status_code == 200 and "monitoring is off" in metrics.text
        summary = client.get("/api/performance/metrics", headers=admin.headers)
        assert summary.status_code == 200 and summary.json()["monitoring"] == "off"
        state = app.state.portal
        assert state.monitor is None
        engine = state.engine.sync_engine
        dispatch = engine.dispatch
        # Only the statement counter listens: no statement timer before or after.
        assert len(list(dispatch.before_cursor_execute)) == 1
        assert event.contains(engine, "before_cursor_execute", state.statements._on_execute)
        assert list(dispatch.after_cursor_execute) == []
        assert (
            client.get("/api/performance/database/stats", headers=admin.headers).status_code == 200
        )


@pytest.fixture
def two_workers(settings: Settings, tmp_path: Path) -> Iterator[str]:
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": settings.database_url,
        "PORTAL_REDIS_URL": settings.redis_url,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    with serving(env, workers=2, log=tmp_path / "serve.log") as portal:
        yield portal.url


def test_two_workers_report_through_either_one(two_workers: str, buyer: User) -> None:
    requests = 60
    # Fresh connections, so the kernel spreads them over both workers.
    for _ in range(requests):
        with httpx.Client(base_url=two_workers, timeout=15) as client:
            assert client.get("/api/products", headers=buyer.headers).status_code == 200
    # Another worker's latencies reach the shared files within a second.
    deadline = time.monotonic() + 5
    while True:
        count, pids = scrape(two_workers)
        if count == requests or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert count == requests  # summed over the workers, whichever one answered
    assert len(pids) == 2  # one live gauge per worker process


def scrape(url: str) -> tuple[float, set[str]]:
    """Requests counted for /api/products, and the pids with a process gauge."""
    count = 0.0
    pids: set[str] = set()
    text = httpx.get(f"{url}/metrics", timeout=15).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if (
                sample.name == "http_request_duration_seconds_count"
                and sample.labels.get("route") == "/api/products"
            ):
                count += sample.value
            if sample.name == "portal_process_resident_memory_bytes":
                pids.add(sample.labels["pid"])
    return count, pids
