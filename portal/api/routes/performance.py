"""Admin tools for performance work: the response cache and its run-time switch."""

from __future__ import annotations

import os
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, model_validator
from starlette.exceptions import HTTPException

from portal.api.deps import ADMIN_ONLY, State
from portal.api.models import ADMIN_ERRORS, ErrorResponse, RequestBody
from portal.api.responses import JSONBytesResponse, json_response
from portal.cache.policy import Namespace
from portal.cache.switch import SwitchKeys, announce_mode, confirmations
from portal.deadlines import deadline_of, seconds_left
from portal.ids import INT_MAX

router = APIRouter(prefix="/api/performance", tags=["performance"])


class CacheClear(RequestBody):
    """What to clear; nothing = everything."""

    namespace: Namespace | None = Field(default=None, description="One namespace only.")
    user_id: Annotated[int, Field(ge=1, le=INT_MAX)] | None = Field(
        default=None, description="Only this user's entries (per-user namespaces)."
    )

    @model_validator(mode="after")
    def _user_scoped_namespace(self) -> CacheClear:
        if self.user_id is not None and self.namespace == "products":
            raise ValueError("products are shared, not per user: drop user_id")
        return self


class CacheCleared(BaseModel):
    cache: Literal["on", "off"]
    cleared: list[str] = Field(
        description="Version tokens renewed: `all`, `ns:<namespace>` or `<namespace>:u<id>`."
    )
    backend: str | None = Field(description="`redis`, or `memory` while Redis is down.")


class CacheStatus(BaseModel):
    cache: Literal["on", "off"]
    prefix: str | None = None
    backend: dict[str, Any] | None = None
    ttl_s: dict[str, int] | None = None
    counters: dict[str, dict[str, float | int | None]] | None = Field(
        default=None, description="Per namespace and `total`; this worker process only."
    )
    in_flight: int | None = None
    database_statements: int = Field(
        description="SQL statements this worker has sent since it started."
    )


@router.post(
    "/cache/clear", response_model=CacheCleared, responses=ADMIN_ERRORS, dependencies=[ADMIN_ONLY]
)
async def clear_cache(state: State, body: CacheClear | None = None) -> JSONBytesResponse:
    """Invalidate everything, one namespace, or one user's entries, at O(1) cost.

    Entries are not deleted: the version tokens they depend on are renewed, so
    they can no longer be served and expire with their TTL.
    """
    cache = state.cache
    if cache is None:
        return json_response({"cache": "off", "cleared": [], "backend": None})
    wanted = body or CacheClear()
    cleared = await cache.clear(wanted.namespace, wanted.user_id)
    return json_response({"cache": "on", "cleared": cleared, "backend": cache.backend.name})


@router.get(
    "/cache/stats", response_model=CacheStatus, responses=ADMIN_ERRORS, dependencies=[ADMIN_ONLY]
)
async def cache_stats(state: State) -> JSONBytesResponse:
    """This worker's cache counters and backend state, and its statement count."""
    statements = {"database_statements": state.statements.count}
    if state.cache is None:
        return json_response({"cache": "off", **statements})
    return json_response({"cache": "on", **state.cache.describe(), **statements})


# How long POST /cache/mode waits for the workers' confirmations, at most (and
# always a little less than the request's own deadline, so its 504 is the answer).
CONFIRM_WAIT_S = 5.0
_ANSWER_MARGIN_S = 0.25
SWITCH_DISABLED = (
    "The run-time cache switch is off: start the portal with PORTAL_CACHE_SWITCH=on "
    "(and PORTAL_CACHE=on) to switch the cache at run time."
)


class CacheModeChange(RequestBody):
    mode: Literal["on", "off"] = Field(
        description="`on`: cached routes are served from the cache; `off`: straight from the app."
    )
    workers: int = Field(
        ge=1,
        le=1024,
        description="The portal's worker processes (`--workers`): the answer waits for "
        "this many distinct workers to confirm.",
    )


class CacheModeSwitched(BaseModel):
    mode: Literal["on", "off"]
    generation: int = Field(description="The switch's number; every switch gets a new one.")
    confirmed: list[int] = Field(description="Pids of the workers that applied it.")


class CacheMode(BaseModel):
    cache: Literal["on", "off"] = Field(description="`PORTAL_CACHE`.")
    switch: Literal["on", "off"] = Field(description="`PORTAL_CACHE_SWITCH`.")
    mode: Literal["on", "off"] = Field(description="Whether this worker serves reads from cache.")
    generation: int = Field(description="The switch this worker applied last; 0 = none.")
    pid: int = Field(description="This worker's process id.")


MODE_ERRORS: dict[int | str, dict[str, object]] = ADMIN_ERRORS | {
    409: {"model": ErrorResponse, "description": "The cache or its run-time switch is off."},
    503: {"model": ErrorResponse, "description": "The database or Redis is unavailable."},
    504: {"model": ErrorResponse, "description": "Not every worker confirmed in time."},
}


@router.post(
    "/cache/mode",
    response_model=CacheModeSwitched,
    responses=MODE_ERRORS,
    dependencies=[ADMIN_ONLY],
)
async def switch_cache_mode(
    state: State, request: Request, body: CacheModeChange
) -> JSONBytesResponse:
    """Turn cached reads on or off in every worker, and answer once `workers` confirmed.

    Writes invalidate in both modes, so nothing a write changed while the cache
    was off is served once it is on again (docs/cache.md, "The run-time switch").
    """
    if state.cache is None:
        raise HTTPException(409, "The cache is off (PORTAL_CACHE=off): there is nothing to switch.")
    if state.cache_switch is None:
        raise HTTPException(409, SWITCH_DISABLED)
    keys = SwitchKeys(state.cache.prefix)
    deadline = deadline_of(request.scope, state.settings.request_timeout_s)
    try:
        generation = await announce_mode(state.redis, keys, body.mode)
        wait_s = min(CONFIRM_WAIT_S, seconds_left(deadline) - _ANSWER_MARGIN_S)
        confirmed = await confirmations(
            state.redis, keys, generation, workers=body.workers, wait_s=wait_s
        )
    except Exception as error:  # Redis down or slow: no worker can hear a switch
        raise HTTPException(503, f"Redis did not take the switch: {error}") from error
    if len(confirmed) < body.workers:
        raise HTTPException(
            504,
            f"Only {len(confirmed)} of {body.workers} workers confirmed cache {body.mode} "
            f"(generation {generation}) within {max(wait_s, 0):.1f} s; the others may still "
            "apply it: switch again to retry.",
        )
    return json_response({"mode": body.mode, "generation": generation, "confirmed": confirmed})


@router.get(
    "/cache/mode", response_model=CacheMode, responses=ADMIN_ERRORS, dependencies=[ADMIN_ONLY]
)
async def cache_mode(state: State) -> JSONBytesResponse:
    """This worker's mode and the switch it applied last."""
    listener = state.cache_switch
    cache = state.cache
    return json_response(
        {
            "cache": "off" if cache is None else "on",
            "switch": "off" if listener is None else "on",
            "mode": "on" if cache is not None and cache.live else "off",
            "generation": 0 if listener is None else listener.generation,
            "pid": os.getpid(),
        }
    )
