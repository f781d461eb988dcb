"""``python -m portal``: serve the portal, generate data, mint tokens, run services."""

from __future__ import annotations

import argparse
import logging
import sys

from portal import serve
from portal.datagen import cli as datagen_cli
from portal.db import cleanup_cli, proof_cli
from portal.db import cli as db_cli
from portal.devstack import cli as devstack_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m portal",
        description=(
            "perfproof's reference B2B portal. Services come from PORTAL_DATABASE_URL and "
            "PORTAL_REDIS_URL when set; otherwise an embedded PostgreSQL and Redis are started "
            "in .perfproof/ (or $PERFPROOF_HOME)."
        ),
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve.register(commands)
    datagen_cli.register(commands)
    datagen_cli.register_token(commands)
    db_cli.register(commands)
    proof_cli.register(commands)
    cleanup_cli.register(commands)
    devstack_cli.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
