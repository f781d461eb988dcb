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


def user(table: str, rank: Rank, *, buyers_only: bool = True) -> str:
    """SQL, a scalar subquery: the user of that rank by their rows in ``table``."""
    return f"({ranked(table, 'user_id', rank, among=BUYERS if buyers_only else None)})"


# A product listing's filters, picked from the catalogue as a shopper would:
# a narrow price band around the median price, and a product code as printed
# on a label (the last word of a product's name), the trigram indexes' case.
# The code is an active product's: listings show active products only, and a
# code is unique, so an inactive product's would find nothing.
PRICE_BAND = (
    "percentile_disc(0.45) WITHIN GROUP (ORDER BY price_cents) AS low,"
    " percentile_disc(0.55) WITHIN GROUP (ORDER BY price_cents) AS high FROM products"
)
TEXT_TERM = (
    "lower(substring(name from '[^ ]+$')) AS term FROM products WHERE active"
    " ORDER BY id OFFSET (SELECT count(*) / 2 FROM products WHERE active) LIMIT 1"
)
