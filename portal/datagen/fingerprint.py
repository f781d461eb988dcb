"""The ``perfproof_dataset`` row: which generated dataset a database holds.

Loading ``medium`` takes tens of seconds; the fingerprint lets a second run
with the same scale, seed and generator version skip it.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

# Bump whenever generated content changes (distributions, columns, the
# anchor): an old dataset then no longer matches and is regenerated.
GENERATOR_VERSION = 1


def read_fingerprint(conn: psycopg.Connection[Any]) -> dict[str, Any] | None:
    """The fingerprint row as a dict, or None when there is no table or no row."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute("SELECT to_regclass('perfproof_dataset') IS NOT NULL AS present")
        present = cur.fetchone()
        if not present or not present["present"]:
            return None
        cur.execute(
            "SELECT scale, seed, generator_version, row_counts, load_seconds, loaded_at"
            " FROM perfproof_dataset"
        )
        return cur.fetchone()


def matches(fingerprint: dict[str, Any] | None, *, scale: str, seed: int) -> bool:
    """True if the database already holds this dataset from this generator version."""
    return (
        fingerprint is not None
        and fingerprint["scale"] == scale
        and fingerprint["seed"] == seed
        and fingerprint["generator_version"] == GENERATOR_VERSION
    )


def write_fingerprint(
    conn: psycopg.Connection[Any],
    *,
    scale: str,
    seed: int,
    rows: dict[str, int],
    seconds: float,
) -> None:
    """Replace the fingerprint row (inside the loading transaction, so it commits with it)."""
    conn.execute("DELETE FROM perfproof_dataset")
    conn.execute(
        "INSERT INTO perfproof_dataset (scale, seed, generator_version, row_counts, load_seconds)"
        " VALUES (%s, %s, %s, %s, %s)",
        (scale, seed, GENERATOR_VERSION, Jsonb(rows), seconds),
    )


def forget_fingerprint(conn: psycopg.Connection[Any]) -> None:
    """Delete the fingerprint row: the data no longer is what the generator made.

    Load tests check out and top up, the functional checks add products: a
    later run that reused those rows would measure a grown, drifted dataset
    under the same scale and seed. Without a fingerprint it regenerates them.
    """
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('perfproof_dataset') IS NOT NULL")
        present = cur.fetchone()
        if present and present[0]:
            cur.execute("DELETE FROM perfproof_dataset")
