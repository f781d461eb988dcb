"""The index switch: apply or drop sql/add-performance-indexes.sql, then ANALYZE.

"Indexed vs unindexed" must be the same data with one thing changed, so the
switch is a file applied or dropped as a whole, followed by fresh statistics
for the planner.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import psycopg

from portal.db.index_file import ADD_FILE, DROP_FILE, performance_index_names
from portal.db.sqlfiles import sql_file
from portal.settings import libpq_url

IndexState = Literal["on", "off"]


@dataclass(frozen=True)
class SwitchResult:
    state: IndexState
    present: list[str]
    seconds: float
    changed: bool  # False: they already were in that state, nothing ran


def set_indexes(database_url: str, state: IndexState) -> SwitchResult:
    """Turn the performance indexes ``on`` or ``off``, then ANALYZE; nothing if already so.

    A database already in the wanted state is left alone, statistics included:
    a needless ANALYZE re-samples the tables, and two runs of one arm could
    then be planned differently.
    """
    script = ADD_FILE if state == "on" else DROP_FILE
    wanted = performance_index_names() if state == "on" else []
    started = time.perf_counter()
    with psycopg.connect(libpq_url(database_url), autocommit=True) as conn:
        changed = present_indexes(conn) != wanted
        if changed:
            conn.execute(sql_file(script).read_text().encode())
            conn.execute("ANALYZE")
        present = present_indexes(conn)
    seconds = time.perf_counter() - started
    return SwitchResult(state=state, present=present, seconds=seconds, changed=changed)


def present_indexes(conn: psycopg.Connection) -> list[str]:
    """Which of the performance indexes exist in the connected database."""
    names = performance_index_names()
    rows = conn.execute(
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname = ANY(%s)",
        (names,),
    ).fetchall()
    found = {row[0] for row in rows}
    return [name for name in names if name in found]
