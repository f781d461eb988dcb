"""``perfproof cleanup``: run the cleanup job once."""

from __future__ import annotations

import argparse
import asyncio

import psycopg
from sqlalchemy.exc import SQLAlchemyError

from portal.cli.args import database_url_argument, positive_float, positive_int
from portal.cli.commands import fail
from portal.db.cleanup import CleanupPolicy, run_cleanup
from portal.db.engine import create_engine
from portal.devstack import ServiceUnavailable, services
from portal.queries import idempotency
from portal.settings import Settings


def build_parser(prog: str) -> argparse.ArgumentParser:
    defaults = CleanupPolicy()
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Delete cart lines of carts untouched for --cart-days, audit rows older than "
            "--audit-days and idempotency keys past their lifetime "
            f"({idempotency.LIFETIME.total_seconds() / 3600:g} hours, which the portal "
            "never replays anyway), at most --batch rows per transaction, committing between "
            "batches."
        ),
    )
    parser.add_argument("--cart-days", type=positive_float, default=defaults.cart_days,
                        help="abandoned after this many days (default %(default)s)")  # fmt: skip
    parser.add_argument("--audit-days", type=positive_float, default=defaults.audit_days,
                        help="audit rows older than this go (default %(default)s)")  # fmt: skip
    parser.add_argument("--batch", type=positive_int, default=defaults.batch,
                        help="rows per transaction (default %(default)s)")  # fmt: skip
    database_url_argument(parser)
    return parser


async def _run(database_url: str, policy: CleanupPolicy) -> str:
    engine = create_engine(Settings(database_url=database_url))
    try:
        return (await run_cleanup(engine, policy)).describe()
    finally:
        await engine.dispose()


def run(args: argparse.Namespace) -> int:
    policy = CleanupPolicy(
        cart_days=args.cart_days, audit_days=args.audit_days, batch=int(args.batch)
    )
    try:
        with services(database_url=args.database_url) as stack:
            print(asyncio.run(_run(stack.database_url, policy)))
    except (ServiceUnavailable, SQLAlchemyError, psycopg.Error) as error:
        return fail(error)
    return 0
