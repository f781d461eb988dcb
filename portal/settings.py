"""Explicit settings for the portal, read from ``PORTAL_*`` environment variables.

One object is built by the caller and handed to ``create_app(settings)``, so a
benchmark can build the portal with the cache on and off, or against another
database, in one process.
"""

from __future__ import annotations

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

    # Authentication results are kept in-process this long, so a cached response
    # does not still cost a database round trip for the token lookup.
    token_cache_seconds: float = Field(default=30.0, ge=0)
    token_cache_size: int = Field(default=50_000, ge=1)

    wallet_recent: int = Field(default=20, ge=1, le=200)

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
