"""``perfproof bench`` (what ``nox -s bench`` runs): its command line.

Steps: pick services (configured or embedded); for every data size of the
plan (``plan.py``), make sure its dataset is loaded (progress bar; skipped
when already there) and run the suites on it in a child pytest; the load
tests (``loadtests/``), the functional checks (``benchmarks/checks``) and the
fault scenarios in child processes at the first size (``children.py``); then
write the tidy table, fit the growth laws (``--scaling``), print the medians
(``outputs.py``), judge every claim of the claims file and write the report
(``judging.py``). What is measured and how much comes from the run profile
(``perfproof/profiles.py``).

Run folder (``RESULTS/<UTC time>-<profile>-<scales>/``): ``manifest.json``,
pytest-benchmark's JSON per step (every raw round; ``pytest-benchmark compare``
reads them), ``tidy.csv`` (one row per measured value), ``growth.json``,
``load/<run>/``, ``checks.json``, ``faults/<run>/``, ``slow-statements-<scale>.log``,
``summary.txt``, ``verdicts.json``, ``verdicts.md``, ``report.html``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from benchmarks.growth import MIN_SIZES
from benchmarks.run_lock import one_run_per_server
from loadtests.unit_timing import unit_seconds
from perfproof.bench.plan import SUITES_ALL, plan
from perfproof.bench.run import run_plan
from perfproof.loadtest_command import watched_of
from perfproof.profiles import PROFILES
from portal.cli.args import (
    dataset_options,
    names_among,
    non_negative_int,
    positive_float,
    results_option,
    shares,
)
from portal.cli.commands import EXIT_STOPPED_HELP, fail, stopped_exit_code
from portal.datagen import SCALES
from portal.devstack import ServiceUnavailable, services
from portal.stop_signals import stop_line
from reports.claims import ClaimsError, load_claims
from reports.regress.baselines import NAME


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Generate (or reuse) datasets and benchmark the portal: its hot queries and writes "
            "with the performance indexes on and off, its cached endpoints with the cache hit, "
            "missed and off, and (--scaling) how the queries grow with the data. Results go to "
            "RESULTS/<time>-<profile>-<scales>/ with a manifest and a tidy table; a summary is "
            "printed at the end."
        ),
        epilog=(
            "Profiles: "
            + "; ".join(f"{p.name}: {p.summary}" for p in PROFILES.values())
            + ". Services: PORTAL_DATABASE_URL and PORTAL_REDIS_URL when set, else an embedded "
            "PostgreSQL and Redis in $PERFPROOF_HOME (default .perfproof/ in a checkout, else "
            "~/.perfproof), started if none runs there and stopped again at the end. Exit "
            "codes: 0 done, 2 bad option or unreachable service, "
            f"{EXIT_STOPPED_HELP} (the run folder says finished: false, interrupted: true; "
            "what was measured is kept; the embedded servers it started are stopped), 1 a "
            "benchmark failed its check, the money check found the books wrong, or "
            "(--fail-on-unmet) a claim is not met. Examples: "
            "nox -s bench -- --profile quick; perfproof bench --scale medium; "
            "perfproof bench --scaling; perfproof bench --target examples/shop/target.toml"
        ),
    )
    sizes = ", ".join(f"{name} {scale.orders:,} orders" for name, scale in SCALES.items())
    parser.add_argument(
        "--target",
        type=Path,
        default=None,
        metavar="FILE",
        help=(
            "measure your own service instead of the reference portal: its target file (TOML, "
            "docs/targets.md) says how it starts, its arms, load, evidence and claims; "
            "--profile (quick and gate run at quick's load, default at default's, full at "
            "default's with three rates), --results, --fail-on-unmet, --load-budget, "
            "--load-rates and --load-rate apply, the portal's options are refused, nothing of "
            "the portal is started"
        ),
    )
    parser.add_argument(
        "--profile", choices=list(PROFILES), default="default", help="how much (default default)"
    )
    dataset_options(
        parser,
        scale=None,
        scale_help=f"run the suites at this size only ({sizes}); default: the profile's",
    )
    parser.add_argument(
        "--suite",
        action="append",
        choices=list(SUITES_ALL),
        dest="suites",
        help="only this suite (repeatable); default: all",
    )
    parser.add_argument(
        "--scaling",
        action="store_true",
        help="also fit how the growth queries scale, over the profile's sizes",
    )
    parser.add_argument(
        "--scaling-scales",
        type=names_among(
            SCALES, "sizes", at_least=MIN_SIZES, why=f"a growth law needs {MIN_SIZES} sizes"
        ),
        default=None,
        metavar="A,B,...",
        help="the sizes the growth mode measures (default: the profile's; implies --scaling)",
    )
    results_option(parser)
    parser.add_argument(
        "--claims",
        type=_claims_file,
        default=None,
        metavar="FILE",
        help="judge this claims file (default: the write-up's, reports/claims.toml)",
    )
    parser.add_argument(
        "--fail-on-unmet",
        action="store_true",
        help="exit 1 when any claim is not met (default: verdicts are findings, exit 0)",
    )
    parser.add_argument(
        "--load-budget",
        type=positive_float,
        default=None,
        metavar="SECONDS",
        help=(
            "the load tests' open model: seconds of paired units at most (default: the "
            "profile's); sampling stops sooner once every load claim's interval is as narrow "
            "as its precision target in the claims file"
        ),
    )
    parser.add_argument(
        "--load-rates",
        type=shares,
        default=None,
        metavar="SHARES",
        help=(
            "the load tests' open model: also judge the latency claims at these shares of the "
            "slowest arm's capacity, each in paired units of its own, and draw the effect "
            "against the offered rate (e.g. 0.25,0.5,0.75; default: the profile's, one share "
            "but in full); each rate takes up to the load budget"
        ),
    )
    parser.add_argument(
        "--capacity-every",
        type=non_negative_int,
        default=None,
        metavar="UNITS",
        help=(
            "the load tests' open model: every UNITS paired units, run the slowest arm closed "
            "again and let the rate follow half the median of its runs so far (default: the "
            "profile's, 8 at default, 0 at quick; 0: the rate stays where the closed runs "
            "before the units set it); the reference portal's alone"
        ),
    )
    parser.add_argument(
        "--load-rate",
        type=positive_float,
        default=None,
        metavar="RPS",
        help=(
            "the load tests' open model at this offered rate (tasks/s) instead of a share of "
            "the slowest arm's measured capacity; `perfproof regress --against` passes the "
            "first run's rate to the later runs of each commit that has this option"
        ),
    )
    parser.add_argument(
        "--save-baseline",
        type=_baseline_name,
        default=None,
        metavar="NAME",
        help=(
            "when the run finishes, keep it as RESULTS/baselines/NAME for "
            "`perfproof regress --baseline NAME` (saving a name again replaces it)"
        ),
    )
    return parser


def _baseline_name(text: str) -> str:
    """Checked before anything is measured, like the claims file."""
    if not NAME.match(text):
        raise argparse.ArgumentTypeError(
            f"{text!r}: want letters, digits, '.', '_' or '-' (up to 100), "
            "starting with a letter or digit"
        )
    return text


def _claims_file(text: str) -> Path:
    """A claims file checked before anything is measured: a typo found after 10 minutes is cruel."""
    try:
        claims = load_claims(Path(text))
        watched_of(claims, "default")  # precision targets name known load profiles
    except ClaimsError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return claims.path


# The options that choose what of the portal to measure: refused with --target, never
# silently ignored. (dest, flag, the value when not given)
PORTAL_ONLY = (
    ("suites", "--suite", None), ("scaling", "--scaling", False),
    ("scaling_scales", "--scaling-scales", None), ("claims", "--claims", None),
    ("scale", "--scale", None), ("seed", "--seed", 1), ("save_baseline", "--save-baseline", None),
    ("capacity_every", "--capacity-every", None),
)  # fmt: skip


def run(args: argparse.Namespace) -> int:
    profile = PROFILES[args.profile]
    if args.load_rate is not None and args.load_rates:
        return fail(ValueError("--load-rate pins one offered rate; --load-rates asks for shares "
                               "of the measured capacity: give one of them"))  # fmt: skip
    if args.target is not None:  # a team's own service: the target path, no portal
        from perfproof.targets.bench import TargetOptions, run_target

        stray = [flag for dest, flag, unset in PORTAL_ONLY if getattr(args, dest) != unset]
        if stray:
            return fail(ValueError(f"{stray[0]} is the reference portal's; a target's run takes "
                                   "--profile, --results, --fail-on-unmet, --load-budget, "
                                   "--load-rates and --load-rate"))  # fmt: skip
        shares = args.load_rates or (profile.load_shares if args.load_rate is None else ())
        options = TargetOptions(profile.load.name, args.fail_on_unmet, args.load_budget,
                                tuple(shares), args.load_rate)  # fmt: skip
        return run_target(args.target, args.results, options)
    unit = unit_seconds(3)  # the write-up's load claims compare three arms
    if args.load_budget is not None and args.load_budget < unit:
        return fail(ValueError(f"--load-budget {args.load_budget:g} s is less than one paired "
                               f"unit of the load claims' arms (about {unit:g} s)"))  # fmt: skip
    steps = plan(args, profile)
    try:
        with services() as stack:
            print(stack.describe(), flush=True)
            # Still inside services(): on a stop signal the child stops before the servers
            # do, and the servers stop after the run folder says what happened.
            with one_run_per_server(stack.database_url, say=_say_now):
                return run_plan(args, profile, steps, stack)
    except ServiceUnavailable as error:
        return fail(error)
    except KeyboardInterrupt as stop:  # Ctrl-C, SIGTERM, SIGHUP (portal/stop_signals.py)
        print(f"\n{stop_line(stop)} before the benchmarks started")
        return stopped_exit_code(stop)


def _say_now(line: str) -> None:
    print(line, flush=True)
