"""``perfproof token``: mint a new token for a user and print it alone on stdout."""

from __future__ import annotations

import argparse

import psycopg

from portal.cli.args import database_url_argument
from portal.cli.commands import fail
from portal.datagen.minting import UnknownUser, mint_token
from portal.devstack import ServiceUnavailable, services


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Store a new random token for a user and print it, so that "
        "TOKEN=$(perfproof token --role admin) works.",
    )
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--user-id", type=int, help="the user's id")
    who.add_argument("--role", choices=("admin", "buyer"), help="the lowest-id user with it")
    database_url_argument(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    """Mint and print a token; 2 if the user does not exist or the database fails."""
    try:
        with services(database_url=args.database_url) as stack:
            _, token = mint_token(stack.database_url, user_id=args.user_id, role=args.role)
    except (psycopg.Error, UnknownUser, ValueError, ServiceUnavailable) as exc:
        return fail(exc)
    print(token)
    return 0
