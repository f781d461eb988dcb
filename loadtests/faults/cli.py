"""``perfproof faults``: break PostgreSQL, Redis or a worker under load, and measure what follows.

For each scenario of ``loadtests/faults/scenarios.py`` the runner serves the
portal (cache and indexes on, two workers by default) on PostgreSQL and
Redis servers it started itself in a home folder of its own (configured
``PORTAL_*`` URLs are ignored: it never breaks a server it did not start),
drives it with the load test's personas in the open model (a fixed offered
rate, so a stalled server cannot slow the offered load down), and
``--before`` seconds in breaks one server for ``--fault`` seconds, then
mends it and goes on for ``--after`` seconds. Every request is written down
with its time and answer, so each phase has its requests, failures (and how
long a failure took to come back), and the time from the mend to the last
failure. When the load stops, it asks the portal for each buyer's wallet and
cart and compares them with the database (a stale cache entry is one that
answers differently), and checks the books in SQL (every wallet equals its
ledger, no negative balance or stock, every order has its items and one
matching debit). Each scenario then meets its expectations or names what
broke; exit 1 if any did not.
"""

from __future__ import annotations

import argparse
from contextlib import ExitStack

import psycopg

from loadtests import load_data
from loadtests.faults.run import run_scenarios
from loadtests.faults.scenarios import (
    FAULT_SCENARIOS,
    SCENARIOS_BY_NAME,
    FaultWindows,
)
from portal.cli.args import (
    dataset_options,
    names_among,
    positive_float,
    positive_int,
    results_option,
)
from portal.cli.commands import EXIT_STOPPED_HELP, fail, stopped_exit_code
from portal.datagen import load_dataset, mark_written
from portal.devstack import EmbeddedPostgres, EmbeddedRedis, ServiceUnavailable
from portal.home import perfproof_home
from portal.stop_signals import stop_line

WINDOWS = FaultWindows()  # the defaults; a run profile passes its own


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Break one server at a time under load (Redis stopped or frozen, PostgreSQL "
            "restarted or frozen, a portal worker killed), on servers this command starts in "
            "its own home folder, and measure requests and failures before, during and after, "
            "the time to recover, stale cache entries and the books afterwards."
        ),
        epilog=(
            "Scenarios: "
            + "; ".join(f"{s.name}: {s.summary}" for s in FAULT_SCENARIOS)
            + ". Exit codes: 0 every scenario met its expectations, 1 one did not (named), "
            f"2 bad option or no service, {EXIT_STOPPED_HELP}. Example: perfproof faults; "
            "perfproof faults --scenarios redis-frozen --fault 5"
        ),
    )
    parser.add_argument(
        "--scenarios",
        type=names_among(SCENARIOS_BY_NAME, "scenarios"),
        default=FAULT_SCENARIOS,
        help="comma-separated scenarios (default: all five)",
    )
    parser.add_argument(
        "--before", type=positive_float, default=WINDOWS.before_s, metavar="S",
        help=f"seconds of load before each fault (default {WINDOWS.before_s:g})",
    )  # fmt: skip
    parser.add_argument(
        "--fault", type=positive_float, default=WINDOWS.fault_s, metavar="S",
        help=f"seconds the server stays broken (default {WINDOWS.fault_s:g}; a restart ends "
        "when it is up)",
    )  # fmt: skip
    parser.add_argument(
        "--after", type=positive_float, default=WINDOWS.after_s, metavar="S",
        help=f"seconds of load after the server is mended (default {WINDOWS.after_s:g})",
    )  # fmt: skip
    parser.add_argument(
        "--rate", type=positive_float, default=20.0, help="offered tasks/s (default 20)"
    )
    parser.add_argument(
        "--workers", type=positive_int, default=2, help="the portal's uvicorn workers (default 2)"
    )
    dataset_options(
        parser,
        scale="tiny",
        scale_help="dataset size, loaded afresh into this command's own PostgreSQL (default tiny)",
    )
    results_option(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    home = perfproof_home() / "faults"
    with ExitStack() as stack:
        try:
            postgres = EmbeddedPostgres(home)
            redis = EmbeddedRedis(home)
            stack.callback(_stop_quietly, postgres, redis)  # the run's own: always stopped
            postgres.start()
            redis.start()
            print(f"{postgres.describe()}\n{redis.describe()}", flush=True)
            dataset = load_dataset(postgres.url, scale=args.scale, seed=args.seed, progress=True)
            assert dataset.tokens_path is not None
            data = load_data.prepare(
                postgres.url, dataset.tokens_path, scale=args.scale, seed=args.seed
            )
            data_path = load_data.write(data, home / f"load-{args.scale}-{args.seed}.json")
            mark_written(postgres.url)  # checkouts and top-ups: the next run regenerates
            return run_scenarios(args, postgres, redis, data, data_path)
        except (ServiceUnavailable, psycopg.Error, OSError, RuntimeError) as error:
            return fail(error)
        except KeyboardInterrupt as stop:  # Ctrl-C, SIGTERM, SIGHUP (portal/stop_signals.py)
            print(f"\n{stop_line(stop)}: stopping what this run started", flush=True)
            return stopped_exit_code(stop)


def _stop_quietly(*servers: EmbeddedPostgres | EmbeddedRedis) -> None:
    for server in servers:
        try:
            server.stop()
        except ServiceUnavailable as error:
            print(f"warning: {error}")
