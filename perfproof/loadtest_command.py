"""``perfproof loadtest``: the load tests' command, with the run profiles and the claims it watches.

The command itself is ``loadtests/cli.py``; its profiles are rows of
``perfproof/profiles.py`` and the load claims are rows of the claims file
(``reports/claims.py``), both of which the load tests cannot import (they sit
below the tool and the report), so this row of the command table hands them
over: the profiles, and the load claims as the rows the sequential run
watches (``loadtests/watch.py``) with their precision targets.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from loadtests import cli
from loadtests.profiles import LOAD_PROFILES
from loadtests.watch import METRICS, Watched
from portal.cli.commands import fail
from reports.claims import DEFAULT_CLAIMS, ClaimsError, ClaimsFile, load_claims
from reports.series import ALL, CACHED, cached_routes


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = cli.build_parser(prog, LOAD_PROFILES)
    parser.add_argument(
        "--claims",
        type=Path,
        default=DEFAULT_CLAIMS,
        help="the claims file whose load claims the open model watches, each until its "
        "precision target (default: the write-up's, reports/claims.toml)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        args.watched = watched_of(load_claims(args.claims), args.profile)
    except ClaimsError as error:
        return fail(error)
    return cli.run(args)


def watched_of(claims: ClaimsFile, profile: str) -> tuple[Watched, ...]:
    """The open model's load claims of ``claims`` as the run watches them in ``profile``."""
    found: list[Watched] = []
    for claim in claims.claims:
        if not claim.measurable or claim.suite != "load" or "open" not in claim.models:
            continue
        unknown = sorted(set(claim.precision) - set(LOAD_PROFILES))
        if unknown:
            raise ClaimsError(
                f"{claims.path}: claim {claim.id}: precision names no load profile "
                f"{unknown[0]!r} (known: {', '.join(LOAD_PROFILES)})"
            )
        if claim.metric not in METRICS or claim.statistic not in ("level", "paired_reduction"):
            continue  # judged from the run's rows, not watched while it runs
        routes: list[str] = []
        for name in claim.series or (ALL,):
            if name == ALL:
                routes = []
                break
            routes += list(cached_routes()) if name == CACHED else [name]
        found.append(
            Watched(
                id=claim.id,
                kind="level" if claim.statistic == "level" else "paired",
                metric=claim.metric,  # one of METRICS, checked above
                routes=tuple(routes),
                half_width=claim.target(profile),
                arm=claim.arm,
                baseline=claim.baseline,
                candidate=claim.candidate,
            )
        )
    return tuple(found)
