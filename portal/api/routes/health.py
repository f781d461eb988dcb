"""Liveness of the portal's dependencies, for load balancers and the harness."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from portal.api.deps import State
from portal.api.responses import JSONBytesResponse, json_response

router = APIRouter(tags=["health"])

CHECK_TIMEOUT_S = 2.0

Status = Literal["up", "down"]


class Health(BaseModel):
    status: Literal["ok", "degraded", "down"]
    database: Status
    redis: Status


async def _database_up(state: State) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S), state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


async def _redis_up(state: State) -> bool:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            await state.redis.ping()
    except Exception:
        return False
    return True


@router.get(
    "/healthz",
    response_model=Health,
    responses={503: {"model": Health, "description": "The database is down."}},
)
async def healthz(state: State) -> JSONBytesResponse:
    """200 when the database answers (``degraded`` if only Redis is down: the
    portal still serves without its cache); 503 when the database is down."""
    database, redis = await asyncio.gather(_database_up(state), _redis_up(state))
    status = "ok" if database and redis else ("degraded" if database else "down")
    body = {
        "status": status,
        "database": "up" if database else "down",
        "redis": "up" if redis else "down",
    }
    return json_response(body, status_code=200 if database else 503)
