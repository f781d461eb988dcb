"""The gate's and the calibration's outputs show series, arms and run names as text.

A series or arm name comes from a run's tidy table and a run's name from its
folder: each payload goes into them, into a reason, a note and a warning.
``regress.md`` and ``calibration.md`` are rendered and must show each as the
text it is, every table row keeping its columns; the terminal tables must
hold no control character and keep their columns aligned.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from perfproof.regress import cli
from reports.regress import calibration_output, output
from reports.regress.calibrate import Calibration, Noise
from reports.regress.compare import RANK_TEST, Comparison, SeriesWord
from reports.regress.significance import Change
from reports.regress.thresholds import Thresholds
from tests.reports.inert import PAYLOADS, assert_inert, assert_no_control
from tests.reports.regress.synthetic import lognormal, query_key, round_rows, write_run

SHOWN = {f"queries {shown} @{shown}": shown for _, shown in PAYLOADS}  # label -> reason
RUN = 'run"><img src=x>|\x1b[31m'  # a legal folder name


def _comparisons() -> list[Comparison]:
    verdicts: tuple[SeriesWord, ...] = ("regressed", "unchanged", "not compared")
    return [
        Comparison(
            key=query_key(payload, arm=payload),
            n_baseline=10,
            n_candidate=10,
            baseline=0.001,
            candidate=0.0013,
            change=Change(0.3, 0.2, 0.4),
            p=0.0001,
            q=0.001,
            test=RANK_TEST,
            threshold=0.10,
            threshold_from="default",
            verdict=verdicts[number % len(verdicts)],
            reason=payload,
        )
        for number, (payload, _) in enumerate(PAYLOADS)
    ]


def _sides() -> output.Sides:
    payloads = tuple(payload for payload, _ in PAYLOADS)
    return output.Sides(
        baseline=(RUN,),
        candidate=(RUN,),
        baseline_commits=payloads[:1],
        candidate_commits=payloads[1:2],
        warnings=payloads,
        notes=payloads,
    )


def _body(rows: list[list[str]]) -> list[list[str]]:
    return [row for row in rows if row[0] != "series"]  # one header row per table


def test_regress_md_shows_every_name_reason_note_and_warning_as_text() -> None:
    page = assert_inert(output.markdown(_comparisons(), _sides(), Thresholds()))
    assert "<details>" in page.html  # the unchanged rows' own table rendered too
    assert {(row[0], row[-1]) for row in _body(page.rows)} == set(SHOWN.items())
    assert "Baseline <code>run&quot;&gt;&lt;img src=x&gt;|[31m</code> (commit " in page.html
    assert "\nNote: &quot;&gt;&lt;img src=x onerror=alert(1)&gt;.\n" in page.html
    assert "<strong>Warning:</strong> [x](javascript:alert(1))" in page.html


def _aligned(lines: list[str], last_column: str) -> None:
    """Each row's last cell starts under its header's."""
    header = next(number for number, line in enumerate(lines) if line.startswith("series  "))
    start = lines[header].index(last_column)
    rows = lines[header + 2 : lines.index("", header)]
    assert len(rows) == len(PAYLOADS)
    for row in rows:
        assert row[start - 2 : start] == "  " and row[start] != " ", (row, start)


def test_the_gates_terminal_table_prints_no_control_and_keeps_its_columns() -> None:
    lines = output.terminal_lines(_comparisons(), _sides())
    assert_no_control(lines)
    _aligned(lines, "verdict")
    assert lines[0] == 'baseline: run"><img src=x>|[31m'
    for _, shown in PAYLOADS:
        assert f"WARNING: {shown}" in lines and f"note: {shown}" in lines
    assert "  queries a | b c @a | b c: not compared: a | b c" in lines


def _calibrations() -> list[Calibration]:
    return [
        Calibration(
            key=query_key(payload, arm=payload),
            noise=Noise(runs=3, n=10, within=0.03, between=0.01),
            threshold=0.10,
            safe_threshold=0.05,
            detectable=0.2,
            status="ok",
            aa_flags=0,
            aa_pairs=3,
        )
        for payload, _ in PAYLOADS
    ]


def test_the_calibrations_markdown_and_terminal_table_show_names_as_text() -> None:
    page = assert_inert(calibration_output.markdown(_calibrations(), [RUN], Thresholds()))
    assert {row[0] for row in _body(page.rows)} == set(SHOWN)
    lines = calibration_output.terminal_lines(_calibrations(), [RUN])
    assert_no_control(lines)
    _aligned(lines, "status")
    assert lines[0] == 'A/A runs: run"><img src=x>|[31m'


def test_perfproof_regress_writes_and_prints_hostile_series_and_runs_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(4)
    folders = []
    for side, factor in (("a", 1.0), ("b", 1.5)):
        rows = [
            row
            for payload, _ in PAYLOADS
            for row in round_rows(side, "queries", payload, "indexed",
                                  lognormal(rng, 0.001 * factor, 0.02, 10))
        ]  # fmt: skip
        folders.append(write_run(tmp_path / side / RUN, rows))
    out = tmp_path / "out"
    parser = cli.build_parser("perfproof regress")
    code = cli.run(parser.parse_args(["--baseline", str(folders[0]), "--candidate",
                                      str(folders[1]), "--out", str(out)]))  # fmt: skip
    printed = capsys.readouterr().out  # written as printed: a \r would still be there
    assert code == 1
    page = assert_inert((out / "regress.md").read_bytes().decode())
    assert {row[0] for row in _body(page.rows)} == {f"queries {s} @indexed" for s in SHOWN.values()}
    assert {row[-2] for row in _body(page.rows)} == {"regressed"}
    assert_no_control(printed.split("\n"))
    _aligned(printed.split("\n"), "verdict")
    assert f'candidate: {tmp_path}/b/run"><img src=x>|[31m' in printed
