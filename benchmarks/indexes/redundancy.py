"""Duplicate and prefix-redundant indexes: ones another index of the same table already covers.

A B-tree on (a) answers nothing a B-tree on (a, b) cannot, and costs a second
index maintenance on every write. The rule is deliberately plain — same table,
same access method, key columns a leading prefix (or equal), and a predicate
the wider index does not narrow — so the report flags candidates and a person
decides (a narrow index can still be worth it when it is much smaller).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import psycopg


@dataclass(frozen=True)
class IndexDefinition:
    """What redundancy depends on. Columns carry their direction and any non-default opclass."""

    name: str
    table: str
    method: str
    columns: tuple[str, ...]
    predicate: str | None = None


@dataclass(frozen=True)
class Redundancy:
    index: str
    covered_by: str
    kind: Literal["duplicate", "prefix"]

    def __str__(self) -> str:
        relation = "duplicates" if self.kind == "duplicate" else "is a prefix of"
        return f"{self.index} {relation} {self.covered_by}"


def _covers(wide: IndexDefinition, narrow: IndexDefinition) -> bool:
    """Whether ``wide`` can serve every query ``narrow`` serves."""
    return (
        wide.table == narrow.table
        and wide.method == narrow.method
        and wide.columns[: len(narrow.columns)] == narrow.columns
        and (wide.predicate is None or wide.predicate == narrow.predicate)
    )


def find_redundant(definitions: Iterable[IndexDefinition]) -> list[Redundancy]:
    """Each index another one covers, once, with the index that covers it.

    Of two identical indexes the later one is reported, so primary keys
    (listed first by ``index_definitions``) are never the redundant one.
    """
    indexes = list(definitions)
    found: list[Redundancy] = []
    for position, narrow in enumerate(indexes):
        for other_position, wide in enumerate(indexes):
            if other_position == position or not _covers(wide, narrow):
                continue
            same_columns = wide.columns == narrow.columns
            if same_columns and wide.predicate == narrow.predicate and other_position > position:
                continue  # of two identical indexes, the first one stays
            found.append(
                Redundancy(narrow.name, wide.name, "duplicate" if same_columns else "prefix")
            )
            break
    return found


# Key columns only (INCLUDE columns do not order anything); DESC and
# non-default operator classes are part of a column's identity.
_DEFINITIONS = """
SELECT ci.relname AS name, ct.relname AS table_name, am.amname AS method,
       ARRAY(
           SELECT pg_get_indexdef(i.indexrelid, k, true)
                  || CASE WHEN opc.opcdefault THEN '' ELSE ' ' || opc.opcname END
                  || CASE WHEN i.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END
           FROM generate_series(1, i.indnkeyatts) AS k
           JOIN pg_opclass opc ON opc.oid = i.indclass[k - 1]
           ORDER BY k
       ) AS columns,
       pg_get_expr(i.indpred, i.indrelid) AS predicate
FROM pg_index i
JOIN pg_class ci ON ci.oid = i.indexrelid
JOIN pg_class ct ON ct.oid = i.indrelid
JOIN pg_namespace n ON n.oid = ct.relnamespace
JOIN pg_am am ON am.oid = ci.relam
WHERE n.nspname = current_schema() AND ct.relname = ANY(%s)
ORDER BY ct.relname, NOT i.indisprimary, NOT i.indisunique, ci.relname
"""


def index_definitions(
    conn: psycopg.Connection[Any], tables: Sequence[str]
) -> list[IndexDefinition]:
    """Every index of ``tables`` in the current schema, primary and unique keys first."""
    rows = conn.execute(_DEFINITIONS, (list(tables),)).fetchall()
    return [
        IndexDefinition(
            name=name,
            table=table,
            method=method,
            columns=tuple(columns),
            predicate=predicate,
        )
        for name, table, method, columns, predicate in rows
    ]
