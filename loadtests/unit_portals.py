"""The served portals of paired units: one per index state, each with the cache switch.

Both portals serve for the whole open-model phase (``loadtests/paired_units.py``):
indexes on in the run's database, off in a copy of it, so no window waits on
``CREATE INDEX`` or its checkpoint. The runner keeps, per portal, the cache mode its
workers last confirmed and a connection that reads PostgreSQL's statement count at a
window's edges.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from benchmarks.servers import Served, serving
from loadtests import loaded_state
from loadtests.context import RunContext
from portal.devstack import copy_database, drop_database

START_TIMEOUT_S = 600.0
_STATEMENTS = (
    "SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements"
    " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


@dataclass
class Portal:
    """One served portal of the pair and what the runner knows of it."""

    served: Served
    database_url: str
    indexes: str
    mode: str = "on"  # the cache mode every worker confirmed last
    statements: psycopg.Connection[tuple[Any, ...]] | None = None


@contextmanager
def unit_portal(context: RunContext, indexes: str) -> Iterator[Portal]:
    """The portal of one index state, with the cache switch, for the whole phase.

    Indexes off are served from a copy of the run's database, dropped after.
    """
    plan, stack, database_url, folder = (
        context.plan, context.stack, context.database_url, context.folder
    )  # fmt: skip
    url = database_url
    copy = ""
    if indexes == "off":
        source = str(conninfo_to_dict(database_url).get("dbname") or "")
        copy = f"{source}_noidx"
        url = copy_database(database_url, source, copy)
    if copy and context.loaded is not None:  # a new database: its write counters start at 0
        loaded_state.mark(url, context.loaded)
    env = {
        **os.environ,
        **loaded_state.PORTAL_ENV,
        "PORTAL_DATABASE_URL": url,
        "PORTAL_REDIS_URL": stack.redis_url,
        "PORTAL_CACHE": "on",
        "PORTAL_CACHE_SWITCH": "on",
        "PORTAL_INDEXES": indexes,
    }
    try:
        log = folder.file(f"server-open-indexes-{indexes}.log")
        with serving(env, workers=plan.workers, log=log, start_timeout_s=START_TIMEOUT_S) as served:
            portal = Portal(served, url, indexes)
            try:
                portal.statements = psycopg.connect(url, autocommit=True)
            except psycopg.Error:
                portal.statements = None
            yield portal
    finally:
        if copy:
            drop_database(database_url, copy)


def statements(portal: Portal) -> int | None:
    """Statements executed in the portal's database so far; None without pg_stat_statements."""
    if portal.statements is None:
        return None
    try:
        row = portal.statements.execute(_STATEMENTS).fetchone()
    except psycopg.Error:
        return None
    return int(row[0]) if row else None


def checkpoint(database_url: str) -> None:
    """Write out what index builds and the copy dirtied, before the first window, not in it."""
    try:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("CHECKPOINT")
    except psycopg.Error:
        pass  # not a superuser: the windows may then meet the checkpoint (the report shows CPU)
