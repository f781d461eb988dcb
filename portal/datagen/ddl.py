"""The DDL around a bulk load: recreate tables, drop and rebuild keys, bring in side tables.

Why keys are dropped: on 1M orders, COPY into the table with its primary key
took 2.95 s, without it 1.2 s plus 0.6 s to build the key afterwards (one
sort instead of a million index insertions). Keys are rebuilt with their
original names and definitions, so the result equals schema.sql as written.

Why a side schema: COPY and key builds are CPU-bound in one server backend.
A second connection loads the largest table into ``perfproof_load`` (created
from the same schema.sql, so every name matches), builds its key, commits,
and the main transaction moves it into place with ALTER TABLE ... SET SCHEMA
(indexes, constraints and the identity sequence move with it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from portal.db.sqlfiles import CONSTRAINTS_MARKER, sql_file

SIDE_SCHEMA = "perfproof_load"


@dataclass(frozen=True)
class PrimaryKey:
    table: str
    name: str
    definition: str


def schema_sections() -> tuple[str, str]:
    """schema.sql as (tables, constraints): split at the whole ``-- @constraints`` line.

    The rest of the marker line is a comment and must not start the
    constraints part (it would be a syntax error there).
    """
    text = sql_file("schema.sql").read_text()
    match = re.search(rf"^{re.escape(CONSTRAINTS_MARKER)}.*$", text, flags=re.MULTILINE)
    if match is None:
        raise ValueError(f"schema.sql has no {CONSTRAINTS_MARKER!r} line")
    return text[: match.start()], text[match.end() :]


def apply_settings(conn: psycopg.Connection[Any], settings: Mapping[str, str]) -> None:
    """Settings for this transaction only (``set_config(..., true)`` is SET LOCAL)."""
    for name, value in settings.items():
        conn.execute("SELECT set_config(%s, %s, true)", (name, value))


def recreate_tables(conn: psycopg.Connection[Any], tables_sql: str) -> list[str]:
    """Drop every table schema.sql creates (CASCADE) and create them empty; returns names."""
    names = re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", tables_sql)
    conn.execute(
        sql.SQL("DROP TABLE IF EXISTS {} CASCADE").format(
            sql.SQL(", ").join(map(sql.Identifier, names))
        )
    )
    conn.execute(tables_sql.encode())
    return names


def create_side_schema(conn: psycopg.Connection[Any], tables_sql: str) -> None:
    """A fresh side schema holding schema.sql's tables, first on this transaction's path."""
    schema = sql.Identifier(SIDE_SCHEMA)
    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(schema))
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
    conn.execute("SELECT set_config('search_path', %s, true)", (SIDE_SCHEMA,))
    conn.execute(tables_sql.encode())


def move_side_tables(conn: psycopg.Connection[Any], tables: Sequence[str]) -> None:
    """Replace the main schema's empty copies of ``tables`` with the loaded side ones."""
    target = conn.execute("SELECT current_schema()").fetchone()
    assert target is not None
    for table in tables:
        conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(target[0], table)))
        conn.execute(
            sql.SQL("ALTER TABLE {} SET SCHEMA {}").format(
                sql.Identifier(SIDE_SCHEMA, table), sql.Identifier(target[0])
            )
        )
    conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SIDE_SCHEMA)))


def discard_side_schema(conn: psycopg.Connection[Any]) -> None:
    """Best effort after a failed load: a committed side table is wasted disk, not harm."""
    try:
        conn.rollback()
        conn.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(SIDE_SCHEMA))
        )
        conn.commit()
    except psycopg.Error:
        pass


def drop_primary_keys(conn: psycopg.Connection[Any], tables: Sequence[str]) -> list[PrimaryKey]:
    """Drop the tables' primary keys (resolved on the search path); returns them to re-add."""
    found = conn.execute(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)"
        " FROM pg_constraint c WHERE c.contype = 'p' AND c.conrelid = ANY(%s::regclass[])"
        " ORDER BY 1",
        (list(tables),),
    ).fetchall()
    keys = [PrimaryKey(str(t), str(n), str(d)) for t, n, d in found]
    for key in keys:
        conn.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.Identifier(key.table), sql.Identifier(key.name)
            )
        )
    return keys


def add_primary_keys(conn: psycopg.Connection[Any], keys: Sequence[PrimaryKey]) -> None:
    for key in keys:
        conn.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.Identifier(key.table), sql.Identifier(key.name), sql.SQL(key.definition)
            )
        )


def analyze(conn: psycopg.Connection[Any], tables: Sequence[str]) -> None:
    conn.execute(
        sql.SQL("ANALYZE {}").format(sql.SQL(", ").join(sql.Identifier(t) for t in tables))
    )


def advance_sequence(conn: psycopg.Connection[Any], table: str, column: str, rows: int) -> None:
    """Identity sequences continue after the explicit ids 1..rows."""
    conn.execute(
        "SELECT setval(pg_get_serial_sequence(%s, %s), %s, %s)",
        (table, column, max(rows, 1), rows > 0),
    )
