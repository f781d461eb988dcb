"""Explicit settings for the portal, read from ``PORTAL_*`` environment variables.

One object is built by the caller and handed to ``create_app(settings)``, so a
benchmark can build the portal with the cache on and off, or against another
database, in one process.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def sqlalchemy_url(url: str) -> str:
    """Return ``url`` with the psycopg 3 driver named, as SQLAlchemy wants it.

    Users and other tools (psql, pgbench) speak plain libpq URLs; SQLAlchemy would
    pick psycopg2 for ``postgresql://``, which we do not ship.
    """
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {url!r} (expected postgresql://...)")


def libpq_url(url: str) -> str:
    """Return ``url`` as plain libpq understands it (for psycopg.connect, psql)."""
    return sqlalchemy_url(url).replace("postgresql+psycopg://", "postgresql://", 1)


class Settings(BaseSettings):
    """Everything the portal needs to run; defaults suit a local benchmark."""

    model_config = SettingsConfigDict(env_prefix="PORTAL_", extra="ignore")

    database_url: str = Field(
        default="postgresql://postgres@127.0.0.1:5432/perfproof",
        description="PostgreSQL URL (libpq form).",
    )
    redis_url: str = Field(default="redis://127.0.0.1:6379/0", description="Redis URL.")

    # Pool: bounded, with a short checkout timeout, so a dead database makes
    # requests fail fast with 503 instead of queueing forever.
    pool_size: int = Field(default=10, ge=1)
    pool_max_overflow: int = Field(default=5, ge=0)
    pool_timeout_s: float = Field(default=2.0, gt=0)
    connect_timeout_s: float = Field(default=2.0, gt=0)
    statement_timeout_ms: int = Field(default=15_000, ge=0)
    # The client side's own bound: a request not answering by then is a 503, even
    # if PostgreSQL is frozen and cannot enforce statement_timeout (api/deadline.py).
    request_timeout_s: float = Field(default=5.0, gt=0)

    # Authentication results are kept in-process this long, so a cached response
    # does not still cost a database round trip for the token lookup.
    token_cache_seconds: float = Field(default=30.0, ge=0)
    token_cache_size: int = Field(default=50_000, ge=1)

    wallet_recent: int = Field(default=20, ge=1, le=200)

    # Start-up init makes the performance indexes match this (apply or drop
    # sql/add-performance-indexes.sql, then ANALYZE): the index arm of a run.
    indexes: Literal["on", "off"] = "on"
    # The cleanup job inside the portal: off (0) by default; it can also run as
    # ``perfproof cleanup``.
    cleanup_interval_s: float = Field(default=0.0, ge=0)
    cleanup_cart_days: float = Field(default=30.0, gt=0)
    cleanup_audit_days: float = Field(default=365.0, gt=0)

    # Response cache (portal/cache/). "off" leaves the cache middleware out
    # entirely, so the uncached arm of a benchmark measures the plain portal.
    cache: Literal["on", "off"] = "on"
    # Run-time switch (portal/cache/switch.py): each worker listens for "cache
    # on/off" from POST /api/performance/cache/mode, so a load test can alternate
    # both arms inside one served portal. Only meaningful with PORTAL_CACHE=on.
    cache_switch: bool = False
    # Lifetimes per namespace, as the write-up states them (cart is ours: it
    # shows live prices and stock, so it lives shortest).
    cache_ttl_products_s: int = Field(default=300, ge=1)
    cache_ttl_wallet_s: int = Field(default=120, ge=1)
    cache_ttl_orders_s: int = Field(default=180, ge=1)
    cache_ttl_users_s: int = Field(default=600, ge=1)
    cache_ttl_cart_s: int = Field(default=60, ge=1)
    # Key prefix in Redis; empty means "pp:<hash of database_url>", so portals on
    # different databases can share one Redis without reading each other's data.
    cache_prefix: str = Field(default="", max_length=64)
    # One Redis command may take this long before the breaker opens and the
    # in-process fallback answers: this bounds what an outage adds to a request.
    cache_redis_timeout_s: float = Field(default=0.5, gt=0)
    cache_redis_max_connections: int = Field(default=64, ge=1)
    cache_probe_interval_s: float = Field(default=1.0, gt=0)
    # The in-process fallback is per worker: writes through another worker do not
    # reach it, so its entries live at most this long (the staleness bound
    # between workers while Redis is down).
    cache_memory_entries: int = Field(default=10_000, ge=1)
    cache_memory_bytes: int = Field(default=64 * 2**20, ge=1024)
    cache_memory_max_ttl_s: float = Field(default=10.0, gt=0)
    # Stampede lock across processes: how long it is held at most and how long
    # a waiting process polls for the winner's entry before computing itself.
    cache_lock_ttl_s: float = Field(default=5.0, gt=0)
    cache_lock_wait_s: float = Field(default=2.0, ge=0)

    # Freeze the start-up heap (gc.freeze) once started, so full garbage collections
    # under load do not walk it again (portal/app.py); off only to measure its effect.
    gc_freeze: bool = True

    # Monitoring (portal/monitoring/). "off" installs nothing (no statement
    # listeners, no SQL comments, no HTTP middleware): the baseline of its cost.
    monitoring: Literal["on", "off"] = "on"
    # Statements at least this slow are logged (WARNING) and kept in a ring of
    # the newest slow_query_log_size; the first of each SQL text gets its plan
    # captured once (EXPLAIN without ANALYZE, in the background).
    slow_query_ms: float = Field(default=100.0, ge=0)
    slow_query_log_size: int = Field(default=100, ge=1, le=10_000)
    slow_query_explain: bool = True
    # How often each worker samples CPU, memory, connections, pool and Redis INFO.
    monitoring_sample_s: float = Field(default=5.0, gt=0)

    @field_validator("database_url")
    @classmethod
    def _database_url_is_postgres(cls, value: str) -> str:
        return libpq_url(value)

    @field_validator("redis_url")
    @classmethod
    def _redis_url_is_redis(cls, value: str) -> str:
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"not a Redis URL: {value!r} (expected redis://...)")
        return value


def settings_problem() -> str | None:
    """The first bad ``PORTAL_*`` value as one sentence (``PORTAL_CACHE: Input should be
    'on' or 'off', not 'maybe'``), or None.

    Every command asks before any work: ``serve`` would otherwise fail in every
    worker with a traceback each, and ``token`` ignored the value silently.
    """
    from pydantic import ValidationError

    try:
        Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = "PORTAL_" + "_".join(str(part) for part in first["loc"]).upper()
        message = str(first["msg"]).removeprefix("Value error, ")
        return f"{name}: {message}, not {first.get('input')!r}"
    return None
