"""What one portal instance holds while it runs (``app.state.portal``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from portal.auth.cache import TokenCache
from portal.auth.revocations import RevocationListener
from portal.cache.service import ResponseCache
from portal.cache.switch import CacheSwitchListener
from portal.db.statements import StatementCounter
from portal.monitoring import Monitor
from portal.settings import Settings


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
    # Sets ``cache.live`` as POST /api/performance/cache/mode says; None unless
    # PORTAL_CACHE=on and PORTAL_CACHE_SWITCH=on.
    cache_switch: CacheSwitchListener | None = None
