"""The yardstick of the cache benchmark: a bare FastAPI endpoint doing one Redis GET.

It is what a cache hit cannot beat by much: one Redis round trip, the stored
bytes returned as they are. Kept here, not in the portal, and served under the
same uvicorn settings as the portal (``benchmarks/http_throughput.py``).

    BARE_REDIS_URL=redis://127.0.0.1:6379/0 BARE_KEY=k \
        uvicorn --factory benchmarks.bare_redis:create_app
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import Response
from redis.asyncio import Redis

DEFAULT_KEY = "perfproof:bench:bare"


def create_app() -> FastAPI:
    url = os.environ.get("BARE_REDIS_URL", "redis://127.0.0.1:6379/0")
    key = os.environ.get("BARE_KEY", DEFAULT_KEY)
    redis = Redis.from_url(url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await redis.aclose()

    app = FastAPI(lifespan=lifespan, openapi_url=None)

    @app.get("/bare")
    async def bare() -> Response:
        body = await redis.get(key)
        if body is None:
            return Response(status_code=404)
        return Response(content=body, media_type="application/json")

    return app
