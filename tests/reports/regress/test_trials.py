"""``python -m reports.regress.trials`` on synthetic run sequences with a known slowdown."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reports.regress import trials
from tests.reports.regress.synthetic import lognormal, round_rows, with_references, write_run

SERIES = ("orders.list_for_user[heavy]", "wallet.for_user[heavy]", "cart.for_user[heavy]")


def _run(folder: Path, name: str, seed: int, *, slow: bool) -> Path:
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    for series in SERIES:
        median = 0.001 * (1.3 if slow and series == SERIES[0] else 1.0)
        rows += round_rows(name, "queries", series, "indexed", lognormal(rng, median, 0.02, 10))
    return write_run(folder / name, with_references(rows))


def _sequence(tmp_path: Path) -> tuple[Path, Path]:
    """Baseline, candidate, baseline, ... as an interleaved sequence measures them."""
    for number in range(3):
        _run(tmp_path / "A", f"2026120{number}T000000Z-a", number, slow=False)
        _run(tmp_path / "B", f"2026120{number}T000100Z-b", 10 + number, slow=True)
    return tmp_path / "A", tmp_path / "B"


def test_the_record_counts_aa_flags_and_how_often_each_dependent_series_was_caught(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, cand = _sequence(tmp_path)
    out = tmp_path / "trials.json"
    parser = trials.build_parser("trials")
    argv = ["--baseline-runs", str(base), "--candidate-runs", str(cand), "--out", str(out)]
    code = trials.run(parser.parse_args([*argv, "--depends", "orders.list_for_user"]))
    printed = capsys.readouterr().out
    assert code == 0
    assert "A/A: 0 of 2 comparisons flagged a series" in printed
    assert "A/B: 0 of 3 comparisons flagged a series that does not depend" in printed
    assert "orders.list_for_user[heavy] @indexed: regressed in 3 of 3" in printed
    document = json.loads(out.read_text())
    kinds = [trial["kind"] for trial in document["trials"]]
    assert kinds == ["A/A", "A/A", "A/B", "A/B", "A/B"]
    assert document["trials"][2]["flagged"][0]["verdict"] == "regressed"


def test_without_the_dependent_series_named_every_flag_is_a_false_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, cand = _sequence(tmp_path)
    parser = trials.build_parser("trials")
    code = trials.run(
        parser.parse_args(["--baseline-runs", str(base), "--candidate-runs", str(cand)])
    )
    assert code == 0
    assert (
        "A/B: 3 of 3 comparisons flagged a series that does not depend" in capsys.readouterr().out
    )


def test_too_few_runs_or_no_folder_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "A").mkdir()
    for argv in (
        ["--baseline-runs", str(tmp_path / "A")],
        ["--baseline-runs", str(tmp_path / "none")],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "reports.regress.trials", *argv],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
