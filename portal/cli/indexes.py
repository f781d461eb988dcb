"""``perfproof indexes on|off``: the index switch from the command line."""

from __future__ import annotations

import argparse

import psycopg

from portal.cli.args import database_url_argument
from portal.cli.commands import fail
from portal.db.indexes import set_indexes
from portal.devstack import ServiceUnavailable, services


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Apply (on) or drop (off) sql/add-performance-indexes.sql, then ANALYZE; nothing "
            "when they already are. Prints which indexes exist afterwards and how long it took."
        ),
    )
    parser.add_argument(
        "state", choices=["on", "off"], metavar="on|off", help="apply (on) or drop (off) them"
    )
    database_url_argument(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        with services(database_url=args.database_url) as stack:
            result = set_indexes(stack.database_url, args.state)
    except (ServiceUnavailable, psycopg.Error) as error:
        return fail(error)
    done = f"took {result.seconds:.2f} s incl. ANALYZE" if result.changed else "already so"
    print(
        f"indexes {result.state}: {len(result.present)} performance index(es) present "
        f"({', '.join(result.present) or 'none'}); {done}"
    )
    return 0
