"""``index-proof`` and ``write-cost``: evidence for (and the price of) the performance indexes.

Both run on a generated dataset in database ``perfproof_<scale>`` on the
configured or embedded server (generated the first time, reused afterwards),
print a table and write CSV (and JSON on request) under ``--output``.
Expected failures are one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import psycopg

from portal.cli_args import output_folder, positive_int
from portal.datagen import SCALES, load_dataset
from portal.db import proof_report, write_cost_report
from portal.db.index_catalog import catalog
from portal.db.index_proof import ProofError, run_proof
from portal.db.write_cost import SHAPES, WriteCostError, measure_write_cost
from portal.devstack import ServiceUnavailable, ensure_database, services

EXIT_FAILED = 2
EXIT_UNPROVEN = 1  # --strict: an index is unused or redundant
_EXPECTED = (ServiceUnavailable, psycopg.Error, ProofError, WriteCostError, ValueError, OSError)


def register(subparsers: Any) -> None:
    """Add ``index-proof`` and ``write-cost`` to a ``python -m portal``-style parser."""
    proof = subparsers.add_parser(
        "index-proof",
        help="show that the planner uses each performance index for its query",
        description=(
            "For every index of sql/add-performance-indexes.sql, run the portal query it serves "
            "under EXPLAIN (ANALYZE, FORMAT JSON) with the indexes on and off (median of "
            "--repetitions), and report the plan node, estimated cost, actual time, whether the "
            "index was used, and duplicate or prefix-redundant indexes."
        ),
    )
    _dataset_arguments(proof)
    proof.add_argument(
        "--repetitions", type=positive_int, default=5, help="measured runs per arm (default 5)"
    )
    proof.add_argument(
        "--force-index-use",
        action="store_true",
        help="disable sequential scans (and JIT) so tiny datasets answer 'can it use the index'",
    )
    proof.add_argument(
        "--index",
        action="append",
        dest="indexes",
        metavar="NAME",
        help="prove only this index (repeatable)",
    )
    proof.add_argument(
        "--strict", action="store_true", help="exit 1 if an index is unused or redundant"
    )
    _output_arguments(proof)
    proof.set_defaults(func=run_index_proof)

    cost = subparsers.add_parser(
        "write-cost",
        help="measure what the performance indexes cost on inserts",
        description=(
            "Insert rows into orders and wallet_transactions with all performance indexes and "
            "with none, arms interleaved, every run rolled back (the dataset is not changed); "
            "print rows/s per arm and their ratio."
        ),
    )
    _dataset_arguments(cost)
    cost.add_argument(
        "--rows", type=positive_int, default=10_000, help="rows per insert run (default 10000)"
    )
    cost.add_argument(
        "--repetitions", type=positive_int, default=5, help="runs per arm (default 5)"
    )
    cost.add_argument(
        "--shape",
        action="append",
        dest="shapes",
        choices=SHAPES,
        help="bulk (one INSERT ... SELECT) or single (one-row INSERTs); default both",
    )
    _output_arguments(cost)
    cost.set_defaults(func=run_write_cost)


def run_index_proof(args: argparse.Namespace) -> int:
    try:
        catalog(args.indexes)  # unknown names fail before any data is loaded
        with _dataset(args) as database_url:
            report = run_proof(
                database_url,
                repetitions=args.repetitions,
                force_index_use=args.force_index_use,
                names=args.indexes,
            )
        _present(proof_report, report, args, "index-proof")
    except _EXPECTED as error:
        return _fail(error)
    if args.strict and (report.unused or report.redundant):
        return EXIT_UNPROVEN
    return 0


def run_write_cost(args: argparse.Namespace) -> int:
    try:
        with _dataset(args) as database_url:
            report = measure_write_cost(
                database_url,
                rows=args.rows,
                repetitions=args.repetitions,
                shapes=args.shapes or SHAPES,
            )
        _present(write_cost_report, report, args, "write-cost")
    except _EXPECTED as error:
        return _fail(error)
    return 0


def _present(presenter: ModuleType, report: Any, args: argparse.Namespace, name: str) -> None:
    """The text table on stdout, then ``<name>-<scale>.csv`` (and ``.json``) under ``--output``.

    ``presenter`` is a report module: ``to_text``, ``write_csv``, ``write_json``.
    """
    print(presenter.to_text(report))
    stem = args.output / f"{name}-{args.scale}"
    presenter.write_csv(report, stem.with_suffix(".csv"))
    if args.json:
        presenter.write_json(report, stem.with_suffix(".json"))
    print(f"written: {stem}.csv{' and .json' if args.json else ''}")


@contextmanager
def _dataset(args: argparse.Namespace) -> Iterator[str]:
    """The URL of the loaded dataset (generated now if its database does not hold it)."""
    with services(database_url=args.database_url) as stack:
        print(stack.postgres_description, file=sys.stderr)
        name = args.database or f"perfproof_{args.scale}"
        database_url = ensure_database(stack.database_url, name)
        load_dataset(database_url, scale=args.scale, seed=args.seed, progress=True)
        yield database_url


def _dataset_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", choices=list(SCALES), default="small", help="default: small")
    parser.add_argument("--seed", type=int, default=1, help="dataset seed (default 1)")
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="PostgreSQL server (default: PORTAL_DATABASE_URL, else the embedded one)",
    )
    parser.add_argument(
        "--database", metavar="NAME", help="database on that server (default perfproof_SCALE)"
    )


def _output_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--output",
        type=output_folder,
        default="results",
        help="folder for the CSV (default results)",
    )
    parser.add_argument("--json", action="store_true", help="also write JSON with every run")


def _fail(error: BaseException) -> int:
    """One line on stderr: the first line of the message."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    print(f"error: {lines[0] if lines else type(error).__name__}", file=sys.stderr)
    return EXIT_FAILED
