"""Redis goes away mid-test: every request still answers; when it is back, the
portal returns to it by itself and serves nothing that went stale meanwhile.

Each test starts (and stops, and restarts) a Redis of its own: never the
machine's shared one.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis

from portal import Settings
from portal.devstack import EmbeddedRedis
from tests.conftest import LiveServer, User
from tests.portal.cache.conftest import own_settings

LISTING = "/api/products?limit=10&sort=price"
ROUTES = (LISTING, "/api/wallet", "/api/orders", "/api/cart", "/api/users/me")


@pytest.fixture
def outage_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def wait_for_backend(http: httpx.Client, user: User, backend: str, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        # Another key than the ones the test checks, so probing changes nothing.
        response = http.get("/api/products?limit=1&sort=name", headers=user.headers)
        if response.headers.get("x-cache-backend") == backend:
            return
        time.sleep(0.05)
    raise AssertionError(f"the portal did not switch to {backend} within {timeout_s} s")


def timed_get(http: httpx.Client, path: str, user: User) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = http.get(path, headers=user.headers)
    return response, time.monotonic() - started


def test_stopped_redis_then_restarted_with_its_old_entries(
    settings: Settings,
    outage_redis: EmbeddedRedis,
    live_server: Callable[[Settings], LiveServer],
    make_user: Callable[..., User],
) -> None:
    own = own_settings(settings, outage_redis)
    user = make_user(balance_cents=1_000)
    wallet_key = f"{own.cache_prefix}:e:wallet:/api/wallet:u{user.id}:"
    with live_server(own) as url, httpx.Client(base_url=url, timeout=15) as http:
        for path in ROUTES:
            http.get(path, headers=user.headers)
            assert http.get(path, headers=user.headers).headers["x-cache"] == "HIT"
        # Snapshot what Redis holds now: the restarted server loads it, so the
        # pre-outage wallet entry (and the tokens it was valid for) come back,
        # the worst case for serving stale data.
        with redis.Redis.from_url(outage_redis.url) as store:
            store.save()

        outage_redis.stop()
        for _ in range(5):
            for path in ROUTES:
                response, took = timed_get(http, path, user)
                assert response.status_code == 200, (path, response.text)
                assert took < 2, (path, took)
        assert response.headers["x-cache-backend"] == "memory"
        assert http.get(LISTING, headers=user.headers).headers["x-cache"] == "HIT"  # from memory
        top_up = http.post("/api/wallet/top-up", headers=user.headers, json={"amount_cents": 250})
        assert top_up.status_code == 201
        assert http.get("/api/wallet", headers=user.headers).json()["balance_cents"] == 1_250

        outage_redis.restart()
        with redis.Redis.from_url(outage_redis.url) as store:
            assert store.get(wallet_key) is not None  # the stale entry is back in Redis
        wait_for_backend(http, user, "redis")

        wallet = http.get("/api/wallet", headers=user.headers)
        assert wallet.json()["balance_cents"] == 1_250  # not the stale 1,000
        assert (wallet.headers["x-cache"], wallet.headers["x-cache-backend"]) == ("MISS", "redis")
        again = http.get("/api/wallet", headers=user.headers)
        assert (again.headers["x-cache"], again.headers["x-cache-backend"]) == ("HIT", "redis")
        assert again.json()["balance_cents"] == 1_250
        # Entries nothing invalidated survived the outage and hit again.
        listing = http.get(LISTING, headers=user.headers)
        assert (listing.headers["x-cache"], listing.headers["x-cache-backend"]) == ("HIT", "redis")


def test_a_frozen_redis_costs_one_timeout_then_the_portal_recovers(
    settings: Settings,
    outage_redis: EmbeddedRedis,
    live_server: Callable[[Settings], LiveServer],
    make_user: Callable[..., User],
) -> None:
    own = own_settings(settings, outage_redis)
    user = make_user(balance_cents=500)
    with redis.Redis.from_url(outage_redis.url) as store:
        pid = int(store.info("server")["process_id"])
    with live_server(own) as url, httpx.Client(base_url=url, timeout=15) as http:
        for path in ROUTES:
            http.get(path, headers=user.headers)
        # SIGSTOP: the server accepts connections but answers nothing, the
        # nastiest outage (no "connection refused" to fail fast on).
        os.kill(pid, signal.SIGSTOP)
        try:
            started = time.monotonic()
            for _ in range(4):
                for path in ROUTES:
                    response, took = timed_get(http, path, user)
                    assert response.status_code == 200, (path, response.text)
                    assert took < 1.5, (path, took)
            elapsed = time.monotonic() - started
            assert response.headers["x-cache-backend"] == "memory"
            assert elapsed < 3, elapsed  # only the first request waited for Redis
            top_up = http.post("/api/wallet/top-up", headers=user.headers, json={"amount_cents": 7})
            assert top_up.status_code == 201
        finally:
            os.kill(pid, signal.SIGCONT)
        wait_for_backend(http, user, "redis")
        wallet = http.get("/api/wallet", headers=user.headers)
        assert wallet.json()["balance_cents"] == 507
        assert wallet.headers["x-cache-backend"] == "redis"
        assert http.get("/api/wallet", headers=user.headers).headers["x-cache"] == "HIT"
