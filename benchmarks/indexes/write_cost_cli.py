"""``perfproof write-cost``: what the performance indexes cost on inserts."""

from __future__ import annotations

import argparse

from benchmarks.indexes import write_cost_report
from benchmarks.indexes.datasets import (
    EXPECTED,
    dataset_arguments,
    loaded_dataset,
    output_arguments,
    present,
)
from benchmarks.indexes.write_cost import SHAPES, WriteCostError, measure_write_cost
from portal.cli.args import positive_int
from portal.cli.commands import fail


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Insert rows into orders and wallet_transactions with all performance indexes and "
            "with none, arms interleaved, every run rolled back (the dataset is not changed); "
            "print rows/s per arm and their ratio."
        ),
    )
    dataset_arguments(parser)
    parser.add_argument(
        "--rows", type=positive_int, default=10_000, help="rows per insert run (default 10000)"
    )
    parser.add_argument(
        "--repetitions", type=positive_int, default=5, help="runs per arm (default 5)"
    )
    parser.add_argument(
        "--shape",
        action="append",
        dest="shapes",
        choices=SHAPES,
        help="bulk (one INSERT ... SELECT) or single (one-row INSERTs); repeatable; "
        "default: both shapes",
    )
    output_arguments(parser)
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        with loaded_dataset(args) as database_url:
            report = measure_write_cost(
                database_url,
                rows=args.rows,
                repetitions=args.repetitions,
                shapes=args.shapes or SHAPES,
            )
        present(write_cost_report, report, args, "write-cost")
    except (*EXPECTED, WriteCostError) as error:
        return fail(error)
    return 0
