"""``perfproof generate``: load a named scale into a database (skipped if already there)."""

from __future__ import annotations

import argparse
import sys

import psycopg

from portal.cli.args import database_url_argument, dataset_options, writable_file
from portal.cli.commands import fail
from portal.datagen import load_dataset
from portal.devstack import ServiceUnavailable, services


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Drop and recreate the portal tables and bulk-load a generated dataset, "
        "unless the database already holds this scale, seed and generator version. "
        "Writes the tokens file (user_id,role,token) either way.",
    )
    dataset_options(parser, scale="small")
    database_url_argument(parser)
    parser.add_argument("--force", action="store_true", help="regenerate even if loaded")
    parser.add_argument(
        "--tokens",
        type=writable_file,
        default=None,
        metavar="PATH",
        help="tokens file (default: tokens-SCALE-SEED.csv in the perfproof home, "
        "$PERFPROOF_HOME, else .perfproof/ in a checkout or ~/.perfproof)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress, no summary")
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
        return fail(exc)
    return 0
