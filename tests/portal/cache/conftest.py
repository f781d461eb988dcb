"""Fixtures for the cache tests: a Redis of the test's own, and a portal using it.

Each test module gets its own embedded Redis (in a temporary folder) and key
prefix, so these tests can read keys and TTLs, stop and restart Redis, and
never touch the machine's shared Redis or the entries of other test modules.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import redis

from portal import Settings
from portal.devstack import EmbeddedRedis
from tests.conftest import LiveServer, User

_prefixes = itertools.count()


def own_settings(settings: Settings, server: EmbeddedRedis, **changes: object) -> Settings:
    """``settings`` pointed at ``server``, with a fresh key prefix and a quick probe."""
    update = {
        "redis_url": server.url,
        "cache": "on",
        "cache_prefix": f"test{next(_prefixes)}",
        "cache_probe_interval_s": 0.1,
        **changes,
    }
    return settings.model_copy(update=update)


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    with EmbeddedRedis(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="module")
def redis_client(own_redis: EmbeddedRedis) -> Iterator[redis.Redis]:
    with redis.Redis.from_url(own_redis.url) as client:
        yield client


@pytest.fixture(scope="module")
def cache_settings(settings: Settings, own_redis: EmbeddedRedis) -> Settings:
    return own_settings(settings, own_redis)


@pytest.fixture(scope="module")
def cached_url(
    cache_settings: Settings, live_server: Callable[[Settings], LiveServer]
) -> Iterator[str]:
    with live_server(cache_settings) as url:
        yield url


@pytest.fixture
def http(cached_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=cached_url, timeout=15) as client:
        yield client


def cache_stats(client: httpx.Client, admin: User) -> dict[str, Any]:
    """The portal's cache counters and statement count (admin endpoint)."""
    response = client.get("/api/performance/cache/stats", headers=admin.headers)
    assert response.status_code == 200, response.text
    stats: dict[str, Any] = response.json()
    return stats


def entry_keys(client: redis.Redis, prefix: str, namespace: str = "*") -> list[str]:
    """Stored entry keys of ``prefix`` (SCAN is fine on the test's own Redis)."""
    return sorted(k.decode() for k in client.scan_iter(f"{prefix}:e:{namespace}:*"))
