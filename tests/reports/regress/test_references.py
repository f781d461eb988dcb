"""The gate divides each benchmark round by its reference call (``benchmarks/reference.py``).

Synthetic runs with known answers: the machine slows whole blocks of rounds, and their
reference calls with them, by a factor drawn per block (sd 20 %, as measured on the
development machine); the code slows one series or none.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from perfproof.regress import cli
from reports.regress.samples import compared_samples, gated_samples
from tests.reports.regress.synthetic import round_rows, with_references, write_run

SERIES = tuple(f"orders.list_for_user[s{i}]" for i in range(12))
BLOCK_SD = 0.2


def _rows(
    run: str, seed: int, *, slow: str | None = None, machine: float = 1.0
) -> list[dict[str, Any]]:
    """Ten rounds a series in two blocks; each block slowed by the machine, references alike."""
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    for name in SERIES:
        code = 1.2 if name == slow else 1.0
        blocks = machine * np.exp(rng.normal(0, BLOCK_SD, 2))
        factors = np.repeat(blocks, 5) * np.exp(rng.normal(0, 0.02, 10))
        values = [0.001 * code * float(f) for f in factors]
        series_rows = round_rows(run, "queries", name, "indexed", values)
        for row, factor in zip(series_rows, factors, strict=True):
            row["machine"] = float(factor)
        rows += series_rows
    return rows


def _plain(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows as a run from before the references writes them."""
    return [{key: value for key, value in row.items() if key != "machine"} for row in rows]


def _gate(
    tmp_path: Path, base: Sequence[dict[str, Any]], cand: Sequence[dict[str, Any]]
) -> tuple[int, dict[str, Any], str]:
    folders = [write_run(tmp_path / name, rows) for name, rows in (("base", base), ("cand", cand))]
    out = tmp_path / "out"
    parser = cli.build_parser("perfproof regress")
    args = ["--baseline", str(folders[0]), "--candidate", str(folders[1]), "--out", str(out)]
    code = cli.run(parser.parse_args(args))
    return code, json.loads((out / "regress.json").read_text()), (out / "regress.md").read_text()


def test_a_machine_that_slows_whole_blocks_is_divided_out(tmp_path: Path) -> None:
    flagged_with = flagged_without = 0
    for trial in range(10):
        base, cand = _rows("base", 2 * trial), _rows("cand", 2 * trial + 1)
        code, document, _ = _gate(
            tmp_path / f"with{trial}", with_references(base), with_references(cand)
        )
        flagged_with += code != 0
        assert {s["measure"] for s in document["series"]} == {"time ÷ reference"}
        code, document, _ = _gate(tmp_path / f"without{trial}", _plain(base), _plain(cand))
        flagged_without += any(s["verdict"] != "unchanged" for s in document["series"])
        assert {s["measure"] for s in document["series"]} == {"time"}
    assert flagged_with == 0
    assert flagged_without > 0  # the same rounds without their references: the machine flags


def test_a_20_percent_slowdown_of_one_series_stands_out_of_its_references(
    tmp_path: Path,
) -> None:
    base = with_references(_rows("base", 1))
    cand = with_references(_rows("cand", 2, slow=SERIES[3]))
    code, document, markdown = _gate(tmp_path, base, cand)
    verdicts = {s["series"]: s for s in document["series"]}
    assert code == 1 and verdicts[SERIES[3]]["verdict"] == "regressed"
    assert verdicts[SERIES[3]]["change"] == pytest.approx(0.2, abs=0.05)
    assert all(s["verdict"] == "unchanged" for name, s in verdicts.items() if name != SERIES[3])
    assert "time ÷ the reference call" in markdown


def test_the_figures_shown_are_times_and_the_raw_change_is_kept(tmp_path: Path) -> None:
    base = with_references(_rows("base", 1))
    cand = with_references(_rows("cand", 2))
    _, document, _ = _gate(tmp_path, base, cand)
    first = document["series"][0]
    assert 0.0005 < first["baseline"] < 0.002  # a median time, in seconds, not a ratio
    assert first["raw_change"] == pytest.approx(first["candidate"] / first["baseline"] - 1)


def test_a_run_without_references_makes_both_sides_compare_times(tmp_path: Path) -> None:
    base = _plain(_rows("base", 1))  # a run from before the references
    cand = with_references(_rows("cand", 2))
    _, document, _ = _gate(tmp_path, base, cand)
    assert {s["measure"] for s in document["series"]} == {"time"}
    sides = [gated_samples([pd.DataFrame(r)]) for r in (base, cand)]
    _, relative = compared_samples(sides)
    assert relative == frozenset()


def test_a_reference_that_moved_beyond_the_threshold_is_a_warning(tmp_path: Path) -> None:
    base = with_references(_rows("base", 1))
    cand = with_references(_rows("cand", 2, machine=1.5))  # everything, references too, +50 %
    code, document, markdown = _gate(tmp_path, base, cand)
    assert code == 0  # divided out: no series stands out of its reference
    warned = [w for w in document["warnings"] if "reference call moved by +" in w]
    assert warned and "Warning" in markdown
    note = document["notes"][0]
    assert note.startswith("queries: changes are of time ÷ the reference call")
    assert math.isfinite(float(note.split("(")[1].split("%")[0].split(", ")[-1]))


def _steady(run: str, seed: int, *, code: float, reference: float) -> list[dict[str, Any]]:
    """Ten rounds a series (2 % noise, no machine), each with a reference of ``reference`` s."""
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    for name in SERIES:
        values = [0.001 * code * float(f) for f in np.exp(rng.normal(0, 0.02, 10))]
        rows += round_rows(run, "queries", name, "indexed", values)
    return with_references(rows, reference=reference)


def test_references_that_got_faster_alone_are_not_a_regression(tmp_path: Path) -> None:
    # Measured here: beside a busy core the SELECT 1 got 30 % faster, the queries not.
    base = _steady("base", 1, code=1.0, reference=0.0004)
    cand = _steady("cand", 2, code=0.97, reference=0.0004 * 0.7)  # ratio +39 %, times -3 %
    code, document, _ = _gate(tmp_path, base, cand)
    assert code == 0
    for series in document["series"]:
        assert series["change"] == pytest.approx(0.97 / 0.7 - 1, abs=0.05)
        assert series["verdict"] == "unchanged"
        assert "both must be beyond the 10% threshold" in series["reason"]


@pytest.mark.parametrize(
    ("code", "reference", "verdict", "reason"),
    [
        (1.2, 1.0, "regressed", "beyond the 10% threshold"),  # the times +20 %, the ratio too
        (0.8, 1.0, "improved", "beyond the 10% threshold"),  # both -20 %
        (1.4, 1.4, "unchanged", "not significant"),  # times +40 %, references alike: machine
        (1.0, 1.25, "unchanged", "both must be beyond"),  # ratio -20 %, times flat: reference
    ],
)
def test_a_change_counts_only_when_the_times_and_their_ratio_both_show_it(
    tmp_path: Path, code: float, reference: float, verdict: str, reason: str
) -> None:
    base = _steady("base", 1, code=1.0, reference=0.0004)
    cand = _steady("cand", 2, code=code, reference=0.0004 * reference)
    exit_code, document, _ = _gate(tmp_path, base, cand)
    assert exit_code == (1 if verdict == "regressed" else 0)
    for series in document["series"]:
        assert series["measure"] == "time ÷ reference"
        assert series["raw_change"] == pytest.approx(code - 1, abs=0.05)
        assert series["change"] == pytest.approx(code / reference - 1, abs=0.05)
        assert series["verdict"] == verdict
        assert reason in series["reason"]


def _warnings_with_host(tmp_path: Path, host_cpu: object) -> list[str]:
    """The gate's warnings for two steady runs, the candidate's one step recording ``host_cpu``."""
    steps = [{"name": "benchmarks-tiny", "host_cpu": host_cpu}]
    folders = [
        write_run(tmp_path / "base", _steady("base", 1, code=1.0, reference=0.0004)),
        write_run(tmp_path / "cand", _steady("cand", 2, code=1.0, reference=0.0004), steps=steps),
    ]
    parser = cli.build_parser("perfproof regress")
    args = ["--baseline", str(folders[0]), "--candidate", str(folders[1]), "--out", str(tmp_path)]
    assert cli.run(parser.parse_args(args)) == 0
    warnings: list[str] = json.loads((tmp_path / "regress.json").read_text())["warnings"]
    return warnings


def test_a_run_on_a_busy_host_is_named_in_a_warning(tmp_path: Path) -> None:
    warnings = _warnings_with_host(tmp_path, {"busy": 0.9, "steal": 0.2, "iowait": 0})
    assert [w for w in warnings if w.startswith("busy host: cand lost 20% of the CPU")]
    assert not [w for w in warnings if "busy host: base" in w]


@pytest.mark.parametrize(
    "host_cpu", ["lots", None, [], {"steal": "a third"}, {"steal": True}, {"busy": 0.5}]
)
def test_a_hand_edited_host_record_is_no_warning_and_no_crash(
    tmp_path: Path, host_cpu: object
) -> None:
    warnings = _warnings_with_host(tmp_path, host_cpu)
    assert not [w for w in warnings if w.startswith("busy host")]


def test_the_calibrations_a_a_flags_judge_the_times_too(tmp_path: Path) -> None:
    # Three A/A runs; in the second the references alone got 30 % faster.
    runs = [
        write_run(tmp_path / f"run{i}", _steady(f"run{i}", i, code=1.0, reference=ref))
        for i, ref in enumerate((0.0004, 0.0004 * 0.7, 0.0004))
    ]
    out = tmp_path / "calibration"
    parser = cli.build_parser("perfproof regress")
    assert cli.run(parser.parse_args(["--calibrate", *map(str, runs), "--out", str(out)])) == 0
    document = json.loads((out / "calibration.json").read_text())
    assert document["series"] and all(s["aa_flags"] == 0 for s in document["series"])
