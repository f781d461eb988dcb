"""Admin tools for performance work: the response cache now, monitoring later."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field, model_validator

from portal.api.deps import ADMIN_ONLY, State
from portal.api.models import ADMIN_ERRORS, RequestBody
from portal.api.responses import JSONBytesResponse, json_response
from portal.cache.policy import Namespace
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
