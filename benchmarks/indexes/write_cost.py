"""What the performance indexes cost on writes: inserts into orders and the ledger, on vs off.

Both arms run on the real tables of the loaded dataset and change nothing:
each run inserts N prepared rows inside a transaction and rolls it back. The
unindexed arm drops the performance indexes of the two tables *inside* that
transaction (DDL is transactional in PostgreSQL), so the rollback restores
them at no cost and there is no index rebuild between arms. Arms alternate
(on/off, then off/on, ...) within one run, so drift (cache, autovacuum, the
other process on the box) lands on both.

Two shapes, because they answer different questions:

* ``bulk``: one ``INSERT ... SELECT`` of N rows. Almost all of its time is
  heap and index maintenance, so it shows the indexes' cost undiluted.
* ``single``: N one-row INSERTs, as checkout and top-up issue them (psycopg
  pipelines them). Per-statement overhead dilutes the index cost: closer to
  what the portal feels.

Rolled-back inserts skip the commit's WAL flush; absolute rates are therefore
optimistic, the ratio is the point. They also leave dead tuples behind, so
the run ends with VACUUM (ANALYZE) of the two tables.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import psycopg
from psycopg import sql

from portal.db.index_file import index_specs
from portal.db.indexes import set_indexes
from portal.settings import libpq_url

Shape = Literal["bulk", "single"]
SHAPES: tuple[Shape, ...] = ("bulk", "single")
TABLES = ("orders", "wallet_transactions")
# Both arms take an ACCESS EXCLUSIVE lock (the unindexed arm through DROP INDEX);
# wait this long for other sessions, then fail instead of hanging.
LOCK_TIMEOUT = "10s"

_COLUMNS: dict[str, tuple[str, ...]] = {
    "orders": ("id", "user_id", "status", "total_cents", "item_count", "created_at"),
    "wallet_transactions": ("id", "user_id", "amount_cents", "kind", "order_id", "created_at"),
}

# New rows look like the portal's: new ids past the end (explicit, so no
# sequence moves), users spread over all users, timestamps after the newest
# row (the right edge of every date index, where new rows land), and for the
# ledger a mix of top-ups and purchases of existing orders.
_SOURCE = {
    "orders": """
        CREATE TEMP TABLE write_cost_orders ON COMMIT PRESERVE ROWS AS
        WITH u AS (SELECT array_agg(id ORDER BY id) AS ids FROM users),
             o AS (SELECT coalesce(max(id), 0) AS top, coalesce(max(created_at), now()) AS newest
                   FROM orders)
        SELECT o.top + g AS id,
               u.ids[1 + (g * 7919) % cardinality(u.ids)] AS user_id,
               'paid' AS status,
               100 + (g * 104729) % 50000 AS total_cents,
               1 + g % 5 AS item_count,
               o.newest + g * interval '1 second' AS created_at
        FROM generate_series(1, {rows}) AS g, u, o
    """,
    "wallet_transactions": """
        CREATE TEMP TABLE write_cost_wallet_transactions ON COMMIT PRESERVE ROWS AS
        WITH u AS (SELECT array_agg(id ORDER BY id) AS ids FROM users),
             r AS (SELECT array_agg(id ORDER BY id) AS ids
                   FROM (SELECT id FROM orders ORDER BY id DESC LIMIT {rows}) recent),
             w AS (SELECT coalesce(max(id), 0) AS top, coalesce(max(created_at), now()) AS newest
                   FROM wallet_transactions)
        SELECT w.top + g AS id,
               u.ids[1 + (g * 7919) % cardinality(u.ids)] AS user_id,
               CASE WHEN g % 3 = 0 THEN -(100 + g % 5000) ELSE 1000 + g % 9000 END AS amount_cents,
               CASE WHEN g % 3 = 0 THEN 'purchase' ELSE 'top_up' END AS kind,
               CASE WHEN g % 3 = 0 THEN r.ids[1 + g % cardinality(r.ids)] END AS order_id,
               w.newest + g * interval '1 second' AS created_at
        FROM generate_series(1, {rows}) AS g, u, r, w
    """,
}


class WriteCostError(Exception):
    """The measurement cannot run as asked (bad arguments, empty dataset, indexes missing)."""


@dataclass(frozen=True)
class WriteCost:
    """Insert rates of one table and shape, both arms, over the repetitions."""

    table: str
    shape: Shape
    rows: int
    indexes: int  # performance indexes on the table in the indexed arm
    on_rates: tuple[float, ...]  # rows/s per repetition, indexes on
    off_rates: tuple[float, ...]

    @property
    def on_rate(self) -> float:
        return statistics.median(self.on_rates)

    @property
    def off_rate(self) -> float:
        return statistics.median(self.off_rates)

    @property
    def ratio(self) -> float:
        """Indexed rate over unindexed rate: 0.7 means inserts run at 70 % of the bare speed."""
        return self.on_rate / self.off_rate

    @property
    def cost_percent(self) -> float:
        """How much slower the inserts are with the indexes, in percent of the bare time."""
        return (self.off_rate / self.on_rate - 1) * 100


@dataclass(frozen=True)
class WriteCostReport:
    rows: int
    repetitions: int
    results: list[WriteCost]


def measure_write_cost(
    database_url: str,
    *,
    rows: int = 10_000,
    repetitions: int = 5,
    shapes: Sequence[Shape] = SHAPES,
) -> WriteCostReport:
    """Insert ``rows`` rows per table, ``repetitions`` times per arm, interleaved; keep nothing."""
    if rows < 1 or repetitions < 1:
        raise WriteCostError(f"rows and repetitions must be at least 1 (got {rows}, {repetitions})")
    unknown = sorted(set(shapes) - set(SHAPES))
    if unknown or not shapes:
        raise WriteCostError(f"shapes must be some of {', '.join(SHAPES)}, not {unknown or 'none'}")
    indexes = {t: [s.name for s in index_specs() if s.table == t] for t in TABLES}
    set_indexes(database_url, "on")
    with psycopg.connect(libpq_url(database_url), prepare_threshold=None) as conn:
        conn.autocommit = True
        sources = _prepare_sources(conn, rows)
        rates: dict[tuple[str, Shape, str], list[float]] = {}
        try:
            # Repetition -1 is a warm-up of both arms (buffers, catalogue caches), not recorded.
            for repetition in range(-1, repetitions):
                arms = ("on", "off") if repetition % 2 == 0 else ("off", "on")
                for shape in shapes:
                    for arm in arms:
                        drop = indexes if arm == "off" else {}
                        timings = _run_arm(conn, shape, sources, drop=drop)
                        if repetition < 0:
                            continue
                        for table, seconds in timings.items():
                            rates.setdefault((table, shape, arm), []).append(rows / seconds)
        finally:
            _tidy(conn)
    results = [
        WriteCost(
            table=table,
            shape=shape,
            rows=rows,
            indexes=len(indexes[table]),
            on_rates=tuple(rates[(table, shape, "on")]),
            off_rates=tuple(rates[(table, shape, "off")]),
        )
        for shape in shapes
        for table in TABLES
    ]
    return WriteCostReport(rows=rows, repetitions=repetitions, results=results)


def _tidy(conn: psycopg.Connection[Any]) -> None:
    """Leave the tables as found: rolled-back rows are dead tuples at the end of the heap.

    Measured: after one run at tiny, orders held 14,000 dead tuples (3.8x its
    pages) and the planner chose another index for orders.list_for_user. VACUUM
    truncates the empty tail; ANALYZE, because VACUUM alone left reltuples at
    a quarter of the truth.
    """
    conn.execute(
        sql.SQL("VACUUM (ANALYZE) {}").format(sql.SQL(", ").join(map(sql.Identifier, TABLES)))
    )


def _prepare_sources(conn: psycopg.Connection[Any], rows: int) -> dict[str, list[tuple[Any, ...]]]:
    """Build the rows to insert once (temp tables); returns them for the one-row shape."""
    if conn.execute("SELECT NOT EXISTS (SELECT 1 FROM users)").fetchone() == (True,):
        raise WriteCostError("the database has no users: load a dataset first")
    fetched: dict[str, list[tuple[Any, ...]]] = {}
    for table in TABLES:
        temp = f"write_cost_{table}"
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(temp)))
        # Literal, not a parameter: utility statements (CREATE TABLE AS) take none.
        conn.execute(sql.SQL(_SOURCE[table]).format(rows=sql.Literal(rows)))
        columns = sql.SQL(", ").join(map(sql.Identifier, _COLUMNS[table]))
        fetched[table] = conn.execute(
            sql.SQL("SELECT {} FROM {} ORDER BY id").format(columns, sql.Identifier(temp))
        ).fetchall()
    return fetched


def _run_arm(
    conn: psycopg.Connection[Any],
    shape: Shape,
    sources: dict[str, list[tuple[Any, ...]]],
    *,
    drop: dict[str, list[str]],
) -> dict[str, float]:
    """One transaction: (drop the indexes,) insert into each table (timed), roll back."""
    seconds: dict[str, float] = {}
    with conn.transaction(force_rollback=True):
        conn.execute("SELECT set_config('lock_timeout', %s, true)", (LOCK_TIMEOUT,))
        for table in TABLES:
            # Lock up front in both arms, so neither times a lock wait.
            conn.execute(
                sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(sql.Identifier(table))
            )
            for name in drop.get(table, []):
                conn.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(name)))
        for table in TABLES:
            columns = sql.SQL(", ").join(map(sql.Identifier, _COLUMNS[table]))
            target = sql.Identifier(table)
            started = time.perf_counter()
            if shape == "bulk":
                conn.execute(
                    sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {}").format(
                        target, columns, columns, sql.Identifier(f"write_cost_{table}")
                    )
                )
            else:
                placeholders = sql.SQL(", ").join(sql.Placeholder() * len(_COLUMNS[table]))
                with conn.cursor() as cursor:
                    cursor.executemany(
                        sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                            target, columns, placeholders
                        ),
                        sources[table],
                    )
            seconds[table] = time.perf_counter() - started
    return seconds
