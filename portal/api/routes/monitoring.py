"""Monitoring endpoints: ``/metrics`` for Prometheus, and two admin views of performance.

``/metrics`` is public like ``/healthz`` (scrapers carry no portal token; put
it behind the network, not behind auth) and left out of the OpenAPI schema,
whose operations all answer JSON. The admin views answer for the worker that
serves the request (pid included); ``/metrics`` sums all workers when
Prometheus multiprocess mode is on.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from portal.api.deps import ADMIN_ONLY, State
from portal.api.models import ADMIN_ERRORS
from portal.api.responses import JSONBytesResponse, json_response
from portal.monitoring.database_stats import database_stats
from portal.monitoring.prometheus import CONTENT_TYPE
from portal.monitoring.resources import pool_readings

router = APIRouter(tags=["monitoring"])

_OFF = b"# monitoring is off (PORTAL_MONITORING=off)\n"


class Latency(BaseModel):
    count: int
    total_ms: float | None
    mean_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None


class OperationSummary(Latency):
    errors: int
    slow: int
    routes: dict[str, int] = Field(description="Statements per route template (`-`: no request).")


class RouteSummary(Latency):
    statuses: dict[str, int] = Field(description="Responses per status class (`2xx`, ...).")


class SlowStatement(BaseModel):
    at: str
    operation: str
    duration_ms: float
    route: str | None
    user_id: int | None
    sql: str = Field(description="As sent, with placeholders: parameter values are left out.")
    fingerprint: str
    error: str | None
    plan: Any = Field(description="EXPLAIN (FORMAT JSON) of the first slow instance, if captured.")


class PerformanceMetrics(BaseModel):
    monitoring: Literal["on", "off"]
    worker: dict[str, Any] | None = None
    slow_query_ms: float | None = None
    operations: dict[str, OperationSummary] = Field(default_factory=dict)
    routes: dict[str, RouteSummary] = Field(
        default_factory=dict, description='Keyed "METHOD /route/{template}".'
    )
    slow_queries: list[SlowStatement] = Field(default_factory=list, description="Newest first.")
    resources: dict[str, Any] | None = None
    cache: dict[str, dict[str, Any]] | None = Field(
        default=None, description="The response cache's counters per namespace (this worker)."
    )
    pg_stat_statements: dict[str, Any] | None = None


class StatementsView(BaseModel):
    available: bool
    reason: str | None = Field(description="Why the statements are missing, when they are.")
    statements: list[dict[str, Any]]


class DatabaseStats(BaseModel):
    pool: dict[str, Any]
    database: dict[str, Any] | None
    tables: list[dict[str, Any]]
    indexes: list[dict[str, Any]]
    pg_stat_statements: StatementsView


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics(state: State) -> Response:
    """Prometheus text exposition (``text/plain; version=0.0.4``), units in seconds."""
    if state.monitor is None:
        return Response(_OFF, media_type=CONTENT_TYPE)
    return Response(await state.monitor.prometheus_text(), media_type=CONTENT_TYPE)


@router.get(
    "/api/performance/metrics",
    response_model=PerformanceMetrics,
    responses=ADMIN_ERRORS,
    dependencies=[ADMIN_ONLY],
)
async def performance_metrics(state: State) -> JSONBytesResponse:
    """Per operation and route: counts, errors and p50/p95/p99/max; slow statements;
    resources; cache counters. For the worker process that answers."""
    if state.monitor is None:
        return json_response({"monitoring": "off"})
    return json_response(await state.monitor.summary())


@router.get(
    "/api/performance/database/stats",
    response_model=DatabaseStats,
    responses=ADMIN_ERRORS,
    dependencies=[ADMIN_ONLY],
)
async def performance_database_stats(
    state: State,
    top: int = Query(default=20, ge=1, le=200, description="How many statements to list."),
) -> JSONBytesResponse:
    """Pool, tables (rows, sizes, seq vs index scans, dead tuples, last analyze), indexes
    (scans, size) and the top statements from pg_stat_statements when available."""
    stats = await database_stats(state.engine, top=top)
    return json_response({"pool": pool_readings(state.engine), **stats})
