"""``python -m portal indexes on|off``: the index switch from the command line."""

from __future__ import annotations

import argparse

import psycopg

from portal.db.indexes import set_indexes
from portal.devstack import ServiceUnavailable, services


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "indexes",
        help="turn the performance indexes on or off",
        description=(
            "Apply (on) or drop (off) sql/add-performance-indexes.sql, then ANALYZE. "
            "Idempotent; prints which indexes exist afterwards and how long it took."
        ),
    )
    parser.add_argument("state", choices=["on", "off"])
    parser.add_argument(
        "--database-url",
        help="database to switch (default: PORTAL_DATABASE_URL, else the embedded one)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        with services(database_url=args.database_url) as stack:
            result = set_indexes(stack.database_url, args.state)
    except (ServiceUnavailable, psycopg.Error) as error:
        print(f"error: {str(error).strip().splitlines()[0]}")
        return 2
    print(
        f"indexes {result.state}: {len(result.present)} performance index(es) present "
        f"({', '.join(result.present) or 'none'}); took {result.seconds:.2f} s incl. ANALYZE"
    )
    return 0
