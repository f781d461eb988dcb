"""``perfproof services``: show (and run) the PostgreSQL and Redis in use."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from portal.cli.commands import stopped_exit_code
from portal.cli.exit_codes import Exit
from portal.devstack import ServiceUnavailable, detach_embedded, open_services, stop_embedded


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Show the PostgreSQL and Redis in use: PORTAL_DATABASE_URL / PORTAL_REDIS_URL when "
            "set, else embedded servers in the perfproof home. Starts what is missing, prints "
            "a description and the export lines for a shell, and keeps embedded servers "
            "running until Ctrl-C (or SIGTERM, SIGHUP). --detach leaves them running (the next "
            "run, test session or benchmark reuses them); --stop stops embedded servers left "
            "running in the home, and those of a killed command anywhere."
        ),
    )
    parser.add_argument(
        "--home",
        type=Path,
        default=None,
        help="data folder (default: $PERFPROOF_HOME, else .perfproof/ in a checkout, "
        "else ~/.perfproof)",
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument(
        "--detach", action="store_true", help="leave started servers running and exit"
    )
    action.add_argument(
        "--stop", action="store_true", help="stop embedded servers running in the home folder"
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the subcommand; 0 on success, 2 when a service cannot be used."""
    home: Path | None = args.home
    code = 0
    try:
        if args.stop:
            stopped = stop_embedded(home)
            print("Stopped " + " and ".join(stopped) + "." if stopped else "Nothing left running.")
            return 0
        with ExitStack() as stack:
            svc, launched = open_services(stack, home=home)
            print(svc.describe())
            for name, value in svc.env().items():
                print(f"export {name}={shlex.quote(value)}")
            if args.detach:
                stack.pop_all()  # forget the stops: the servers outlive this command
                detach_embedded(home)  # and no later command takes them for a killed run's
                if launched:
                    print(
                        "Embedded servers keep running; stop them with: perfproof services --stop"
                    )
                return 0
            if launched:
                print("Running; press Ctrl-C to stop.", flush=True)
                try:
                    while True:
                        time.sleep(3600)
                except KeyboardInterrupt as stop:  # Ctrl-C, SIGTERM, SIGHUP alike
                    print("Stopping.", flush=True)
                    code = stopped_exit_code(stop)
        return code
    except ServiceUnavailable as error:
        print(f"error: {error}", file=sys.stderr)
        return Exit.BAD_INPUT
