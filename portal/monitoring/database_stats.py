"""What PostgreSQL says about the portal's database (``GET /api/performance/database/stats``).

Server-side truth, to set next to the client-side timings: table sizes and
row estimates, sequential vs index scans per table, scans and size per index
(an index nobody scans is pure write cost), dead tuples and the last
(auto)analyze, and the heaviest statements from ``pg_stat_statements``. Those
statements carry the ``/* op=... */`` comment the statement listener adds, so
each row maps back to a portal operation.

``pg_stat_statements`` needs ``shared_preload_libraries`` (the embedded
PostgreSQL preloads it) and ``CREATE EXTENSION`` in the database; when either
is missing the answer says which, instead of failing.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from portal.monitoring.operations import operation

log = logging.getLogger("portal.monitoring")

_OP_COMMENT = re.compile(r"/\*\s*op=([a-z0-9_.]+)\s*\*/")

_DATABASE = text(
    """
    SELECT datname AS name, numbackends AS connections, xact_commit, xact_rollback,
           blks_read, blks_hit, tup_returned, tup_fetched, tup_inserted, tup_updated,
           tup_deleted, temp_files, temp_bytes, deadlocks, stats_reset,
           pg_database_size(datid) AS size_bytes
    FROM pg_stat_database WHERE datname = current_database()
    """
)

_TABLES = text(
    """
    SELECT s.relname AS table,
           CAST(c.reltuples AS bigint) AS row_estimate,
           s.n_live_tup AS live_rows, s.n_dead_tup AS dead_rows,
           pg_total_relation_size(s.relid) AS total_bytes,
           pg_relation_size(s.relid) AS table_bytes,
           pg_indexes_size(s.relid) AS index_bytes,
           s.seq_scan, s.seq_tup_read,
           COALESCE(s.idx_scan, 0) AS idx_scan, COALESCE(s.idx_tup_fetch, 0) AS idx_tup_fetch,
           s.n_mod_since_analyze, s.last_analyze, s.last_autoanalyze,
           s.last_vacuum, s.last_autovacuum
    FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
    WHERE s.schemaname = current_schema()
    ORDER BY pg_total_relation_size(s.relid) DESC, s.relname
    """
)

_INDEXES = text(
    """
    SELECT s.relname AS table, s.indexrelname AS index,
           s.idx_scan, s.idx_tup_read, s.idx_tup_fetch,
           pg_relation_size(s.indexrelid) AS size_bytes,
           i.indisunique AS is_unique, i.indisprimary AS is_primary
    FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
    WHERE s.schemaname = current_schema()
    ORDER BY s.relname, s.indexrelname
    """
)

_HAS_EXTENSION = text(
    "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements')"
)
_PRELOADED = text("SELECT current_setting('shared_preload_libraries')")
_CREATE_EXTENSION = text("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")

_TOP_STATEMENTS = text(
    """
    SELECT queryid, calls, total_exec_time, mean_exec_time, max_exec_time, rows,
           shared_blks_hit, shared_blks_read, query
    FROM pg_stat_statements
    WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
    ORDER BY total_exec_time DESC
    LIMIT :limit
    """
)


def _rows(result: Any) -> list[dict[str, Any]]:
    return [dict(row) for row in result.mappings()]


@operation("monitoring.database_activity")
async def database_activity(conn: AsyncConnection) -> dict[str, Any] | None:
    row = (await conn.execute(_DATABASE)).mappings().first()
    if row is None:
        return None
    activity = dict(row)
    read, hit = activity["blks_read"], activity["blks_hit"]
    activity["buffer_hit_ratio"] = round(hit / (hit + read), 4) if hit + read else None
    return activity


@operation("monitoring.table_stats")
async def table_stats(conn: AsyncConnection) -> list[dict[str, Any]]:
    tables = _rows(await conn.execute(_TABLES))
    for table in tables:
        scans = table["seq_scan"] + table["idx_scan"]
        table["idx_scan_ratio"] = round(table["idx_scan"] / scans, 4) if scans else None
    return tables


@operation("monitoring.index_stats")
async def index_stats(conn: AsyncConnection) -> list[dict[str, Any]]:
    return _rows(await conn.execute(_INDEXES))


@operation("monitoring.ensure_pg_stat_statements")
async def ensure_pg_stat_statements(engine: AsyncEngine) -> str | None:
    """Create the extension if the server preloads it; None when usable, else why not.

    Tolerates everything (no privilege, a concurrent worker creating it too):
    monitoring must not stop the portal from starting.
    """
    try:
        async with engine.connect() as conn:
            if await conn.scalar(_HAS_EXTENSION):
                return None
            preloaded = str(await conn.scalar(_PRELOADED) or "")
        if "pg_stat_statements" not in preloaded:
            return "pg_stat_statements is not in shared_preload_libraries on this server"
        async with engine.begin() as conn:
            await conn.execute(_CREATE_EXTENSION)
        return None
    except Exception as error:
        log.info("pg_stat_statements unavailable: %s", error)
        return f"pg_stat_statements could not be enabled: {type(error).__name__}: {error}"[:300]


@operation("monitoring.top_statements")
async def top_statements(engine: AsyncEngine, *, limit: int) -> dict[str, Any]:
    """The statements with the most total execution time, each mapped to its operation."""
    reason = await ensure_pg_stat_statements(engine)
    if reason is not None:
        return {"available": False, "reason": reason, "statements": []}
    try:
        async with engine.connect() as conn:
            rows = _rows(await conn.execute(_TOP_STATEMENTS, {"limit": limit}))
    except Exception as error:
        return {
            "available": False,
            "reason": f"{type(error).__name__}: {error}"[:300],
            "statements": [],
        }
    for row in rows:
        found = _OP_COMMENT.search(row["query"] or "")
        row["operation"] = found.group(1) if found else None
        row["total_exec_ms"] = round(row.pop("total_exec_time"), 3)
        row["mean_exec_ms"] = round(row.pop("mean_exec_time"), 3)
        row["max_exec_ms"] = round(row.pop("max_exec_time"), 3)
    return {"available": True, "reason": None, "statements": rows}


async def database_stats(engine: AsyncEngine, *, top: int = 20) -> dict[str, Any]:
    """Everything the endpoint returns except the pool (the caller has the engine's)."""
    async with engine.connect() as conn:
        activity = await database_activity(conn)
        tables = await table_stats(conn)
        indexes = await index_stats(conn)
    return {
        "database": activity,
        "tables": tables,
        "indexes": indexes,
        "pg_stat_statements": await top_statements(engine, limit=top),
    }
