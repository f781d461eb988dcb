"""Benchmark parameters drawn from the generated data with its own skew.

A claim that holds for the heaviest buyer may not hold for a typical one, so
every operation is measured for a heavy, a median and a light key (user,
region, ...): ranked by how many rows they own, ties broken by id. The data
generator is deterministic for a scale and seed, so the same picks come back
on every run.
"""

from __future__ import annotations

from typing import Literal

Rank = Literal["heavy", "median", "light"]
RANKS: tuple[Rank, ...] = ("heavy", "median", "light")

BUYERS = "SELECT id FROM users WHERE role = 'buyer'"


def ranked(table: str, key: str, rank: Rank, *, among: str | None = None) -> str:
    """SQL for the ``key`` owning the most (heavy), the median or the fewest (light) rows.

    ``among`` restricts the candidates to a subquery of keys (e.g. buyers only).
    Keys with no rows at all are not candidates: "light" is the lightest that
    has something to read.
    """
    where = f" WHERE {key} IN ({among})" if among else ""
    counted = f"SELECT {key} AS k, count(*) AS c FROM {table}{where} GROUP BY 1"
    if rank == "heavy":
        return f"SELECT k FROM ({counted}) s ORDER BY c DESC, k LIMIT 1"
    if rank == "light":
        return f"SELECT k FROM ({counted}) s ORDER BY c, k LIMIT 1"
    return (
        f"SELECT k FROM (SELECT k, row_number() OVER (ORDER BY c, k) AS r,"
        f" count(*) OVER () AS n FROM ({counted}) s) t WHERE r = (n + 1) / 2"
    )
