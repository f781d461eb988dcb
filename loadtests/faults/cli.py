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
from loadtests.faults.scenarios import FAULT_SCENARIOS, SCENARIOS_BY_NAME, FaultScenario
from portal.cli.args import dataset_seed, output_folder, positive_float, positive_int
from portal.cli.commands import EXIT_STOPPED_HELP, fail, stopped_exit_code
from portal.datagen import SCALES, load_dataset, mark_written
from portal.devstack import EmbeddedPostgres, EmbeddedRedis, ServiceUnavailable
from portal.home import perfproof_home
from portal.stop_signals import stop_line


def _scenarios(text: str) -> tuple[FaultScenario, ...]:
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    unknown = [name for name in names if name not in SCENARIOS_BY_NAME]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"want scenarios among {', '.join(SCENARIOS_BY_NAME)}, separated by commas, "
            f"not {text!r}"
        )
    return tuple(SCENARIOS_BY_NAME[name] for name in names)


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
        type=_scenarios,
        default=FAULT_SCENARIOS,
        help="comma-separated scenarios (default: all five)",
    )
    parser.add_argument(
        "--before", type=positive_float, default=10.0, metavar="S",
        help="seconds of load before each fault (default 10)",
    )  # fmt: skip
    parser.add_argument(
        "--fault", type=positive_float, default=10.0, metavar="S",
        help="seconds the server stays broken (default 10; a restart ends when it is up)",
    )  # fmt: skip
    parser.add_argument(
        "--after", type=positive_float, default=15.0, metavar="S",
        help="seconds of load after the server is mended (default 15)",
    )  # fmt: skip
    parser.add_argument(
        "--rate", type=positive_float, default=20.0, help="offered tasks/s (default 20)"
    )
    parser.add_argument(
        "--workers", type=positive_int, default=2, help="the portal's uvicorn workers (default 2)"
    )
    parser.add_argument(
        "--scale", choices=list(SCALES), default="tiny",
        help="dataset size, loaded afresh into this command's own PostgreSQL (default tiny)",
    )  # fmt: skip
    parser.add_argument("--seed", type=dataset_seed, default=1, help="dataset seed (default 1)")
    parser.add_argument(
        "--results", type=output_folder, default="results", help="results root (default results)"
    )
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
