"""``perfproof regress`` refuses a run no measurement could give, as ``perfproof report`` does.

A baseline and a candidate of synthetic rounds (``synthetic.py``); the
candidate's times are then made impossible. Before the one validation
(``reports/run_schema``), NaN and inf were refused by the gate's own check
and zero or negative times crashed it ("a ratio needs positive figures").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from perfproof.regress import cli
from tests.reports.refusal import one_line_refusal, run_command
from tests.reports.regress.synthetic import lognormal, round_rows, with_references, write_run

SERIES = "orders.list_for_user[heavy]"


def _rows(run: str, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    return with_references(
        round_rows(run, "queries", SERIES, "indexed", lognormal(rng, 0.001, 0.02, 10))
    )


def _candidate(tmp_path: Path, change: str, value: float) -> Path:
    """A candidate whose times are ``value``: every one (``change`` "all") or the first."""
    rows = _rows("cand", seed=2)
    times = [row for row in rows if row["metric"] == "time"]
    for row in times if change == "all" else times[:1]:
        row["value"] = value
    return write_run(tmp_path / "cand", rows)


@pytest.mark.parametrize(
    ("change", "value", "problem"),
    [
        ("all", 0.0, "value 0 s: a time must be finite and > 0 s (and 9 more lines with problems)"),
        ("all", -0.001, "value -0.001 s: a time must be finite and > 0 s (and 9 more lines"),
        ("one", 0.0, "value 0 s: a time must be finite and > 0 s"),
        ("one", -0.001, "value -0.001 s: a time must be finite and > 0 s"),
        ("one", float("nan"), "value nan s: a time must be finite and > 0 s"),
        ("one", float("inf"), "value inf s: a time must be finite and > 0 s"),
    ],
)
def test_a_candidate_with_impossible_times_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: str, value: float, problem: str
) -> None:
    base = write_run(tmp_path / "base", _rows("base", seed=1))
    cand = _candidate(tmp_path, change, value)
    parser = cli.build_parser("perfproof regress")
    code = cli.run(parser.parse_args(["--baseline", str(base), "--candidate", str(cand)]))
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert err.count("\n") == 1
    assert err.startswith(f"error: {cand}/tidy.csv: line 2 (queries {SERIES} @indexed, time): ")
    assert problem in err
    assert not (cand / "regress.json").exists()


def test_the_real_command_refuses_zero_times_without_a_traceback(tmp_path: Path) -> None:
    base = write_run(tmp_path / "base", _rows("base", seed=1))
    cand = _candidate(tmp_path, "all", 0.0)
    done = run_command("perfproof", "regress", "--baseline", base, "--candidate", cand)
    assert f"{cand}/tidy.csv: line 2 (" in one_line_refusal(done)
