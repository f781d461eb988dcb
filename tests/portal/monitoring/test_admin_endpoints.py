"""The admin performance views: closed to anonymous callers and buyers, complete for admins."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.conftest import User

ADMIN_VIEWS = ("/api/performance/metrics", "/api/performance/database/stats")


@pytest.mark.parametrize("path", ADMIN_VIEWS)
def test_anonymous_callers_get_401(monitored: httpx.Client, path: str) -> None:
    assert monitored.get(path).status_code == 401
    bad = monitored.get(path, headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401


@pytest.mark.parametrize("path", ADMIN_VIEWS)
def test_buyers_get_403(monitored: httpx.Client, buyer: User, path: str) -> None:
    response = monitored.get(path, headers=buyer.headers)
    assert response.status_code == 403
    assert "admin" in response.json()["detail"]


def test_metrics_summary_has_operations_routes_and_resources(
    monitored: httpx.Client, admin: User
) -> None:
    # A query no other test sends: a cache miss, so products.search really runs
    # (other servers in this session share the cache's Redis and prefix).
    unique = {"q": f"monitoring-{time.time_ns()}"}
    assert monitored.get("/api/products", headers=admin.headers, params=unique).status_code == 200
    body = monitored.get("/api/performance/metrics", headers=admin.headers).json()
    assert body["monitoring"] == "on" and body["slow_query_ms"] == 100
    search = body["operations"]["products.search"]
    assert search["count"] >= 1 and search["errors"] == 0
    assert search["p50_ms"] <= search["p95_ms"] <= search["p99_ms"] <= search["max_ms"]
    assert "/api/products" in search["routes"]
    route = body["routes"]["GET /api/products"]
    assert route["count"] >= 1 and route["statuses"]["2xx"] >= 1
    resources = body["resources"]
    assert resources["process"]["rss_bytes"] > 0
    assert resources["process"]["open_connections"] >= 1
    # A loop that took over 5 s to resume a sleeper would have stalled every request.
    assert 0 <= resources["event_loop"]["lag_s"] < 5
    assert resources["database_pool"]["size"] >= 1
    assert resources["redis"]["up"] is True and resources["redis"]["used_memory_bytes"] > 0
    assert "keyspace_hits" in resources["redis"]
    assert body["cache"]["products"]["misses"] >= 1


def test_database_stats(monitored: httpx.Client, admin: User) -> None:
    response = monitored.get("/api/performance/database/stats", headers=admin.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    pool = body["pool"]
    assert pool["size"] >= 1
    # QueuePool's own bookkeeping: every open connection is either out or idle.
    assert pool["checked_out"] + pool["checked_in"] == pool["size"] + pool["overflow"]
    tables = {table["table"]: table for table in body["tables"]}
    orders = tables["orders"]
    assert orders["row_estimate"] > 0 and orders["total_bytes"] > 0
    for key in ("seq_scan", "idx_scan", "dead_rows", "last_analyze", "last_autoanalyze"):
        assert key in orders
    indexes = {index["index"]: index for index in body["indexes"]}
    assert indexes["orders_pkey"]["table"] == "orders"
    assert indexes["orders_pkey"]["size_bytes"] > 0
    # A count (flushed lazily by PostgreSQL, so possibly still 0), never missing or null.
    assert isinstance(indexes["orders_pkey"]["idx_scan"], int)
    statements = body["pg_stat_statements"]
    if statements["available"]:
        assert statements["statements"] and statements["reason"] is None
    else:
        # Not preloaded on this server: the answer says so instead of failing.
        assert statements["reason"] and statements["statements"] == []


def test_admin_views_are_documented(monitored: httpx.Client) -> None:
    paths = monitored.get("/openapi.json").json()["paths"]
    for path in ADMIN_VIEWS:
        operation = paths[path]["get"]
        assert {"401", "403"} <= set(operation["responses"]) and operation["security"]
    assert "/metrics" not in paths  # text, not JSON: left out of the schema
