"""Load a generated dataset: recreate the tables, COPY, constrain, analyse, fingerprint.

Everything that replaces the old dataset happens in one transaction: a failed
or interrupted load leaves the previous dataset in place, tables created in
the same transaction accept COPY FREEZE, and nobody sees a half-loaded
database. (The side connection commits only into its own schema.)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from portal.datagen import ddl
from portal.datagen.copy import Lane, copy_tables
from portal.datagen.fingerprint import (
    forget_fingerprint,
    matches,
    read_fingerprint,
    write_fingerprint,
)
from portal.datagen.progress import Progress, human_rate
from portal.datagen.scales import SCALES, Scale
from portal.datagen.tables import TABLES
from portal.datagen.tokens_file import default_tokens_path, write_tokens_file
from portal.datagen.world import World
from portal.settings import libpq_url

# One loader per database at a time (a second one waits, then sees the fingerprint).
_LOAD_LOCK = 0x7065_7266_6461_7461  # "perfdata"
_CONNECT_TIMEOUT_S = 10
# Session settings for the load only (SET LOCAL: gone at commit). Index builds
# and FK validation sort and hash millions of rows; JIT would only add
# compile time to the few big one-off statements.
_LOAD_SETTINGS = {
    "synchronous_commit": "off",
    "maintenance_work_mem": "512MB",
    "work_mem": "256MB",
    "jit": "off",
}
_MAX_SEED = 2**31 - 1  # perfproof_dataset.seed is an integer
# Loaded on a second connection, in parallel with the rest (see ddl.py): the
# largest table, whose plan (the ledger) is also the last to be ready.
_SIDE_TABLES = frozenset({"wallet_transactions"})


@dataclass(frozen=True)
class LoadResult:
    """What ``load_dataset`` did; ``seconds`` is this call's wall time."""

    scale: str
    seed: int
    skipped: bool
    rows: dict[str, int]
    seconds: float
    tokens_path: Path | None
    steps: dict[str, float] = field(default_factory=dict)  # seconds per load step

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds > 0 else 0.0


def load_dataset(
    database_url: str,
    *,
    scale: str = "tiny",
    seed: int = 1,
    force: bool = False,
    progress: bool = True,
    tokens_path: Path | None = None,
) -> LoadResult:
    """Fill ``database_url`` with the ``scale`` dataset of ``seed`` unless it already has it.

    Drops and recreates every table of sql/schema.sql (CASCADE: secondary
    indexes from add-performance-indexes.sql go too and are not re-applied,
    that is the caller's choice). The tokens file is written either way.
    """
    spec = _scale(scale)
    if not 0 <= seed <= _MAX_SEED:
        raise ValueError(f"seed must be between 0 and {_MAX_SEED}, not {seed}")
    path = Path(tokens_path) if tokens_path is not None else default_tokens_path(scale, seed)
    display = Progress(enabled=progress)
    started = time.perf_counter()
    with psycopg.connect(libpq_url(database_url), connect_timeout=_CONNECT_TIMEOUT_S) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOAD_LOCK,))
        fingerprint = read_fingerprint(conn)
        if not force and matches(fingerprint, scale=scale, seed=seed):
            assert fingerprint is not None
            users = conn.execute(
                "SELECT id, role FROM users WHERE id <= %s ORDER BY id", (spec.users,)
            ).fetchall()
            conn.rollback()
            write_tokens_file(path, seed=seed, users=users)
            seconds = time.perf_counter() - started
            display.summary(f"skipped {scale} (seed {seed}): already loaded; tokens in {path}")
            rows = {str(k): int(v) for k, v in fingerprint["row_counts"].items()}
            return LoadResult(scale, seed, True, rows, seconds, path)
        world = World(spec, seed)
        with psycopg.connect(libpq_url(database_url), connect_timeout=_CONNECT_TIMEOUT_S) as side:
            try:
                rows, steps = _load(conn, side, world, display)
            except BaseException:
                conn.rollback()  # first: its locks would block the clean-up
                ddl.discard_side_schema(side)
                raise
        write_fingerprint(
            conn, scale=scale, seed=seed, rows=rows, seconds=time.perf_counter() - started
        )
    seconds = time.perf_counter() - started
    roles = ["admin" if admin else "buyer" for admin in world.users.is_admin.tolist()]
    write_tokens_file(path, seed=seed, users=enumerate(roles, start=1))
    result = LoadResult(scale, seed, False, rows, seconds, path, steps)
    display.summary(
        f"loaded {scale} (seed {seed}): {result.total_rows:,} rows in {seconds:.1f} s"
        f" ({human_rate(result.rows_per_second)} rows/s)"
    )
    return result


def mark_written(database_url: str) -> None:
    """Say that a run is about to write to the dataset of ``database_url``.

    Call it before load tests or checks change rows: the next
    :func:`load_dataset` then regenerates the data (seconds at tiny and small)
    instead of reusing rows that drifted, so every run starts from the same data.
    """
    with psycopg.connect(libpq_url(database_url), connect_timeout=_CONNECT_TIMEOUT_S) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOAD_LOCK,))
        forget_fingerprint(conn)


def dataset_fingerprint(database_url: str) -> dict[str, Any] | None:
    """The ``perfproof_dataset`` row of ``database_url``, or None if it holds no dataset."""
    with psycopg.connect(libpq_url(database_url), connect_timeout=_CONNECT_TIMEOUT_S) as conn:
        return read_fingerprint(conn)


def _scale(name: str) -> Scale:
    try:
        return SCALES[name]
    except KeyError:
        raise ValueError(f"unknown scale {name!r} (known: {', '.join(SCALES)})") from None


def _load(
    conn: psycopg.Connection[Any], side: psycopg.Connection[Any], world: World, display: Progress
) -> tuple[dict[str, int], dict[str, float]]:
    """Everything but the fingerprint, in ``conn``'s transaction (``side`` commits its table)."""
    steps: dict[str, float] = {}

    @contextmanager
    def step(name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        steps[name] = round(time.perf_counter() - started, 3)
        display.note(f"{name}: {steps[name]:.1f} s")

    main = [t for t in TABLES if t.name not in _SIDE_TABLES]
    beside = [t for t in TABLES if t.name in _SIDE_TABLES]
    tables_sql, constraints_sql = ddl.schema_sections()
    with step("create tables"):
        ddl.apply_settings(conn, _LOAD_SETTINGS)
        ddl.recreate_tables(conn, tables_sql)
        main_keys = ddl.drop_primary_keys(conn, [t.name for t in main])
        ddl.apply_settings(side, _LOAD_SETTINGS)
        ddl.create_side_schema(side, tables_sql)
        side_keys = ddl.drop_primary_keys(side, [t.name for t in beside])

    def finish_main() -> None:
        ddl.add_primary_keys(conn, main_keys)
        ddl.analyze(conn, [t.name for t in main])

    def finish_side() -> None:
        ddl.add_primary_keys(side, side_keys)
        ddl.analyze(side, [t.name for t in beside])
        side.commit()

    with step("copy, keys, analyze"):
        rows = copy_tables(
            world,
            [Lane(conn, main, then=finish_main), Lane(side, beside, then=finish_side)],
            generation_order=TABLES,
            progress=display,
        )
    with step("move side tables"):
        ddl.move_side_tables(conn, [t.name for t in beside])
    with step("foreign keys"):
        conn.execute(constraints_sql.encode())
    with step("sequences"):
        for table in TABLES:
            if table.identity:
                ddl.advance_sequence(conn, table.name, table.identity, rows[table.name])
    return rows, steps
