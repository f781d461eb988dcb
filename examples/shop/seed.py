"""The shop's data, and its index on or off: ``python seed.py --index on|off``.

Idempotent: the table and its rows are made once (``ROWS`` items, the same
every time), then only the index is created or dropped. Run by the target
file before each arm's service starts. It touches nothing but ``shop_items``
(and ``pg_stat_statements``, the evidence perfproof reads) in the database
``SHOP_DATABASE_URL`` names.
"""

from __future__ import annotations

import argparse
import os

import psycopg

ROWS = 200_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", choices=("on", "off"), required=True)
    args = parser.parse_args()
    with psycopg.connect(os.environ["SHOP_DATABASE_URL"], autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS shop_items ("
            " id integer PRIMARY KEY, sku text NOT NULL, name text NOT NULL,"
            " price numeric(10, 2) NOT NULL)"
        )
        row = conn.execute("SELECT count(*) FROM shop_items").fetchone()
        if row is None or row[0] != ROWS:
            conn.execute("TRUNCATE shop_items")
            conn.execute(
                "INSERT INTO shop_items (id, sku, name, price)"
                " SELECT n, 'SKU-' || lpad(n::text, 6, '0'), 'item ' || n, (n %% 9973) / 100.0"
                " FROM generate_series(1, %s) AS n",
                (ROWS,),
            )
            conn.execute("ANALYZE shop_items")
        if args.index == "on":
            conn.execute("CREATE INDEX IF NOT EXISTS shop_items_sku ON shop_items (sku)")
        else:
            conn.execute("DROP INDEX IF EXISTS shop_items_sku")


if __name__ == "__main__":
    main()
