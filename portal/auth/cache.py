"""An in-process cache of token lookups.

Without it every request, cached responses included, would cost a PostgreSQL
round trip just to learn who is calling. Entries live ``ttl`` seconds; a revoked
token is dropped from this process at once, from other processes' caches as
soon as the announcement reaches them (``revocations.py``), and within ``ttl``
at the latest if it never does.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from portal.auth.principal import Principal

# Unknown tokens are remembered briefly too, so a client hammering with a bad
# token does not turn every request into a query; briefly, so a freshly minted
# token works within seconds even if it was tried before it existed.
NEGATIVE_TTL_S = 2.0


class TokenCache:
    def __init__(self, *, ttl: float, max_entries: int) -> None:
        self._ttl = ttl
        self._max = max_entries
        self._entries: OrderedDict[bytes, tuple[float, Principal | None]] = OrderedDict()

    def get(self, token_hash: bytes) -> tuple[bool, Principal | None]:
        """(found, principal); principal is None for a remembered unknown token."""
        entry = self._entries.get(token_hash)
        if entry is None:
            return False, None
        expires, principal = entry
        if expires < time.monotonic():
            del self._entries[token_hash]
            return False, None
        return True, principal

    def put(self, token_hash: bytes, principal: Principal | None) -> None:
        if self._ttl <= 0:
            return
        ttl = self._ttl if principal is not None else min(self._ttl, NEGATIVE_TTL_S)
        self._entries[token_hash] = (time.monotonic() + ttl, principal)
        self._entries.move_to_end(token_hash)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def forget(self, token_hash: bytes) -> None:
        self._entries.pop(token_hash, None)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
