"""``generate`` and ``token`` subcommands, for whichever command line hosts them.

``register(subparsers)`` / ``register_token(subparsers)`` add the commands to
an argparse subparsers object and set ``func``; ``run(args)`` returns the exit
code. Expected failures (no database, unknown user) are one line on stderr
and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import psycopg

from portal.cli_args import dataset_seed
from portal.datagen.loader import load_dataset
from portal.datagen.minting import UnknownUser, mint_token
from portal.datagen.scales import SCALES
from portal.devstack import ServiceUnavailable, services

DATABASE_ENV = "PORTAL_DATABASE_URL"
EXIT_FAILED = 2


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``generate``: load a named scale into a database (skipped if already there)."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "generate",
        help="fill a database with the deterministic test dataset",
        description="Drop and recreate the portal tables and bulk-load a generated dataset, "
        "unless the database already holds this scale, seed and generator version. "
        "Writes the tokens file (user_id,role,token) either way.",
    )
    parser.add_argument("--scale", choices=list(SCALES), default="small")
    parser.add_argument("--seed", type=dataset_seed, default=1, help="dataset seed (default 1)")
    _database_url_argument(parser)
    parser.add_argument("--force", action="store_true", help="regenerate even if loaded")
    parser.add_argument(
        "--tokens",
        type=Path,
        default=None,
        metavar="PATH",
        help="tokens file (default: $PERFPROOF_HOME or .perfproof/, tokens-SCALE-SEED.csv)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress, no summary")
    parser.set_defaults(func=run)
    return parser


def register_token(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``token``: mint a new token for a user and print it alone on stdout."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "token",
        help="mint an API token for a user",
        description="Store a new random token for a user and print it, so that "
        "TOKEN=$(... token --role admin) works.",
    )
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--user-id", type=int, help="the user's id")
    who.add_argument("--role", choices=("admin", "buyer"), help="the lowest-id user with it")
    _database_url_argument(parser)
    parser.set_defaults(func=run_token)
    return parser


def run(args: argparse.Namespace) -> int:
    """Load the dataset; 0 on success (loaded or skipped), 2 on an expected failure."""
    try:
        with services(database_url=args.database_url) as stack:
            print(stack.postgres_description, file=sys.stderr)
            load_dataset(
                stack.database_url,
                scale=args.scale,
                seed=args.seed,
                force=args.force,
                progress=not args.no_progress,
                tokens_path=args.tokens,
            )
    except (psycopg.Error, ValueError, OSError, ServiceUnavailable) as exc:
        return _fail(exc)
    return 0


def run_token(args: argparse.Namespace) -> int:
    """Mint and print a token; 2 if the user does not exist or the database fails."""
    try:
        with services(database_url=args.database_url) as stack:
            _, token = mint_token(stack.database_url, user_id=args.user_id, role=args.role)
    except (psycopg.Error, UnknownUser, ValueError, ServiceUnavailable) as exc:
        return _fail(exc)
    print(token)
    return 0


def _database_url_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help=f"libpq URL (default: ${DATABASE_ENV}, else the embedded PostgreSQL)",
    )


def _fail(exc: BaseException) -> int:
    """One line on stderr: the first line of the message, with what kind of failure."""
    if isinstance(exc, psycopg.OperationalError):
        what = "cannot use the database: "
    elif isinstance(exc, psycopg.Error):
        what = "database error: "
    else:
        what = ""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    print(f"error: {what}{lines[0] if lines else type(exc).__name__}", file=sys.stderr)
    return EXIT_FAILED
