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
from portal.channel import ChannelListener

log = logging.getLogger("portal.auth")

CHANNEL = "perfproof:token-revocations"
PUBLISH_TIMEOUT_S = 1.0


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


class RevocationListener(ChannelListener):
    """A background task that drops announced tokens from this process's cache."""

    name = "portal-token-revocations"
    what = "token revocation channel"

    def __init__(self, redis: Redis, tokens: TokenCache) -> None:
        super().__init__(redis, CHANNEL, log)
        self.tokens = tokens

    async def on_subscribed(self, *, after_loss: bool) -> None:
        if after_loss:
            # Messages published while we were away are gone: forget everything.
            self.tokens.clear()

    async def on_message(self, data: bytes) -> None:
        try:
            self.tokens.forget(bytes.fromhex(data.decode()))
        except (ValueError, AttributeError):
            log.warning("ignored a malformed revocation message: %r", data)
