"""``perfproof loadtest``: Locust against the real portal in every arm, interleaved, with evidence.

The command line, and what comes before the arms: the servers, the dataset
and the load data the locustfile reads. ``--prepare`` stops there;
``--cross-check`` measures Locust against wrk instead (``loadtests/wrk_check.py``);
otherwise the arms run (``loadtests/runner.py``) from a plan
(``loadtests/plan.py``) into a run folder.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping

import psycopg

from benchmarks.wrk import WrkMissing, wrk_path
from loadtests import load_data
from loadtests.arms import ARMS_BY_NAME, MODELS
from loadtests.locust_process import LOCUSTFILE
from loadtests.plan import plan_of
from loadtests.profiles import LoadProfile
from loadtests.runner import open_arms, run_all
from loadtests.unit_timing import unit_seconds
from loadtests.wrk_check import cross_check
from portal.cli.args import (
    dataset_options,
    names_among,
    non_negative_int,
    positive_float,
    positive_int,
    results_option,
    shares,
)
from portal.cli.commands import EXIT_STOPPED_HELP, fail, stopped_exit_code
from portal.datagen import database_for, load_dataset, mark_written
from portal.devstack import ServiceUnavailable, ensure_database, services
from portal.stop_signals import stop_line

# Failures a user can cause or fix: one line and exit 2 (what finished is kept).
_EXPECTED = (ServiceUnavailable, psycopg.Error, OSError, WrkMissing, RuntimeError)


def build_parser(prog: str, profiles: Mapping[str, LoadProfile]) -> argparse.ArgumentParser:
    """The command line, with the load profiles it offers (the run profiles' rows: the
    command is ``perfproof/loadtest_command.py``, which passes them)."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Drive the real portal with Locust (buyer and admin personas) in each arm, cache "
            "on/off x indexes on/off, interleaved, in a closed model (each arm's capacity) "
            "and an open one (the same offered rate for every arm, latency from each "
            "request's intended start), and keep client and server-side evidence in a run "
            "folder."
        ),
        epilog=(
            "Profiles: "
            + "; ".join(f"{p.name}: {p.summary}" for p in profiles.values())
            + ". Arms: all-on, no-cache, no-indexes, all-off. Exit codes: 0 done (some runs may "
            "be marked invalid: see validity in the run folder), 2 bad option or no service, "
            f"{EXIT_STOPPED_HELP}. Example: perfproof loadtest --profile quick; "
            "perfproof loadtest --arms all-on,no-cache --rate 200"
        ),
    )
    parser.add_argument(
        "--profile", choices=list(profiles), default="default", help="default: default"
    )
    dataset_options(parser, scale="small")
    parser.add_argument(
        "--arms",
        type=names_among(ARMS_BY_NAME, "arms"),
        help="comma-separated arms (default: the profile's)",
    )
    parser.add_argument(
        "--model", choices=[*MODELS, "both"], default="both", help="load model (default both)"
    )
    parser.add_argument(
        "--repetitions", type=positive_int, help="closed model: runs per arm (default: profile's)"
    )
    parser.add_argument(
        "--duration", type=positive_float, help="closed model: measured seconds per run"
    )
    parser.add_argument("--warmup", type=positive_float, help="closed model: warm-up seconds")
    parser.add_argument(
        "--load-budget",
        type=positive_float,
        metavar="SECONDS",
        help="open model: seconds of paired units at most (default: the profile's); sampling "
        "stops sooner once every load claim's interval is as narrow as its target",
    )
    parser.add_argument(
        "--capacity-every",
        type=non_negative_int,
        metavar="UNITS",
        help="open model: every UNITS paired units, run the slowest arm closed again on the "
        "units' portal and let the rate follow half the median of its runs so far (default: "
        "the profile's, 8 at default; 0: the rate stays where the closed runs before the "
        "units set it)",
    )
    parser.add_argument("--users", type=positive_int, help="closed model: simulated users")
    parser.add_argument(
        "--rate", type=positive_float, help="open model: offered tasks/s (default: measured)"
    )
    parser.add_argument(
        "--load-rates",
        type=shares,
        metavar="SHARES",
        help="open model: also judge the latency claims at these shares of the slowest arm's "
        "capacity, each in paired units of its own (e.g. 0.25,0.5,0.75; the verdicts stay at "
        "the profile's share when listed, else the first); each rate takes up to the load budget",
    )
    parser.add_argument(
        "--arrivals",
        choices=["poisson", "constant"],
        default="poisson",
        help="open model: how starts are spaced (default poisson)",
    )
    parser.add_argument(
        "--processes", type=positive_int, default=1, help="Locust generator processes"
    )
    parser.add_argument("--workers", type=positive_int, default=1, help="uvicorn workers")
    results_option(parser)
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="only load the dataset and write the load data file plain Locust reads, then exit",
    )
    parser.add_argument(
        "--cross-check",
        action="store_true",
        help="instead: Locust's p50 against wrk's on one cached endpoint, same connections",
    )
    parser.set_defaults(load_profiles=profiles, watched=())
    return parser


def run(args: argparse.Namespace) -> int:
    plan = plan_of(args)
    if "open" in plan.models and not (args.prepare or args.cross_check):
        arms = open_arms(plan, args.watched)
        unit = unit_seconds(len(arms))
        if plan.budget_s < unit:
            return fail(
                ValueError(
                    f"--load-budget {plan.budget_s:g} s is less than one paired unit of "
                    f"{len(arms)} arms (about {unit:g} s)"
                )
            )
        if args.rate is not None and args.load_rates:
            return fail(ValueError("--rate pins one offered rate; --load-rates asks for shares of "
                                   "the measured capacity: give one of them"))  # fmt: skip
        if plan.processes != 1:
            return fail(ValueError("the open model's paired units run one generator process; "
                                   "--processes applies to the closed model alone"))  # fmt: skip
    try:
        with services() as stack:
            print(stack.describe(), flush=True)
            database_url = ensure_database(stack.database_url, database_for(args.scale))
            dataset = load_dataset(database_url, scale=args.scale, seed=args.seed, progress=True)
            assert dataset.tokens_path is not None
            data = load_data.prepare(
                database_url, dataset.tokens_path, scale=args.scale, seed=args.seed
            )
            data_path = load_data.write(data, load_data.default_path(args.scale, args.seed))
            if args.prepare:
                print(f"load data: {data_path}")
                print(f"PERFPROOF_LOAD_DATA={data_path} locust -f {LOCUSTFILE} --host URL")
                return 0
            if args.cross_check:
                wrk_path()  # before anything starts
                return cross_check(args, plan, stack, database_url, data_path, data)
            # Checkouts and top-ups grow the data: the next run regenerates it.
            mark_written(database_url)
            return run_all(args, plan, stack, database_url, data_path, dataset.rows, args.watched)
    except _EXPECTED as error:
        return fail(error)
    except KeyboardInterrupt as stop:  # Ctrl-C, SIGTERM, SIGHUP (portal/stop_signals.py)
        print(f"\n{stop_line(stop)} before the load tests started")
        return stopped_exit_code(stop)
