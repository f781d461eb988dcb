"""The in-process fallback: a bounded LRU with per-entry lifetimes.

It only serves while Redis is down, and only this worker: writes through other
workers cannot reach it, so every lifetime is capped (``max_ttl_s``) to bound
how stale another worker's view can get. Bounded by entry count and by bytes,
so an outage cannot grow a worker without limit.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Sequence

from typing_extensions import override

from portal.cache.backend import CacheBackend, Fetched, new_token

_Entry = tuple[float, bytes]  # (expires at, monotonic clock; value)


class MemoryBackend(CacheBackend):
    name = "memory"

    def __init__(self, *, max_entries: int, max_bytes: int, max_ttl_s: float) -> None:
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._max_ttl = max_ttl_s
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._bytes = 0

    def _get(self, key: str, now: float) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires <= now:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return value

    def _put(self, key: str, value: bytes, ttl_s: float, now: float) -> None:
        self._drop(key)
        if len(value) > self._max_bytes:
            return
        self._entries[key] = (now + min(ttl_s, self._max_ttl), value)
        self._bytes += len(value)
        while len(self._entries) > self._max_entries or self._bytes > self._max_bytes:
            oldest = next(iter(self._entries))
            self._drop(oldest)

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self._bytes -= len(entry[1])

    async def get_many(self, keys: Sequence[str]) -> Fetched:
        now = time.monotonic()
        return Fetched([self._get(key, now) for key in keys], self.name)

    async def set(self, key: str, value: bytes, ttl_s: float) -> None:
        self._put(key, value, ttl_s, time.monotonic())

    async def ensure_tokens(self, keys: Sequence[str], ttl_s: float) -> list[bytes]:
        now = time.monotonic()
        tokens = []
        for key in keys:
            token = self._get(key, now)
            if token is None:
                token = new_token()
                self._put(key, token, ttl_s, now)
            tokens.append(token)
        return tokens

    async def renew_tokens(self, keys: Sequence[str], ttl_s: float) -> None:
        now = time.monotonic()
        for key in keys:
            self._put(key, new_token(), ttl_s, now)

    @override
    async def try_lock(self, key: str, ttl_s: float) -> bytes | None:
        # One process: the in-process single-flight already lets one task compute.
        return b"local"

    @override
    async def unlock(self, key: str, owner: bytes) -> None:
        return None

    async def ttl(self, key: str) -> float | None:
        now = time.monotonic()
        if self._get(key, now) is None:
            return None
        return self._entries[key][0] - now

    async def ping(self) -> None:
        return None

    async def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes
