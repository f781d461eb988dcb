"""The dataset as loaded, kept, and put back before every unit: what the workload writes, declared.

Why: the personas check out, add cart lines and top up wallets, so a run's
tables grow as it goes. At ``tiny`` (5,000 orders) a quick run's writes grew
the written tables by a fifth within a minute, autovacuum and autoanalyze ran
on them mid-run, and the arms without indexes (which scan what grew) got
slower unit by unit: all-off 7.8 ms in the first unit, 42.6 in the sixth.
The units were then not exchangeable, and an interval over them promised
more than it kept. Putting the tables back between units makes every unit
measure the data the claim names (its scale), and the growth one unit's
writes cause is then a figure of its own (``rows_added``), not a drift.

How: before the load test's first request, :func:`take` records the loaded
state in the database itself: the largest key of each table the workload
only adds to (new rows are those above it), and a copy (schema
``perfproof_loaded``) of each small table it also changes or empties. A copy
of the database (the index-less arm's) carries the copy along.
:func:`put_back` deletes what was added, rewrites what was changed, puts
back what was deleted, then ``VACUUM (ANALYZE)`` so each unit starts with no
dead rows and the planner's statistics of the loaded data. It runs while no
request is in flight (the paired units pause their arrivals for it;
``loadtests/blocks.py``) and is not measured. The declaration is checked on
every run: a table the workload wrote that is not in :data:`WRITTEN` is named
in the manifest (``undeclared``) and a test keeps that list empty.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import Any, Literal

import psycopg
from psycopg import sql

SCHEMA = "perfproof_loaded"
# The portal's own cleanup job would delete loaded audit rows, which put_back does not
# restore (audit_log is "grown"): it stays off in the load tests, as it is by default.
PORTAL_ENV = {"PORTAL_CLEANUP_INTERVAL_S": "0"}
# put_back waits for no one: a lock held by a portal that was killed is an error, not a hang
_TIMEOUTS = "SET lock_timeout = '10s'; SET statement_timeout = '120s'"

How = Literal["grown", "restored"]


@dataclass(frozen=True)
class Written:
    """One table the personas write, and how it is put back."""

    table: str
    how: How  # grown: only added to (rows above the loaded key go); restored: copied back
    key: tuple[str, ...]  # grown: the one ascending key; restored: the primary key
    why: str


# In the order they are put back: a row is deleted before the rows it references.
WRITTEN: tuple[Written, ...] = (
    Written("wallet_transactions", "grown", ("id",), "each checkout and top-up adds one"),
    Written("order_items", "grown", ("order_id",), "a checkout adds its lines"),
    Written("orders", "grown", ("id",), "a checkout adds one"),
    Written("audit_log", "grown", ("id",), "checkouts, top-ups and product edits are audited"),
    Written(
        "idempotency_keys",
        "restored",
        ("user_id", "key"),
        "a checkout sent with an Idempotency-Key keeps it (the personas send none)",
    ),
    Written(
        "cart_items",
        "restored",
        ("id",),
        "lines added, changed, removed; a checkout empties the cart, loaded lines too",
    ),
    Written("wallets", "restored", ("user_id",), "balances move; a top-up may open a wallet"),
    Written("products", "restored", ("id",), "stock falls with checkouts; admins edit"),
)


@dataclass
class LoadedState:
    """What :func:`take` recorded: enough to put any copy of the database back."""

    largest: dict[str, int]  # grown tables: the loaded data's largest key
    # per database: PostgreSQL's write counters at the last put-back (undeclared writes)
    writes: dict[str, dict[str, int]] = field(default_factory=dict)
    resets: list[dict[str, Any]] = field(default_factory=list)  # one per put_back

    def record(self) -> dict[str, Any]:
        """For the manifest: every put-back (before what, how long, what it took away)."""
        undeclared = sorted({t for reset in self.resets for t in reset["undeclared"]})
        return {"resets": self.resets, "undeclared": undeclared}


def take(database_url: str) -> LoadedState:
    """Record the loaded state of ``database_url``, in it (replacing an earlier record)."""
    with psycopg.connect(database_url, autocommit=True) as conn, conn.transaction():
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(SCHEMA)))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
        largest: dict[str, int] = {}
        for written in WRITTEN:
            table = sql.Identifier(written.table)
            if written.how == "grown":
                (column,) = written.key
                row = conn.execute(
                    sql.SQL("SELECT coalesce(max({}), 0) FROM {}").format(
                        sql.Identifier(column), table
                    )
                ).fetchone()
                largest[written.table] = int(row[0]) if row else 0
            else:
                conn.execute(
                    sql.SQL("CREATE TABLE {} AS TABLE {}").format(
                        sql.Identifier(SCHEMA, written.table), table
                    )
                )
        writes = {str(conn.info.dbname): _writes(conn)}
    return LoadedState(largest, writes)


def put_back(database_url: str, state: LoadedState, before: str) -> dict[str, Any]:
    """Put ``database_url`` back to the state :func:`take` recorded; what it found, timed.

    ``before`` names what comes next (``unit 3``, ``closed all-on 1``). Returns the rows
    each table had gained since the last put-back (the growth a unit's writes cause), the
    tables written but not declared, and the seconds it took.
    """
    started = time.monotonic()
    with psycopg.connect(database_url, autocommit=True) as conn:
        for setting in _TIMEOUTS.split("; "):
            conn.execute(setting.encode())
        undeclared = _undeclared(conn, state)
        added: dict[str, int] = {}
        with conn.transaction():
            for written in WRITTEN:
                added[written.table] = _put_back_table(conn, written, state)
        for written in WRITTEN:  # outside a transaction, as VACUUM must be
            conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.Identifier(written.table)))
        state.writes[str(conn.info.dbname)] = _writes(conn)
    reset = {
        "before": before,
        "database": str(psycopg.conninfo.conninfo_to_dict(database_url).get("dbname") or ""),
        "seconds": round(time.monotonic() - started, 3),
        "rows_added": added,
        "undeclared": undeclared,
    }
    state.resets.append(reset)
    return reset


def forget(database_url: str) -> None:
    """Drop the record (the run is over). Never raises: a record left behind by a server
    that went away is replaced by the next run's :func:`take`; one line says so."""
    try:
        with psycopg.connect(database_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(SCHEMA)))
    except psycopg.Error as error:
        sys.stderr.write(f"the loaded state's record ({SCHEMA}) stays: {str(error).strip()}\n")


def mark(database_url: str, state: LoadedState) -> None:
    """Start counting undeclared writes in ``database_url`` from now (a new copy's
    counters start at zero: an earlier copy's marks would hide its writes)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        state.writes[str(conn.info.dbname)] = _writes(conn)


def _put_back_table(conn: psycopg.Connection[Any], written: Written, state: LoadedState) -> int:
    """Put one table back; the number of rows it had gained."""
    table = sql.Identifier(written.table)
    if written.how == "grown":
        (column,) = written.key
        cursor = conn.execute(
            sql.SQL("DELETE FROM {} WHERE {} > %s").format(table, sql.Identifier(column)),
            (state.largest[written.table],),
        )
        return cursor.rowcount
    # rows the loaded data does not have go; changed rows are rewritten in place (a
    # product is referenced by loaded orders: it cannot be deleted and copied back);
    # loaded rows the workload deleted (a checkout empties a cart) come back
    parts = {
        "table": table,
        "copy": sql.Identifier(SCHEMA, written.table),
        "same_key": sql.SQL(" AND ").join(
            sql.SQL("t.{key} = s.{key}").format(key=sql.Identifier(k)) for k in written.key
        ),
    }
    columns = [
        str(name)
        for (name,) in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
            " AND NOT attisdropped ORDER BY attnum",
            (f"{SCHEMA}.{written.table}",),
        ).fetchall()
    ]
    removed = conn.execute(
        sql.SQL(
            "DELETE FROM {table} AS t WHERE NOT EXISTS (SELECT 1 FROM {copy} AS s WHERE {same_key})"
        ).format(**parts)
    ).rowcount
    conn.execute(
        sql.SQL(
            "UPDATE {table} AS t SET ({columns}) = ({values}) FROM {copy} AS s"
            " WHERE {same_key} AND CAST(t AS text) IS DISTINCT FROM CAST(s AS text)"
        ).format(
            columns=sql.SQL(", ").join(sql.Identifier(c) for c in columns),
            values=sql.SQL(", ").join(sql.SQL("s.{}").format(sql.Identifier(c)) for c in columns),
            **parts,
        )
    )
    returned = conn.execute(
        sql.SQL(
            "INSERT INTO {table} OVERRIDING SYSTEM VALUE SELECT s.* FROM {copy} AS s"
            " WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE {same_key})"
        ).format(**parts)
    ).rowcount
    return removed - returned


_WRITES = (
    "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables"
    " WHERE schemaname = 'public'"
)


def _writes(conn: psycopg.Connection[Any]) -> dict[str, int]:
    """Rows inserted, updated and deleted so far, per table (PostgreSQL's own counters)."""
    return {str(name): int(count) for name, count in conn.execute(_WRITES).fetchall()}


def _undeclared(conn: psycopg.Connection[Any], state: LoadedState) -> list[str]:
    """Tables written since the last put-back that :data:`WRITTEN` does not name."""
    declared = {w.table for w in WRITTEN} | {"perfproof_dataset"}
    now = _writes(conn)
    marked = state.writes.get(str(conn.info.dbname), now)
    return sorted(t for t, n in now.items() if t not in declared and n > marked.get(t, n))
