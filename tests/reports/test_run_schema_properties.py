"""Whatever is done to a real run's tidy table, it is refused in one line or read whole.

Hypothesis draws two kinds of change to the tidy table of the session's real
quick run (``quick_run``):

- corruptions, invalid by construction from the declared table
  (``reports/run_schema/metrics.py``): a positive value negated (every kind's
  lower bound is 0 or more), a time zeroed (a time's bound is open), a value
  made NaN, infinite or text, a column dropped or renamed, a unit changed to
  another, a row's key duplicated. Each must be refused with one line that
  names the file and the line (or the column);
- changes that keep it valid: figures of an unbounded kind scaled by a
  positive factor, rows and columns reordered. Each must be read back whole.

Any other exception fails the test: that is a traceback a user would see.
Most examples call the check in-process through a real ``tidy.csv``; a few
run the real command on a copy of the run folder. Derandomised: CI draws the
same examples every time.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.tidy import COLUMNS
from reports.run_schema import METRICS, REPORT_OUTPUTS, Kind, RunFolderError, read_tidy_table
from tests.reports.refusal import one_line_refusal, run_command

DERANDOMISED = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ROW_CORRUPTIONS = ("negated", "zeroed", "nan", "inf", "text", "unit", "duplicated key")
COLUMN_CORRUPTIONS = ("dropped column", "renamed column")
UNITS = sorted({metric.kind.unit for metric in METRICS.values()} | {"ms", "%"})


@dataclass(frozen=True)
class Change:
    what: str
    frame: pd.DataFrame
    refusal: str | None  # how the one line goes on after "<tidy.csv>: "; None: still valid


@pytest.fixture(scope="module")
def table(quick_run: Path) -> pd.DataFrame:
    """The real run's tidy table, every cell as the text the file holds."""
    return pd.read_csv(quick_run / "tidy.csv", dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("changed-tables")


def _kinds(frame: pd.DataFrame) -> list[Kind]:
    return [METRICS[name].kind for name in frame["metric"]]


def _reordered(draw: st.DrawFn, frame: pd.DataFrame) -> pd.DataFrame:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    rows = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
    return rows[list(rng.permutation(list(frame.columns)))]


def _positions(frame: pd.DataFrame, keep: Callable[[Kind, float], bool]) -> list[int]:
    numbers = pd.to_numeric(frame["value"]).tolist()
    return [
        i for i, (kind, v) in enumerate(zip(_kinds(frame), numbers, strict=True)) if keep(kind, v)
    ]


def _text(draw: st.DrawFn) -> str:
    return draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyzFAST", min_size=1, max_size=8))


@st.composite
def corrupted(draw: st.DrawFn, table: pd.DataFrame) -> Change:
    what = draw(st.sampled_from(ROW_CORRUPTIONS + COLUMN_CORRUPTIONS))
    frame = _reordered(draw, table) if draw(st.booleans()) else table.copy()
    if what in COLUMN_CORRUPTIONS:
        column = draw(st.sampled_from(COLUMNS))
        if what == "dropped column":
            return Change(what, frame.drop(columns=[column]), f"no column {column}: ")
        renamed = draw(st.sampled_from([column.upper(), f"{column}_", f" {column}"]))
        return Change(what, frame.rename(columns={column: renamed}), f"no column {column}: ")
    if what == "duplicated key":
        row = draw(st.integers(0, len(frame) - 1))
        doubled = pd.concat([frame, frame.iloc[[row]]], ignore_index=True)
        return Change(what, doubled, f"line {len(frame) + 2} (")
    # every kind's lower bound is 0 or more, so a negated positive value is outside it;
    # a time's bound is open, so 0 s is outside it
    eligible = {
        "negated": _positions(frame, lambda _kind, v: v > 0),
        "zeroed": _positions(frame, lambda kind, _v: kind.low_open),
    }.get(what, list(range(len(frame))))
    row = draw(st.sampled_from(eligible))
    column, text = "value", f"-{frame['value'].iloc[row]}"
    if what == "zeroed":
        text = "0"
    elif what in ("nan", "inf"):
        text = draw(st.sampled_from(["nan", "NaN"] if what == "nan" else ["inf", "-inf"]))
    elif what == "text":
        text = _text(draw)
    elif what == "unit":
        own = METRICS[frame["metric"].iloc[row]].kind.unit
        column, text = "unit", draw(st.sampled_from([unit for unit in UNITS if unit != own]))
    frame.loc[row, column] = text
    return Change(what, frame, f"line {row + 2} (")


@st.composite
def still_valid(draw: st.DrawFn, table: pd.DataFrame) -> Change:
    frame = table.copy()
    unbounded = sorted(
        name
        for name in set(frame["metric"])
        if not METRICS[name].kind.flag and math.isinf(METRICS[name].kind.high)
    )
    for metric in draw(st.lists(st.sampled_from(unbounded), max_size=6, unique=True)):
        factor = draw(st.floats(min_value=1e-3, max_value=1e3))
        rows = frame["metric"] == metric
        frame.loc[rows, "value"] = [repr(float(v) * factor) for v in frame.loc[rows, "value"]]
    if draw(st.booleans()):
        frame = _reordered(draw, frame)
    return Change("scaled or reordered", frame, None)


@settings(DERANDOMISED, max_examples=120)  # each kind of change about ten times
@given(data=st.data())
def test_a_changed_table_is_refused_in_one_line_or_read_whole(
    table: pd.DataFrame, scratch: Path, data: st.DataObject
) -> None:
    change = data.draw(st.one_of(corrupted(table), still_valid(table)))
    path = scratch / "tidy.csv"
    change.frame.to_csv(path, index=False)
    if change.refusal is None:
        assert len(read_tidy_table(path)) == len(table)
        return
    with pytest.raises(RunFolderError) as refused:
        read_tidy_table(path)
    message = str(refused.value)
    assert "\n" not in message, change.what
    assert message.startswith(f"{path}: {change.refusal}"), (change.what, message)


@settings(DERANDOMISED, max_examples=4)
@given(data=st.data())
def test_the_real_command_refuses_a_corrupted_run_in_one_line(
    quick_run: Path, table: pd.DataFrame, scratch: Path, data: st.DataObject
) -> None:
    change = data.draw(corrupted(table))
    run = scratch / "run"
    shutil.rmtree(run, ignore_errors=True)
    shutil.copytree(quick_run, run)
    change.frame.to_csv(run / "tidy.csv", index=False)
    refusal = one_line_refusal(run_command("reports", "--run", run), change.what)
    assert refusal.startswith(f"error: {run}/tidy.csv: {change.refusal}"), (change.what, refusal)
    assert not [name for name in REPORT_OUTPUTS if (run / name).exists()], change.what
