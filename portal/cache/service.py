"""The response cache: keys, lookups, stores, stampede locks and invalidation.

An entry is stored as ``tag + body``, where the tag is the concatenation of the
version tokens the entry depends on, read *before* the response was computed.
A lookup fetches the entry and the current tokens in one ``MGET``; the entry is
valid only if it starts with the current tokens. So a write that lands while a
response is being computed makes that response stale at once, invalidation is
one ``SET`` per token, and a hit costs one Redis round trip.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from portal.cache.backend import CacheBackend
from portal.cache.policy import CACHED_ROUTES, Namespace, Token, ttl_for
from portal.cache.routing import Matched, ReadPlan, RouteTable, WritePlan, normalised_query
from portal.cache.singleflight import SingleFlight
from portal.cache.stats import CacheStats
from portal.settings import Settings

# Version tokens outlive every entry; one that expires only costs misses,
# because tokens are random and never come back.
TOKEN_TTL_S = 86_400
GENERATION = "all"
_POLL_FIRST_S, _POLL_MAX_S = 0.005, 0.05
REQUEST_MEMO_SIZE = 4096


def default_prefix(settings: Settings) -> str:
    """``settings.cache_prefix``, or one derived from the database URL.

    Portals on different databases may share a Redis; they must not share keys.
    """
    if settings.cache_prefix:
        return settings.cache_prefix
    return "pp:" + hashlib.sha256(settings.database_url.encode()).hexdigest()[:10]


@dataclass(frozen=True, slots=True)
class EntryRequest:
    """What one cacheable request reads and writes."""

    namespace: Namespace
    route_path: str  # the route template, e.g. /api/orders/{order_id}
    per_user: bool
    ttl_s: int
    entry_key: str
    lock_key: str
    token_keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Lookup:
    body: bytes | None  # the stored response body on a hit
    tags: list[bytes | None]  # current tokens (None where none exists yet)
    backend: str


class ResponseCache:
    """One per portal process; lives on ``PortalState.cache``."""

    def __init__(
        self, *, backend: CacheBackend, table: RouteTable, settings: Settings, prefix: str
    ) -> None:
        self.backend = backend
        self.table = table
        self.stats = CacheStats()
        self.flights = SingleFlight()
        self.prefix = prefix
        # Whether reads are served and stored; writes invalidate either way. Only
        # the run-time switch (switch.py) turns it off.
        self.live = True
        self._settings = settings
        self._lock_ttl = settings.cache_lock_ttl_s
        self._lock_wait = settings.cache_lock_wait_s
        self._requests: dict[tuple[object, ...], EntryRequest] = {}

    # -- keys -----------------------------------------------------------------

    def token_key(self, name: str) -> str:
        return f"{self.prefix}:v:{name}"

    def request_for(
        self, matched: Matched[ReadPlan], user_id: int, query_string: bytes
    ) -> EntryRequest | None:
        """The entry of this request, or None if it cannot be keyed safely.

        Memoised: on the hit path, building keys (query parsing and string
        formatting) would otherwise cost a tenth of a Redis round trip.
        """
        params = matched.path_params
        if params is None:
            return None
        memo_key = (matched.plan.route.path, *params.values(), user_id, query_string)
        request = self._requests.get(memo_key)
        if request is None:
            if len(self._requests) >= REQUEST_MEMO_SIZE:
                self._requests.clear()
            request = self._requests[memo_key] = self._build_request(
                matched, params, user_id, query_string
            )
        return request

    def _build_request(
        self, matched: Matched[ReadPlan], params: dict[str, int], user_id: int, query_string: bytes
    ) -> EntryRequest:
        route = matched.plan.route
        path = route.path.format(**params) if params else route.path
        scope = f"u{user_id}" if route.per_user else "-"
        query = normalised_query(query_string, matched.plan.query_names)
        suffix = f"{route.namespace}:{path}:{scope}:{query}"
        tokens = [GENERATION, f"ns:{route.namespace}"]
        tokens += [token.render(user_id, params) for token in route.depends_on]
        return EntryRequest(
            namespace=route.namespace,
            route_path=route.path,
            per_user=route.per_user,
            ttl_s=ttl_for(route.namespace, self._settings),
            entry_key=f"{self.prefix}:e:{suffix}",
            lock_key=f"{self.prefix}:l:{suffix}",
            token_keys=tuple(self.token_key(name) for name in tokens),
        )

    # -- reads ----------------------------------------------------------------

    async def lookup(self, request: EntryRequest) -> Lookup:
        fetched = await self.backend.get_many([request.entry_key, *request.token_keys])
        entry, *tags = fetched.values
        if entry is not None and None not in tags:
            tag = b"".join(tags)  # type: ignore[arg-type]  # no None, checked above
            if entry.startswith(tag):
                return Lookup(entry[len(tag) :], tags, fetched.backend)
        return Lookup(None, tags, fetched.backend)

    async def tag_for(self, request: EntryRequest, lookup: Lookup) -> bytes:
        """The tag to store with a response about to be computed (before computing it)."""
        tags = lookup.tags
        if None in tags:
            tags = list(await self.backend.ensure_tokens(request.token_keys, TOKEN_TTL_S))
        return b"".join(tag for tag in tags if tag is not None)

    async def store(self, request: EntryRequest, tag: bytes, body: bytes) -> None:
        await self.backend.set(request.entry_key, tag + body, request.ttl_s)
        self.stats[request.namespace].stores += 1

    @asynccontextmanager
    async def computing(self, request: EntryRequest) -> AsyncIterator[Lookup]:
        """Guard one computation across processes with a short lock; yield a fresh lookup.

        The lookup is repeated once the lock is ours (double-checked locking):
        if it is a hit, another process or our own previous leader stored the
        entry meanwhile and nothing needs computing; if not, its tokens are the
        ones to tag the computed response with. A holder that takes longer than
        ``cache_lock_wait_s`` is not waited for.
        """
        owner = await self.backend.try_lock(request.lock_key, self._lock_ttl)
        try:
            deadline = time.monotonic() + self._lock_wait
            pause = _POLL_FIRST_S
            found = await self.lookup(request)
            while owner is None and found.body is None and time.monotonic() < deadline:
                await asyncio.sleep(pause)
                pause = min(pause * 2, _POLL_MAX_S)
                owner = await self.backend.try_lock(request.lock_key, self._lock_ttl)
                found = await self.lookup(request)
            yield found
        finally:
            if owner is not None:
                await self.backend.unlock(request.lock_key, owner)

    # -- writes ---------------------------------------------------------------

    def tokens_for_write(
        self, matched: Matched[WritePlan], user_id: int | None
    ) -> list[tuple[str, str]]:
        """(namespace, token key) pairs a successful write renews.

        Undeclared routes, and declared ones whose parameters are not plain
        integers, renew the global generation: correct, if costly.
        """
        tokens = matched.plan.tokens
        params = matched.path_params
        if tokens is None or params is None or (user_id is None and _uses_user(tokens)):
            return [("all", self.token_key(GENERATION))]
        return [(t.namespace, self.token_key(t.render(user_id, params))) for t in tokens]

    async def invalidate(self, tokens: list[tuple[str, str]]) -> None:
        if not tokens:
            return
        await self.backend.renew_tokens([key for _, key in tokens], TOKEN_TTL_S)
        for namespace, _ in tokens:
            self.stats[namespace].invalidations += 1

    async def clear(self, namespace: Namespace | None, user_id: int | None) -> list[str]:
        """Invalidate everything, a namespace, or one user's entries; the token names renewed."""
        pairs: list[tuple[str, str]]
        if user_id is not None:
            pairs = sorted(
                {
                    (token.namespace, token.render(user_id, {}))
                    for route in CACHED_ROUTES
                    for token in route.depends_on
                    if "{user}" in token.template and namespace in (None, token.namespace)
                }
            )
        elif namespace is not None:
            pairs = [(namespace, f"ns:{namespace}")]
        else:
            pairs = [("all", GENERATION)]
        await self.invalidate([(ns, self.token_key(name)) for ns, name in pairs])
        return [name for _, name in pairs]

    def describe(self) -> dict[str, object]:
        """Counters, backend state and the declared TTLs, as plain JSON."""
        ttls = {
            route.namespace: ttl_for(route.namespace, self._settings) for route in CACHED_ROUTES
        }
        return {
            "prefix": self.prefix,
            "backend": self.backend.describe(),
            "ttl_s": ttls,
            "counters": self.stats.snapshot(),
            "in_flight": len(self.flights),
        }

    async def aclose(self) -> None:
        await self.backend.aclose()


def _uses_user(tokens: tuple[Token, ...]) -> bool:
    return any("{user}" in token.template for token in tokens)
