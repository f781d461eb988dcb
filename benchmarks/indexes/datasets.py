"""What the index proof and the write-cost measurement share on the command line.

Both run on a generated dataset in database ``perfproof_<scale>`` on the
configured or embedded server (generated the first time, reused afterwards),
print a table and write CSV (and JSON on request) under ``--results``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import psycopg

from portal.cli.args import database_url_argument, dataset_options, results_option
from portal.datagen import database_for, load_dataset
from portal.devstack import ServiceUnavailable, ensure_database, services

# Failures a user can cause or fix (no server, unknown index, unwritable
# folder): one line and exit 2, never a traceback.
EXPECTED = (ServiceUnavailable, psycopg.Error, ValueError, OSError)


class Presenter(Protocol):
    """A report module: the text table and the files of one kind of result."""

    def to_text(self, report: Any) -> str: ...

    def write_csv(self, report: Any, path: Path) -> None: ...

    def write_json(self, report: Any, path: Path) -> None: ...


def dataset_arguments(parser: argparse.ArgumentParser) -> None:
    dataset_options(parser, scale="small")
    database_url_argument(parser)
    parser.add_argument(
        "--database", metavar="NAME", help="database on that server (default perfproof_SCALE)"
    )


def output_arguments(parser: argparse.ArgumentParser) -> None:
    results_option(parser, what="folder for the CSV")
    parser.add_argument("--json", action="store_true", help="also write JSON with every run")


@contextmanager
def loaded_dataset(args: argparse.Namespace) -> Iterator[str]:
    """The URL of the loaded dataset (generated now if its database does not hold it)."""
    with services(database_url=args.database_url) as stack:
        print(stack.postgres_description, file=sys.stderr)
        name = args.database or database_for(args.scale)
        database_url = ensure_database(stack.database_url, name)
        load_dataset(database_url, scale=args.scale, seed=args.seed, progress=True)
        yield database_url


def present(presenter: Presenter, report: Any, args: argparse.Namespace, name: str) -> None:
    """The text table on stdout, then ``<name>-<scale>.csv`` (and ``.json``) under ``--results``."""
    print(presenter.to_text(report))
    stem = args.results / f"{name}-{args.scale}"
    presenter.write_csv(report, stem.with_suffix(".csv"))
    if args.json:
        presenter.write_json(report, stem.with_suffix(".json"))
    print(f"written: {stem}.csv{' and .json' if args.json else ''}")
