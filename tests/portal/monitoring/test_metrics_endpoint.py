"""``/metrics`` is valid Prometheus text, and its route labels stay bounded."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import User

REQUEST_SECONDS = "http_request_duration_seconds"


def families(client: httpx.Client) -> dict[str, list[tuple[str, dict[str, str], float]]]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        family.name: [(s.name, s.labels, s.value) for s in family.samples]
        for family in text_string_to_metric_families(response.text)
    }


def test_metrics_parse_and_name_what_the_portal_does(monitored: httpx.Client, buyer: User) -> None:
    assert monitored.get("/api/products", headers=buyer.headers).status_code == 200
    assert monitored.get("/api/orders", headers=buyer.headers).status_code == 200
    found = families(monitored)
    for name in (
        REQUEST_SECONDS,
        "portal_db_statement_duration_seconds",
        "portal_db_statement_errors",
        "portal_db_slow_statements",
        "portal_process_cpu_percent",
        "portal_process_resident_memory_bytes",
        "portal_process_open_connections",
        "portal_event_loop_lag_seconds",
        "portal_db_pool_size",
        "portal_db_pool_checked_out",
        "portal_db_pool_overflow",
        "portal_redis_used_memory_bytes",
        "portal_redis_keyspace_hits",
        "portal_cache_events",
        "process_cpu_seconds",  # the standard process collector (one worker)
    ):
        assert name in found, name
    operations = {
        labels["operation"]
        for sample, labels, _ in found["portal_db_statement_duration_seconds"]
        if sample.endswith("_count")
    }
    assert {"products.search", "orders.list_for_user"} <= operations
    routes = {labels["route"] for _, labels, _ in found[REQUEST_SECONDS]}
    assert {"/api/products", "/api/orders"} <= routes
    statuses = {labels["status"] for _, labels, _ in found[REQUEST_SECONDS]}
    assert statuses <= {"1xx", "2xx", "3xx", "4xx", "5xx"}
    pool_size = [value for _, _, value in found["portal_db_pool_size"]]
    assert pool_size and pool_size[0] >= 1


def wallet_requests(client: httpx.Client) -> float:
    """``GET /api/wallet`` 2xx requests counted in ``/metrics``."""
    return sum(
        value
        for sample, labels, value in families(client)[REQUEST_SECONDS]
        if sample.endswith("_count")
        and (labels["method"], labels["route"], labels["status"]) == ("GET", "/api/wallet", "2xx")
    )


def test_a_miss_and_a_hit_are_each_counted_once_under_the_route_template(
    monitored: httpx.Client, buyer: User, admin: User
) -> None:
    # The cache layer answers (and records) a hit itself, before routing and
    # outside the metrics middleware; the miss goes through that middleware.
    # Neither may be lost or counted twice. A fresh buyer: their wallet is a
    # miss first.
    before = wallet_requests(monitored)
    summary_before = monitored.get("/api/performance/metrics", headers=admin.headers).json()
    answers = [monitored.get("/api/wallet", headers=buyer.headers).headers["x-cache"] for _ in "ab"]
    assert answers == ["MISS", "HIT"]
    assert wallet_requests(monitored) == before + 2
    summary = monitored.get("/api/performance/metrics", headers=admin.headers).json()
    route, route_before = (
        summary["routes"]["GET /api/wallet"],
        summary_before["routes"].get("GET /api/wallet", {"count": 0, "statuses": {}}),
    )
    assert route["count"] == route_before["count"] + 2
    assert route["statuses"]["2xx"] == route_before["statuses"].get("2xx", 0) + 2
    cache = {
        (labels["namespace"], labels["event"]): value
        for sample, labels, value in families(monitored)["portal_cache_events"]
        if sample.endswith("_total")
    }
    assert cache.get(("wallet", "hits"), 0) >= 1


def test_route_labels_stay_bounded_with_thousands_of_distinct_ids(
    monitored: httpx.Client, buyer: User
) -> None:
    paths = [
        path
        for n in range(1, 701)
        for path in (f"/api/products/{n}", f"/api/orders/{10_000_000 + n}", f"/no/such/page/{n}")
    ]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = set(pool.map(lambda path: fetch_status(monitored, path, buyer), paths))
    assert statuses <= {200, 404}, statuses
    found = families(monitored)
    routes = {labels["route"] for _, labels, _ in found[REQUEST_SECONDS]}
    assert "/api/products/{product_id}" in routes
    assert "/api/orders/{order_id}" in routes
    assert "<unmatched>" in routes
    assert not any(any(ch.isdigit() for ch in route) for route in routes), routes
    assert len(routes) < 40  # the app's templates, not the 2,100 paths requested
    operations = {
        labels["operation"] for _, labels, _ in found["portal_db_statement_duration_seconds"]
    }
    assert len(operations) < 60
    summary = monitored.get("/api/performance/metrics", headers=buyer.headers)
    assert summary.status_code == 403


def fetch_status(client: httpx.Client, path: str, user: User) -> int:
    # Bypassing the cache keeps the test quick: a thousand misses would each
    # take the stampede lock, and routing is what is under test here.
    return client.get(path, headers={**user.headers, "X-Cache-Bypass": "1"}).status_code
