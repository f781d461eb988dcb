"""PORTAL_CACHE=off leaves the cache out entirely; on is the default."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
import redis

from portal import Settings
from portal.devstack import EmbeddedRedis
from tests.conftest import LiveServer, User
from tests.portal.cache.conftest import own_settings


def test_the_cache_is_on_by_default_and_off_by_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("PORTAL_CACHE", raising=False)
    assert Settings().cache == "on"
    monkeypatch.setenv("PORTAL_CACHE", "off")
    assert Settings().cache == "off"
    monkeypatch.setenv("PORTAL_CACHE", "maybe")
    with pytest.raises(ValueError, match="cache"):
        Settings()


def test_with_the_cache_off_nothing_is_read_or_stored(
    settings: Settings,
    own_redis: EmbeddedRedis,
    live_server: Callable[[Settings], LiveServer],
    buyer: User,
    admin: User,
) -> None:
    off = own_settings(settings, own_redis, cache="off")
    with live_server(off) as url, httpx.Client(base_url=url, timeout=15) as http:
        for _ in range(2):
            for path in ("/api/products?limit=3", "/api/wallet", "/api/users/me"):
                response = http.get(path, headers=buyer.headers)
                assert response.status_code == 200
                assert "x-cache" not in response.headers
        cleared = http.post("/api/performance/cache/clear", headers=admin.headers)
        assert cleared.json() == {"cache": "off", "cleared": [], "backend": None}
        stats = http.get("/api/performance/cache/stats", headers=admin.headers).json()
        assert stats["cache"] == "off" and stats["database_statements"] > 0
    with redis.Redis.from_url(own_redis.url) as store:
        assert list(store.scan_iter(f"{off.cache_prefix}:*")) == []
