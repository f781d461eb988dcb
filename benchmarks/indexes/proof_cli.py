"""``perfproof index-proof``: show that the planner uses each performance index for its query."""

from __future__ import annotations

import argparse

from benchmarks.indexes import proof_report
from benchmarks.indexes.catalog import catalog
from benchmarks.indexes.datasets import (
    EXPECTED,
    dataset_arguments,
    loaded_dataset,
    output_arguments,
    present,
)
from benchmarks.indexes.proof import ProofError, run_proof
from portal.cli.args import positive_int
from portal.cli.commands import fail
from portal.cli.exit_codes import Exit


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "For every index of sql/add-performance-indexes.sql, run the portal query it serves "
            "under EXPLAIN (ANALYZE, FORMAT JSON) with the indexes on and off (median of "
            "--repetitions), and report the plan node, estimated cost, actual time, whether the "
            "index was used, and duplicate or prefix-redundant indexes."
        ),
        epilog="Exit codes: 0 done, 1 --strict and an index is unused or redundant, 2 cannot run.",
    )
    dataset_arguments(parser)
    parser.add_argument(
        "--repetitions", type=positive_int, default=5, help="measured runs per arm (default 5)"
    )
    parser.add_argument(
        "--force-index-use",
        action="store_true",
        help="disable sequential scans (and JIT) so tiny datasets answer 'can it use the index'",
    )
    parser.add_argument(
        "--index",
        action="append",
        dest="indexes",
        metavar="NAME",
        help="prove only this index (repeatable)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 if an index is unused or redundant"
    )
    output_arguments(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        catalog(args.indexes)  # unknown names fail before any data is loaded
        with loaded_dataset(args) as database_url:
            report = run_proof(
                database_url,
                repetitions=args.repetitions,
                force_index_use=args.force_index_use,
                names=args.indexes,
            )
        present(proof_report, report, args, "index-proof")
    except (*EXPECTED, ProofError) as error:
        return fail(error)
    if args.strict and (report.unused or report.redundant):
        return Exit.CHECK_FAILED
    return 0
