"""The async engine: a bounded pool that fails fast when PostgreSQL is gone.

A request that cannot get a connection within ``pool_timeout_s`` or whose
statement runs past ``statement_timeout_ms`` becomes a 503, never a hang; when a
connection dies, SQLAlchemy invalidates the whole pool, so the portal recovers by
itself once the database is back.
"""

from __future__ import annotations

from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from portal.settings import Settings, sqlalchemy_url


def create_engine(settings: Settings) -> AsyncEngine:
    """Build the portal's engine from its settings (no connection is made yet)."""
    return create_async_engine(
        sqlalchemy_url(settings.database_url),
        pool_size=settings.pool_size,
        max_overflow=settings.pool_max_overflow,
        pool_timeout=settings.pool_timeout_s,
        pool_recycle=1800,
        connect_args={
            # libpq rounds connect_timeout below 2 s up to 2 s.
            "connect_timeout": max(2, round(settings.connect_timeout_s)),
            "options": f"-c statement_timeout={settings.statement_timeout_ms}",
            "application_name": "perfproof-portal",
        },
    )


class DatabaseUnavailable(Exception):
    """PostgreSQL could not answer in time; the API turns this into a 503."""


def is_unavailable(error: BaseException) -> bool:
    """Whether ``error`` means "the database is down or overloaded", not a bug.

    Connection failures, pool exhaustion and statement timeouts qualify;
    constraint violations and SQL errors do not (those are bugs or 4xx).
    """
    if isinstance(error, sa_exc.TimeoutError | DatabaseUnavailable):
        return True
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return True
        sqlstate = getattr(error.orig, "sqlstate", None) or ""
        # 08: connection exception; 57P0x: admin shutdown / crash shutdown /
        # cannot connect now; 57014: query_canceled (statement timeout).
        if sqlstate.startswith("08") or sqlstate.startswith("57P") or sqlstate == "57014":
            return True
        return isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError)
    return isinstance(error, ConnectionError | OSError)
