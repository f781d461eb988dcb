"""Many concurrent misses for one key cost one database computation.

Counted with the portal's own statement counter (exact, client side), read
through the admin stats endpoint before and after.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable

import httpx
import pytest

from portal import Settings
from portal.devstack import EmbeddedRedis
from tests.conftest import LiveServer, User
from tests.portal.cache.conftest import cache_stats, own_settings

CONCURRENT = 50
# The servers and the clients of these tests share one interpreter (and its
# GIL): a burst can stall a Redis reply past the default timeout and open the
# breaker, which is not what these tests are about.
PATIENT = {"cache_redis_timeout_s": 3.0}


@pytest.fixture(scope="module")
def cache_settings(settings: Settings, own_redis: EmbeddedRedis) -> Settings:
    return own_settings(settings, own_redis, **PATIENT)


async def burst(urls: list[str], path: str, user: User, count: int) -> list[httpx.Response]:
    """``count`` GETs at once, spread over ``urls``, each on its own connection."""
    limits = httpx.Limits(max_connections=count)
    clients = [httpx.AsyncClient(base_url=url, timeout=30, limits=limits) for url in urls]
    try:
        return await asyncio.gather(
            *(clients[n % len(clients)].get(path, headers=user.headers) for n in range(count))
        )
    finally:
        for client in clients:
            await client.aclose()


def statements(clients: list[httpx.Client], admin: User) -> int:
    return sum(cache_stats(client, admin)["database_statements"] for client in clients)


def cost_of_one_computation(client: httpx.Client, admin: User, user: User, path: str) -> int:
    before = statements([client], admin)
    bypassed = client.get(path, headers={**user.headers, "X-Cache-Bypass": "1"})
    assert bypassed.status_code == 200
    return statements([client], admin) - before


def test_concurrent_misses_in_one_process_compute_once(
    http: httpx.Client, cached_url: str, buyer: User, admin: User
) -> None:
    path = f"/api/products?limit=20&q=a&sort=-price&offset={uuid.uuid4().int % 500}"
    http.get("/api/users/me", headers=buyer.headers)  # the token is known: no lookup query
    one = cost_of_one_computation(http, admin, buyer, path)
    assert one >= 1
    counters_before = cache_stats(http, admin)["counters"]["products"]
    before = statements([http], admin)

    responses = asyncio.run(burst([cached_url], path, buyer, CONCURRENT))

    assert statements([http], admin) - before == one
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert Counter(r.headers["x-cache"] for r in responses) == {"MISS": 1, "HIT": CONCURRENT - 1}
    counters = cache_stats(http, admin)["counters"]["products"]
    assert counters["misses"] - counters_before["misses"] == 1
    # The burst really overlapped: requests waited for the leader's computation.
    assert counters["coalesced"] - counters_before["coalesced"] > 0


def test_concurrent_misses_across_processes_compute_once(
    settings: Settings,
    own_redis: EmbeddedRedis,
    live_server: Callable[[Settings], LiveServer],
    buyer: User,
    admin: User,
) -> None:
    # Two portals (own event loops, own in-process state) sharing one Redis and
    # prefix stand for two worker processes: only the Redis lock can coordinate them.
    shared = own_settings(settings, own_redis, **PATIENT)
    path = f"/api/products?limit=20&q=e&sort=name&offset={uuid.uuid4().int % 500}"
    with live_server(shared) as first, live_server(shared) as second:
        clients = [httpx.Client(base_url=url, timeout=15) for url in (first, second)]
        try:
            for client in clients:
                client.get("/api/users/me", headers=buyer.headers)
            one = cost_of_one_computation(clients[0], admin, buyer, path)
            before = statements(clients, admin)
            responses = asyncio.run(burst([first, second], path, buyer, CONCURRENT))
            assert statements(clients, admin) - before == one
        finally:
            for client in clients:
                client.close()
    assert {r.status_code for r in responses} == {200}
    assert len({r.content for r in responses}) == 1
    assert Counter(r.headers["x-cache"] for r in responses)["MISS"] == 1
