"""``python -m benchmarks.checks``: run the functional checks and write their results as JSON.

The file is ``{"checks": [result, ...], "finished": true, ...}`` with one
result per check in table order (``result.py``); it is written atomically,
also after Ctrl-C, SIGTERM or SIGHUP (then ``"finished": false, "interrupted":
true`` and what finished so far). A failed check is a finding, not an error: the exit code
is 0 whenever the checks ran.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import psycopg

from benchmarks.checks.context import ChecksUnavailable, MoneyLoad
from benchmarks.checks.result import CheckResult
from benchmarks.checks.runner import run_checks
from benchmarks.checks.table import CHECK_IDS, CHECKS, Check
from portal.cli.args import dataset_options, positive_float, positive_int, writable_file
from portal.cli.commands import EXIT_STOPPED_HELP, fail, stopped_exit_code
from portal.cli.exit_codes import Exit
from portal.datagen import database_for, load_dataset
from portal.devstack import ServiceUnavailable, ensure_database, services
from portal.files import write_json_atomically
from portal.stop_signals import stop_line

# Failures a user can cause or fix: one line and exit 2.
_EXPECTED = (ServiceUnavailable, ChecksUnavailable, psycopg.Error, OSError)


def build_parser(prog: str) -> argparse.ArgumentParser:
    listing = "; ".join(f"{check.id}: {check.promise}" for check in CHECKS)
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Check the write-up's functional promises by running them against the real portal "
            "(uvicorn over HTTP, real PostgreSQL and Redis) on a generated dataset, and write "
            "one result per check (passed, what was tried, what was observed) to a JSON file. "
            f"The checks: {listing}."
        ),
        epilog=(
            "Services: PORTAL_DATABASE_URL and PORTAL_REDIS_URL when set, else the embedded "
            "PostgreSQL and Redis. The dataset goes into database perfproof_SCALE (generated "
            "the first time, reused after). The fallback check stops a Redis it started itself, "
            "never yours. The checks write: through the API one product (deactivated afterwards), "
            "top-ups and orders of dataset buyers (the money check many), and in SQL the stock "
            "of the products the money check races for; the index check switches "
            "the indexes off and on again: never run them beside a benchmark of the same "
            "database. About 25 s at tiny or small. Exit codes: 0 the checks ran (failed "
            "checks are findings, in the file), 1 the money check failed (books wrong, users "
            "named; a 5xx; no checkout), 2 bad option or unusable service, "
            f"{EXIT_STOPPED_HELP}. The "
            "sustained money run: --check money --money-buyers 50 --money-seconds 30."
        ),
    )
    dataset_options(parser, scale="tiny")
    parser.add_argument(
        "--database",
        metavar="NAME",
        help="database on the PostgreSQL in use (default perfproof_SCALE)",
    )
    parser.add_argument(
        "--out",
        type=writable_file,
        default=Path("results/checks.json"),
        metavar="FILE",
        help="where the JSON results go (default results/checks.json)",
    )
    parser.add_argument(
        "--check",
        action="append",
        choices=list(CHECK_IDS),
        dest="checks",
        metavar="ID",
        help=f"only this check (repeatable; one of {', '.join(CHECK_IDS)}); default: all",
    )
    default = MoneyLoad()
    parser.add_argument(
        "--money-buyers", type=positive_int, default=default.buyers, metavar="N",
        help=f"money check: buyers at once, at most the dataset's (default {default.buyers})",
    )  # fmt: skip
    parser.add_argument(
        "--money-seconds", type=positive_float, default=default.seconds, metavar="S",
        help=f"money check: seconds per worker count; the stock raced for grows with it "
        f"(default {default.seconds:g})",
    )  # fmt: skip
    parser.add_argument(
        "--money-workers", type=_worker_counts, default=default.workers, metavar="N,N",
        help="money check: the portal's worker counts, 1 to 16, one phase each (default 1,2)",
    )  # fmt: skip
    return parser


def _worker_counts(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(part) for part in text.split(","))
    except ValueError:
        counts = ()
    if not counts or any(count < 1 or count > 16 for count in counts):
        raise argparse.ArgumentTypeError(f"want worker counts 1 to 16 like 1,4, not {text!r}")
    return counts


def document(
    results: list[CheckResult], *, scale: str, seed: int, finished: bool
) -> dict[str, Any]:
    """The JSON the file holds."""
    return {
        "checks": [result.as_dict() for result in results],
        "finished": finished,
        "interrupted": not finished,
        "scale": scale,
        "seed": seed,
    }


def _say(text: str, *, error: bool = False) -> None:
    """A line for the person running the checks (the one place this module prints)."""
    print(text, file=sys.stderr if error else sys.stdout, flush=True)


def _announce(number: int, total: int, check: Check) -> None:
    _say(f"[{number}/{total}] {check.id}: {check.promise} ...")


def run(args: argparse.Namespace) -> int:
    """The checks; a stop signal (Ctrl-C, SIGTERM, SIGHUP) ends them like Ctrl-C, and later
    ones are ignored (``portal/stop_signals.py``), so that stopping the portals and the
    fallback check's own Redis (a daemon: nothing else would stop it) is not cut short."""
    results: list[CheckResult] = []

    def keep(result: CheckResult) -> None:
        results.append(result)
        _say(result.line())

    def save(finished: bool) -> None:
        write_json_atomically(
            args.out, document(results, scale=args.scale, seed=args.seed, finished=finished)
        )

    try:
        with services() as stack:
            _say(stack.describe())
            database_url = ensure_database(
                stack.database_url, args.database or database_for(args.scale)
            )
            load_dataset(database_url, scale=args.scale, seed=args.seed, progress=True)
            try:
                run_checks(
                    database_url,
                    stack.redis_url,
                    scale=args.scale,
                    seed=args.seed,
                    only=args.checks,
                    on_start=_announce,
                    on_result=keep,
                    money=MoneyLoad(args.money_buyers, args.money_seconds, args.money_workers),
                )
            except KeyboardInterrupt as stop:  # later stop signals are ignored
                save(finished=False)
                _say(
                    f"{stop_line(stop)}: {len(results)} check(s) finished, in {args.out}",
                    error=True,
                )
                return stopped_exit_code(stop)
    except _EXPECTED as error:
        if results:  # what finished is kept, marked unfinished
            save(finished=False)
        return fail(error)
    save(finished=True)
    passed = sum(result.passed for result in results)
    _say(f"{len(results)} checks: {passed} passed, {len(results) - passed} failed; {args.out}")
    books = [r for r in results if r.id == "money" and not r.passed]
    return Exit.CHECK_FAILED if books else 0
