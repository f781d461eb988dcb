"""Liveness of the portal's dependencies, for load balancers and the harness."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from portal.api.deps import State
from portal.api.responses import JSONBytesResponse, json_response

router = APIRouter(tags=["health"])

# A load balancer asks often and wants an answer at once: a check that has not
# answered by then is "down", and is abandoned rather than awaited (cancelling a
# query on a frozen database costs psycopg up to 10 s: healthz once took 12 s).
CHECK_TIMEOUT_S = 1.0
_abandoned: set[asyncio.Task[object]] = set()

Status = Literal["up", "down"]


class Health(BaseModel):
    status: Literal["ok", "degraded", "down"]
    database: Status
    redis: Status


async def _within_bound(check: Awaitable[object]) -> bool:
    task = asyncio.ensure_future(check)
    try:
        await asyncio.wait_for(asyncio.shield(task), CHECK_TIMEOUT_S)
    except TimeoutError:
        task.cancel()
        _abandoned.add(task)
        task.add_done_callback(_abandoned.discard)
        return False
    except Exception:
        return False
    return True


async def _select_one(state: State) -> None:
    async with state.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def _database_up(state: State) -> bool:
    return await _within_bound(_select_one(state))


async def _redis_up(state: State) -> bool:
    return await _within_bound(state.redis.ping())


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
