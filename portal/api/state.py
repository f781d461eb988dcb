"""What one portal instance holds while it runs."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from portal.auth.cache import TokenCache
from portal.settings import Settings


@dataclass(slots=True)
class PortalState:
    settings: Settings
    engine: AsyncEngine
    redis: Redis
    tokens: TokenCache
