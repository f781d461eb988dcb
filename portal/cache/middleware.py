"""The cache as pure ASGI middleware, in the manner of Starlette's GZipMiddleware.

It wraps ``send`` instead of building Request/Response objects, so a hit costs
authentication, a key, one lookup and two ``send`` calls, and never reaches
FastAPI's routing, validation or serialisation (BaseHTTPMiddleware would add a
task and a stream per request). Reads of cached routes:

* authenticate first (the route dependency's own function), so a revoked or
  unknown token gets the app's 401 and is never served anything stored;
* ``X-Cache-Bypass: 1`` → the app answers, nothing is read or stored;
* hit → the stored bytes as they are; miss → the app answers (streamed through
  and captured), one computation per key per process (single-flight) and, on
  Redis, per cluster (a short lock); only 200 responses are stored.

When monitoring is on, the cache answers for a hit's metrics too: a hit is
timed here and recorded straight into the monitor (it is the cheapest request
the portal serves, and an HTTP-metrics layer wrapped around it cost 6-7 % of
its throughput); every other request passes on to the metrics middleware
inside, with the time this layer began in the scope, so a miss is timed from
its cache lookup.

Writes of declared routes renew their version tokens after the app answered and
*before* the response starts, so the client that wrote reads its own write.
They do so also while the run-time switch (``switch.py``) has turned reads off,
so an entry stored before a write is never served after it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from time import perf_counter
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.auth.bearer import authenticate
from portal.auth.cache import TokenCache
from portal.auth.principal import Principal
from portal.cache.policy import WRITE_METHODS
from portal.cache.routing import Matched, ReadPlan, WritePlan
from portal.cache.service import EntryRequest, ResponseCache
from portal.deadlines import DEADLINE, deadline_of, within
from portal.monitoring import Monitor
from portal.monitoring.http import REQUEST_STARTED

HIT, MISS, BYPASS = b"HIT", b"MISS", b"BYPASS"
BYPASS_HEADER = b"x-cache-bypass"
STORE_MAX_BYTES = 1 << 20  # larger bodies are served but not stored


class CacheHost(Protocol):
    """What the middleware reads of ``app.state.portal`` (``portal.state.PortalState``).

    Named here rather than imported, so the cache does not depend on the app
    that installs it.
    """

    cache: ResponseCache | None
    monitor: Monitor | None
    tokens: TokenCache
    engine: AsyncEngine


def _request_headers(scope: Scope) -> tuple[str | None, bool]:
    """(Authorization value, whether the bypass header asks to skip the cache)."""
    authorization: str | None = None
    bypass = False
    for name, value in scope["headers"]:
        if name == b"authorization":
            authorization = value.decode("latin-1")
        elif name == BYPASS_HEADER:
            bypass = value.strip() not in (b"", b"0", b"false")
    return authorization, bypass


def _cache_headers(label: bytes, backend: str | None, private: bool) -> list[tuple[bytes, bytes]]:
    headers = [(b"x-cache", label)]
    if backend is not None:
        headers.append((b"x-cache-backend", backend.encode()))
    if private:
        headers.append((b"cache-control", b"private"))
    return headers


async def _principal(state: CacheHost, scope: Scope, authorization: str | None) -> Principal | None:
    """The caller, or None when the app must answer: a 401, the database down, or past the
    request's deadline (the deadline layer then answers 503 at once)."""
    try:
        return await authenticate(state.tokens, state.engine, authorization, scope[DEADLINE])
    except Exception:
        return None


class ResponseCacheMiddleware:
    """Serves and stores the responses of the routes declared in ``portal/cache/policy.py``."""

    def __init__(self, app: ASGIApp, timeout_s: float) -> None:
        self.app = app
        self.timeout_s = timeout_s  # the request deadline (PORTAL_REQUEST_TIMEOUT_S)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            state: CacheHost = scope["app"].state.portal
            cache = state.cache
            if cache is not None:
                method = scope["method"]
                if method == "GET":
                    # The run-time switch (switch.py): one attribute read, in both modes.
                    read = cache.table.read(scope) if cache.live else None
                    if read is not None:
                        deadline_of(scope, self.timeout_s)
                        return await self._read(state, cache, read, scope, receive, send)
                elif method in WRITE_METHODS:
                    write = cache.table.write(scope)
                    if write is not None:
                        deadline_of(scope, self.timeout_s)
                        return await self._write(state, cache, write, scope, receive, send)
        await self.app(scope, receive, send)

    # -- reads ----------------------------------------------------------------

    async def _read(
        self,
        state: CacheHost,
        cache: ResponseCache,
        matched: Matched[ReadPlan],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        started = perf_counter()
        route = matched.plan.route
        counters = cache.stats[route.namespace]
        authorization, bypass = _request_headers(scope)
        request: EntryRequest | None = None
        if not bypass:
            principal = await _principal(state, scope, authorization)
            if principal is not None:
                request = cache.request_for(matched, principal.user_id, scope["query_string"])
        if request is None:
            counters.bypasses += 1
            scope[REQUEST_STARTED] = started
            headers = _cache_headers(BYPASS, None, route.per_user)
            await self._compute(scope, receive, send, headers)
            return

        found = await cache.lookup(request)
        if found.body is not None:
            counters.hits += 1
            counters.fallbacks += found.backend == "memory"
            return await self._serve_hit(state, send, request, found.body, found.backend, started)

        flight = cache.flights.joinable(request.entry_key)
        if flight is not None:
            try:
                body = await within(scope[DEADLINE], flight.wait())
            except TimeoutError:
                body = None  # past the deadline: the deadline layer answers at once
            if body is not None:
                counters.hits += 1
                counters.coalesced += 1
                return await self._serve_hit(state, send, request, body, found.backend, started)

        with cache.flights.lead(request.entry_key) as flight:
            async with cache.computing(request) as fresh:
                if fresh.body is not None:
                    counters.hits += 1
                    counters.coalesced += 1
                    flight.publish(fresh.body)
                    return await self._serve_hit(
                        state, send, request, fresh.body, fresh.backend, started
                    )
                tag = await cache.tag_for(request, fresh)
                counters.misses += 1
                counters.fallbacks += fresh.backend == "memory"

                async def keep(body: bytes) -> None:
                    flight.publish(body)
                    await cache.store(request, tag, body)

                headers = _cache_headers(MISS, fresh.backend, request.per_user)
                scope[REQUEST_STARTED] = started
                await self._compute(scope, receive, send, headers, keep)

    @staticmethod
    async def _serve_hit(
        state: CacheHost,
        send: Send,
        request: EntryRequest,
        body: bytes,
        backend: str,
        started: float,
    ) -> None:
        """Send a stored body; with monitoring on, record the hit under its route template."""
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *_cache_headers(HIT, backend, request.per_user),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        if state.monitor is not None:
            state.monitor.record_hit(request.route_path, perf_counter() - started)

    async def _compute(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        extra: list[tuple[bytes, bytes]],
        on_stored_body: Callable[[bytes], Awaitable[None]] | None = None,
    ) -> None:
        """Run the app, adding ``extra`` headers to its response.

        A complete 200 body goes to ``on_stored_body`` *before* its last chunk
        is sent: once a client has its MISS, the next identical request hits.
        """
        status = 0
        chunks: list[bytes] = []
        size = 0

        async def capture(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
            elif (
                message["type"] == "http.response.body"
                and status == 200
                and on_stored_body is not None
            ):
                chunk: bytes = message.get("body", b"")
                size += len(chunk)
                if size <= STORE_MAX_BYTES:
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        await on_stored_body(b"".join(chunks))
            await send(message)

        await self.app(scope, receive, capture)

    # -- writes ---------------------------------------------------------------

    async def _write(
        self,
        state: CacheHost,
        cache: ResponseCache,
        matched: Matched[WritePlan],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        plan = matched.plan
        if plan.tokens == ():
            return await self.app(scope, receive, send)
        user_id: int | None = None
        if plan.tokens and any("{user}" in token.template for token in plan.tokens):
            authorization, _ = _request_headers(scope)
            principal = await _principal(state, scope, authorization)
            if principal is None:
                # The app refuses it the same way (401, or 503; past the deadline a 503
                # at once, before the write began): nothing changes.
                return await self.app(scope, receive, send)
            user_id = principal.user_id
        tokens = cache.tokens_for_write(matched, user_id)
        done = False

        async def invalidate_first(message: Message) -> None:
            nonlocal done
            if message["type"] == "http.response.start" and not done:
                done = True
                status: int = message["status"]
                # 4xx changed nothing (the transaction rolled back); a 5xx might
                # come after a commit, so it invalidates to be safe.
                if status < 400 or status >= 500:
                    await cache.invalidate(tokens)
            await send(message)

        try:
            await self.app(scope, receive, invalidate_first)
        except Exception:
            if not done:
                done = True
                await cache.invalidate(tokens)
            raise
