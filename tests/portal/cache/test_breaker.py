"""The breaker in isolation: a primary that can be switched off by the test."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import pytest

from portal.cache import BackendUnavailable, FailoverBackend, Fetched, MemoryBackend
from portal.cache import breaker as breaker_module


class Switchable(MemoryBackend):
    """A memory backend that pretends to be Redis and can go down."""

    name = "redis"

    def __init__(self) -> None:
        super().__init__(max_entries=1000, max_bytes=1 << 20, max_ttl_s=3600)
        self.down = False
        self.renewed: list[str] = []

    def _check(self) -> None:
        if self.down:
            raise BackendUnavailable("down")

    async def get_many(self, keys: Sequence[str]) -> Fetched:
        self._check()
        return await super().get_many(keys)

    async def set(self, key: str, value: bytes, ttl_s: float) -> None:
        self._check()
        await super().set(key, value, ttl_s)

    async def renew_tokens(self, keys: Sequence[str], ttl_s: float) -> None:
        self._check()
        self.renewed += keys
        await super().renew_tokens(keys, ttl_s)

    async def ping(self) -> None:
        self._check()


def failover(primary: Switchable) -> FailoverBackend:
    fallback = MemoryBackend(max_entries=100, max_bytes=1 << 20, max_ttl_s=10)
    return FailoverBackend(
        primary, fallback, generation_key="p:v:all", token_ttl_s=60, probe_interval_s=0.01
    )


async def until(condition: Callable[[], bool], timeout_s: float = 2) -> None:
    """Poll ``condition`` (the breaker's probe runs as a task: nothing to await on)."""
    async with asyncio.timeout(timeout_s):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.005)


def test_an_outage_switches_to_memory_and_back_replaying_invalidations() -> None:
    async def scenario() -> None:
        primary = Switchable()
        backend = failover(primary)
        await backend.set("k", b"redis-value", 60)
        assert (await backend.get_many(["k"])) == Fetched([b"redis-value"], "redis")

        primary.down = True
        assert (await backend.get_many(["k"])) == Fetched([None], "memory")  # fallback is empty
        assert backend.is_open and backend.trips == 1
        await backend.set("k", b"memory-value", 60)
        await backend.renew_tokens(["p:v:wallet:u1"], 60)  # a write during the outage
        assert backend.describe()["pending_invalidations"] == 1

        primary.down = False
        await until(lambda: not backend.is_open)
        assert primary.renewed == ["p:v:wallet:u1"]  # replayed before closing
        assert (await backend.get_many(["k"])) == Fetched([b"redis-value"], "redis")
        assert backend.recoveries == 1 and backend.describe()["pending_invalidations"] == 0

        primary.down = True  # the next outage starts from an empty fallback
        assert (await backend.get_many(["k"])) == Fetched([None], "memory")
        await backend.aclose()

    asyncio.run(scenario())


def test_too_many_lost_invalidations_renew_the_generation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def scenario() -> None:
        primary = Switchable()
        backend = failover(primary)
        primary.down = True
        await backend.renew_tokens([f"p:v:cart:u{n}" for n in range(6)], 60)
        assert backend.describe()["pending_overflow"] is True
        primary.down = False
        await until(lambda: not backend.is_open)
        assert primary.renewed == ["p:v:all"]
        await backend.aclose()

    monkeypatch.setattr(breaker_module, "PENDING_MAX", 5)
    asyncio.run(scenario())


def test_a_failed_invalidation_on_redis_is_replayed_too() -> None:
    async def scenario() -> None:
        primary = Switchable()
        backend = failover(primary)
        primary.down = True
        await backend.renew_tokens(["p:v:orders:u3"], 60)  # fails on Redis: opens the breaker
        assert backend.is_open
        primary.down = False
        await until(lambda: not backend.is_open)
        assert primary.renewed == ["p:v:orders:u3"]
        await backend.aclose()

    asyncio.run(scenario())
