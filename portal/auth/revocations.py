"""Revocations reach every portal process's token cache within moments, not ``ttl``.

Each process caches token lookups (``TokenCache``) so a request need not ask
PostgreSQL who is calling. A revoked token must stop working everywhere, so
the process that revokes it publishes the token's digest on a Redis channel,
and every process listens and drops it from its cache.

Redis is a messenger here, not the truth (PostgreSQL is): if a publish fails,
other processes still stop accepting the token when their cache entry expires
(``PORTAL_TOKEN_CACHE_SECONDS``), and a listener that loses its connection
empties its whole cache once it is back, since it may have missed messages.
"""

from __future__ import annotations

import asyncio
import logging

from redis.asyncio import Redis

from portal.auth.cache import TokenCache

log = logging.getLogger("portal.auth")

CHANNEL = "perfproof:token-revocations"
PUBLISH_TIMEOUT_S = 1.0
RETRY_S = 1.0


async def announce_revocation(redis: Redis, token_hash: bytes) -> bool:
    """Tell every listening process to forget ``token_hash``; False if Redis did not take it."""
    try:
        await asyncio.wait_for(redis.publish(CHANNEL, token_hash.hex()), PUBLISH_TIMEOUT_S)
    except Exception as error:  # Redis down or slow: the cache TTL still bounds the damage
        log.warning(
            "revocation not announced (other workers drop it within the cache TTL): %s", error
        )
        return False
    return True


class RevocationListener:
    """A background task that drops announced tokens from this process's cache."""

    def __init__(self, redis: Redis, tokens: TokenCache) -> None:
        self.redis = redis
        self.tokens = tokens
        self.listening = asyncio.Event()  # set while subscribed (tests wait for it)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="portal-token-revocations")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        lost = False
        while True:
            try:
                await self._listen(forget_all_first=lost)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if not lost:
                    log.warning("token revocation channel lost, retrying: %s", error)
                lost = True
                self.listening.clear()
                await asyncio.sleep(RETRY_S)

    async def _listen(self, *, forget_all_first: bool) -> None:
        async with self.redis.pubsub(ignore_subscribe_messages=True) as pubsub:
            await pubsub.subscribe(CHANNEL)
            if forget_all_first:
                # Messages published while we were away are gone: forget everything.
                self.tokens.clear()
            self.listening.set()
            while True:
                message = await pubsub.get_message(timeout=1.0)
                if message is None or message.get("type") != "message":
                    continue
                try:
                    self.tokens.forget(bytes.fromhex(message["data"].decode()))
                except (ValueError, AttributeError):
                    log.warning("ignored a malformed revocation message: %r", message["data"])
