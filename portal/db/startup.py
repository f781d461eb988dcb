"""Start-up init: make sure the schema exists before the first request."""

from __future__ import annotations

import logging
import re

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from portal.db.index_file import ADD_FILE, DROP_FILE, performance_index_names
from portal.db.indexes import IndexState
from portal.db.sqlfiles import sql_file

log = logging.getLogger("portal.db")

# Several uvicorn workers start at once; one of them creates the schema.
_INIT_LOCK = 0x70657266  # "perf"


_MISSING = text(
    "SELECT count(*) FROM unnest(CAST(:names AS text[])) AS t(name)"
    " WHERE to_regclass('public.' || t.name) IS NULL"
)


def schema_tables() -> list[str]:
    return re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", sql_file("schema.sql").read_text())


async def ensure_schema(engine: AsyncEngine) -> bool:
    """Create what schema.sql has and the database lacks; True if it did.

    Every statement in schema.sql is idempotent, but running it costs catalogue
    locks on every start, so a database with every table is left alone. One
    missing a table added since it was loaded (``idempotency_keys``) gets it:
    checking for one old table only once let such a database start without it.
    """
    names = {"names": schema_tables()}
    async with engine.connect() as conn:
        if await conn.scalar(_MISSING, names) == 0:
            return False
    async with engine.begin() as conn:
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _INIT_LOCK})
        if await conn.scalar(_MISSING, names) == 0:
            return False
        raw = await conn.get_raw_connection()
        # No parameters: psycopg sends the file with the simple query protocol,
        # which accepts many statements (and the DO block) in one go.
        await raw.driver_connection.execute(sql_file("schema.sql").read_text())  # type: ignore[union-attr]
    log.info("created the portal schema")
    return True


_PRESENT = text(
    "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname = ANY(:names)"
)


async def ensure_index_state(engine: AsyncEngine, state: IndexState) -> bool:
    """Make the performance indexes match ``PORTAL_INDEXES``; True if anything changed.

    Applies or drops sql/add-performance-indexes.sql as a whole and refreshes
    the planner's statistics, so a portal started with ``off`` is the
    unindexed arm without a separate step. A database already in the wanted
    state costs one catalogue query.
    """
    names = performance_index_names()
    wanted = len(names) if state == "on" else 0
    async with engine.connect() as conn:
        if await conn.scalar(_PRESENT, {"names": names}) == wanted:
            return False
    script = ADD_FILE if state == "on" else DROP_FILE
    async with engine.begin() as conn:
        # One transaction: CREATE/DROP INDEX and ANALYZE all run inside one,
        # and the lock keeps several starting workers from doing it twice.
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _INIT_LOCK})
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        await driver.execute(sql_file(script).read_text())  # type: ignore[union-attr]
        await driver.execute("ANALYZE")  # type: ignore[union-attr]
    log.info("performance indexes turned %s at start-up", state)
    return True
