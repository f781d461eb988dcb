"""The end of a ``perfproof bench`` run: the verdicts, the report, and the books.

The report is written for every run, finished or not: a stopped run's claims
say "no evidence: the run did not finish", which is what a reader of that
folder must see. A run whose books are wrong fails, whatever the claims say.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from benchmarks.results import ResultFolder
from reports.claims import DEFAULT_CLAIMS
from reports.cli import write_report
from reports.run_folder import RunFolderError


def books_broken(checks_file: Path) -> list[str]:
    """The ``money`` check's problems when it failed: a run that broke the books fails,
    whatever the claims say (it is no claim: no shop may lose money)."""
    if not checks_file.exists():
        return []
    for check in json.loads(checks_file.read_text()).get("checks", []):
        if check.get("id") == "money" and not check.get("passed"):
            return [str(problem) for problem in check.get("problems", [])] or ["it failed"]
    return []


def fault_books_broken(faults_folder: Path) -> list[str]:
    """Books a fault scenario left wrong (``perfproof faults``): fail a run like money does."""
    broken = []
    for found in sorted(faults_folder.glob("*/faults.json")):
        for entry in json.loads(found.read_text()).get("scenarios", []):
            for rule, ids in entry.get("book_violations", {}).items():
                if ids:
                    broken.append(f"after {entry['scenario']}: {rule} broken for {ids}")
    return broken


def report(args: argparse.Namespace, folder: ResultFolder, *, quiet: bool = False) -> bool:
    """Verdicts and report.html for the run as it stands; whether any claim is not met.

    Also for a failed or interrupted run: its claims then say "no evidence:
    the run did not finish", which is what a reader of that folder must see.
    """
    started = time.monotonic()
    for name in ("verdicts.json", "verdicts.md", "report.html"):
        folder.file(name)
    lines, unmet = write_report(folder.path, args.claims or DEFAULT_CLAIMS)
    folder.note(report_seconds=round(time.monotonic() - started, 1))
    if quiet:
        print(lines[-1])  # the report's path
    else:
        claims = args.claims or DEFAULT_CLAIMS
        print(f"\nVerdicts (95 % intervals; claims: {claims.name}):")
        print("\n".join(lines))
    return unmet


def judged(args: argparse.Namespace, folder: ResultFolder) -> bool | None:
    """:func:`report`, or None when the report refused the run's data (one line on stderr).

    Data no measurement could give (``reports/run_schema``) is a perfproof bug or a
    broken disk, never something to judge.
    """
    try:
        return report(args, folder)
    except RunFolderError as refused:
        print(f"error: the report refused this run's data: {refused}", file=sys.stderr)
        return None


def report_unfinished(args: argparse.Namespace, folder: ResultFolder) -> None:
    """The report of a run that did not finish: every claim "no evidence", and why."""
    try:
        report(args, folder, quiet=True)
    except Exception as error:  # the run's data matters more than its report here
        print(f"(no report: {type(error).__name__}: {error})", file=sys.stderr)
