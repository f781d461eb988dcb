"""The one small interface every cache backend implements (httpx-transport style).

The response cache talks to a ``CacheBackend`` and never asks which one it has:
Redis, the in-process LRU, or the failover pair that switches between them.
Values are bytes; "tokens" are short random values that tag namespace versions
(see ``portal/cache/service.py``): random, not counters, so a token that expired,
was evicted or was lost in a Redis restart can never come back and make an old
entry look current again.
"""

from __future__ import annotations

import secrets
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

TOKEN_BYTES = 16  # hex of 8 random bytes


def new_token() -> bytes:
    """A fresh namespace-version token (16 ASCII bytes)."""
    return secrets.token_hex(TOKEN_BYTES // 2).encode()


class BackendUnavailable(Exception):
    """A backend did not answer in time; the failover backend catches this."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """Values of a multi-get, and the name of the backend that answered.

    The name is reported (``X-Cache-Backend``), never branched on.
    """

    values: list[bytes | None]
    backend: str


class CacheBackend(ABC):
    """Bytes by key with lifetimes, version tokens and short locks."""

    name: str

    @abstractmethod
    async def get_many(self, keys: Sequence[str]) -> Fetched:
        """The values of ``keys`` (None where missing or expired), in one round trip."""

    @abstractmethod
    async def set(self, key: str, value: bytes, ttl_s: float) -> None:
        """Store ``value`` for ``ttl_s`` seconds."""

    @abstractmethod
    async def ensure_tokens(self, keys: Sequence[str], ttl_s: float) -> list[bytes]:
        """The token of each key, creating a fresh one where none exists."""

    @abstractmethod
    async def renew_tokens(self, keys: Sequence[str], ttl_s: float) -> None:
        """Give each key a fresh token: everything tagged with the old one is stale."""

    @abstractmethod
    async def try_lock(self, key: str, ttl_s: float) -> bytes | None:
        """Take a short lock; its owner token, or None if someone else holds it."""

    @abstractmethod
    async def unlock(self, key: str, owner: bytes) -> None:
        """Release a lock taken by ``try_lock`` if it is still ours."""

    @abstractmethod
    async def ttl(self, key: str) -> float | None:
        """Seconds ``key`` still lives; None if it does not exist."""

    @abstractmethod
    async def ping(self) -> None:
        """Raise ``BackendUnavailable`` unless the backend answers."""

    @abstractmethod
    async def clear(self) -> None:
        """Forget everything this backend holds for us (used for the fallback only)."""

    def describe(self) -> dict[str, object]:
        """What the stats endpoint shows about this backend."""
        return {"serving": self.name}

    async def aclose(self) -> None:  # noqa: B027 - optional hook, most backends hold nothing
        """Release connections and background tasks."""
