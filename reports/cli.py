"""``perfproof report`` / ``python -m reports``: a run folder's claims judged, and its report.

Measures nothing: it reads the run folder, judges every claim of the claims
file, prints the verdict table and writes ``verdicts.json``, ``verdicts.md``
and ``report.html`` beside the data (all atomically). ``perfproof bench``
calls the same :func:`write_report` at its end.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from portal.cli.exit_codes import Exit
from reports.claims import DEFAULT_CLAIMS, ClaimsError, load_claims
from reports.run_folder import RunFolderError, read_run


def build_parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description=(
            "Judge a run folder against a claims file: for every claim its measured effect, "
            "95 % interval, sample size and verdict (exceeded, met, not met, inconclusive, not "
            "measurable, no evidence). Prints the table and writes verdicts.json, verdicts.md "
            "and a self-contained report.html into the run folder. Measures nothing."
        ),
        epilog=(
            "Exit codes: 0 written, 1 with --fail-on-unmet when a claim is not met, 2 a bad "
            "claims file or run folder. Examples: perfproof report --run results/<run>; "
            "python -m reports --claims my-claims.toml --run results/<run>"
        ),
    )
    parser.add_argument("--run", type=Path, required=True, metavar="DIR", help="a run folder")
    parser.add_argument(
        "--claims",
        type=Path,
        default=DEFAULT_CLAIMS,
        metavar="FILE",
        help="a claims file (default: the write-up's, reports/claims.toml)",
    )
    parser.add_argument(
        "--fail-on-unmet", action="store_true", help="exit 1 when any claim is not met"
    )
    return parser


def write_report(run_path: Path, claims_path: Path = DEFAULT_CLAIMS) -> tuple[list[str], bool]:
    """Judge, write the three files; the terminal lines and whether any claim is not met.

    Everything is computed before anything is written, so a failure leaves no
    half-written set. Raises :class:`ClaimsError` or :class:`RunFolderError`
    on bad input; a run refused for its data (a folder that does hold a
    manifest) loses the outputs of an earlier report too, which judged data
    that no longer stands (:func:`remove_stale_outputs`).
    """
    from portal.files import write_json_atomically, write_text_atomically
    from reports.evaluate import judge_all
    from reports.inert_text import terminal_text
    from reports.page.html import render
    from reports.verdict_output import document, markdown, terminal_lines

    claims = load_claims(claims_path)
    try:
        run = read_run(run_path)
    except RunFolderError as error:
        removed = remove_stale_outputs(run_path)
        if removed:
            raise RunFolderError(
                f"{error} (removed the earlier {', '.join(removed)}: they judged other data)"
            ) from None
        raise
    verdicts = judge_all(claims, run)
    judged = document(verdicts, run=run.name, claims_file=str(claims.path))
    table = markdown(verdicts, run=run.name, title=claims.title)
    page = render(run, claims, verdicts)
    report = run.path / "report.html"
    write_json_atomically(run.path / "verdicts.json", judged)
    write_text_atomically(run.path / "verdicts.md", table)
    write_text_atomically(report, page)
    lines = terminal_lines(verdicts)
    lines += ["", f"report: {terminal_text(str(report))}"]  # a run folder's name is run data
    return lines, any(v.verdict == "not met" for v in verdicts)


def remove_stale_outputs(run_path: Path) -> list[str]:
    """Remove an earlier report's files from a run folder refused now; their names."""
    from reports.run_schema import REPORT_OUTPUTS

    if not (run_path / "manifest.json").is_file():
        return []  # not a run folder: nothing of ours to remove
    removed = []
    for name in REPORT_OUTPUTS:
        path = run_path / name
        if path.is_file():
            path.unlink()
            removed.append(name)
    return removed


def run(args: argparse.Namespace) -> int:
    started = time.monotonic()
    try:
        lines, unmet = write_report(args.run, args.claims)
    except (ClaimsError, RunFolderError) as error:
        print(f"error: {error}", file=sys.stderr)
        return Exit.BAD_INPUT
    print("\n".join(lines))
    print(f"({time.monotonic() - started:.1f} s)")
    return Exit.CHECK_FAILED if args.fail_on_unmet and unmet else Exit.OK
