"""The in-process fallback: bounded by entries and bytes, lifetimes capped."""

from __future__ import annotations

import asyncio
import time

import pytest

from portal.cache import MemoryBackend


def backend(entries: int = 100, size: int = 10_000, max_ttl_s: float = 60) -> MemoryBackend:
    return MemoryBackend(max_entries=entries, max_bytes=size, max_ttl_s=max_ttl_s)


def test_least_recently_used_entries_go_first() -> None:
    async def scenario() -> list[bytes | None]:
        memory = backend(entries=2)
        await memory.set("a", b"1", 60)
        await memory.set("b", b"2", 60)
        await memory.get_many(["a"])  # a is now the most recently used
        await memory.set("c", b"3", 60)
        return (await memory.get_many(["a", "b", "c"])).values

    assert asyncio.run(scenario()) == [b"1", None, b"3"]


def test_the_byte_bound_holds() -> None:
    async def scenario() -> tuple[int, int, list[bytes | None]]:
        memory = backend(size=2_000)
        for n in range(10):
            await memory.set(f"k{n}", bytes(500), 60)
        await memory.set("huge", bytes(5_000), 60)  # larger than the bound: not kept
        values = (await memory.get_many(["k9", "k0", "huge"])).values
        return len(memory), memory.size_bytes, values

    count, size, values = asyncio.run(scenario())
    assert count == 4 and size == 2_000
    assert values == [bytes(500), None, None]


def test_entries_expire_and_lifetimes_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1_000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])

    async def scenario() -> list[object]:
        memory = backend(max_ttl_s=10)
        await memory.set("short", b"x", 2)
        await memory.set("long", b"y", 300)
        seen: list[object] = [await memory.ttl("long")]
        now[0] += 3
        seen.append((await memory.get_many(["short", "long"])).values)
        now[0] += 8
        seen.append((await memory.get_many(["long"])).values)
        return seen

    assert asyncio.run(scenario()) == [10.0, [None, b"y"], [None]]


def test_tokens_are_created_once_and_renewed_to_new_values() -> None:
    async def scenario() -> tuple[list[bytes], list[bytes], list[bytes]]:
        memory = backend()
        first = await memory.ensure_tokens(["v:a", "v:b"], 60)
        same = await memory.ensure_tokens(["v:a", "v:b"], 60)
        await memory.renew_tokens(["v:a"], 60)
        return first, same, await memory.ensure_tokens(["v:a", "v:b"], 60)

    first, same, renewed = asyncio.run(scenario())
    assert first == same and len(first[0]) == 16 and first[0] != first[1]
    assert renewed[0] != first[0] and renewed[1] == first[1]


def test_the_fallback_is_served_as_memory_and_can_be_cleared() -> None:
    async def scenario() -> tuple[str, int]:
        memory = backend()
        await memory.set("a", b"1", 60)
        fetched = await memory.get_many(["a"])
        await memory.clear()
        return fetched.backend, len(memory)

    assert asyncio.run(scenario()) == ("memory", 0)
