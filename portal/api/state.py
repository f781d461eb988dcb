"""What one portal instance holds while it runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from portal.api.statements import StatementCounter
from portal.auth.cache import TokenCache
from portal.auth.revocations import RevocationListener
from portal.settings import Settings

if TYPE_CHECKING:  # the cache middleware imports this module
    from portal.cache.service import ResponseCache
    from portal.monitoring import Monitor


@dataclass(slots=True)
class PortalState:
    settings: Settings
    engine: AsyncEngine
    redis: Redis
    tokens: TokenCache
    # None when PORTAL_CACHE=off.
    cache: ResponseCache | None = None
    statements: StatementCounter = field(default_factory=StatementCounter)
    # None when PORTAL_MONITORING=off.
    monitor: Monitor | None = None
    # Drops tokens other processes revoke from ``tokens``; started by the lifespan.
    revocations: RevocationListener | None = None
