"""The tidy table checked whole before anything reads a figure from it.

Refused, with the first offending line (as a text editor numbers it, the
header being line 1) and how many more there are:

- a column of ``benchmarks/tidy.py``'s ``COLUMNS`` missing (dropped, renamed:
  an older format or not our table);
- a row without its suite, series, arm, variant, scale, metric or unit; a
  suite or metric no writer emits, or a metric in another suite than its own;
- a unit other than the metric's (``metrics.py``);
- a value that is not a number, or outside its kind's range (``metrics.py``);
- a ``rows``, ``repetition`` or ``round`` that is not a whole number >= 0;
- two rows with the same key (suite, series, arm, variant, scale,
  repetition, round, metric): one figure measured twice is not two figures.

A series that is simply absent is not refused: the claims that need it say
"no evidence".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from benchmarks.tidy import COLUMNS
from reports.run_schema.metrics import METRICS, SUITES
from reports.run_schema.refused import RunFolderError

KEY = ("suite", "series", "arm", "variant", "scale", "repetition", "round", "metric")
NAMED = ("suite", "series", "arm", "variant", "scale", "metric", "unit")  # never empty
WHOLE = ("rows", "repetition", "round")
TEXT = tuple(c for c in COLUMNS if c not in (*WHOLE, "value"))
HEADER_LINES = 1

Mask = NDArray[np.bool_]


@dataclass(frozen=True)
class _Rule:
    """Rows that break one rule, and what to say about one of them (by its position)."""

    bad: Mask
    problem: Callable[[int], str]


def read_tidy_table(path: Path) -> pd.DataFrame:
    """``tidy.csv`` read and checked; :class:`RunFolderError` naming the line when it is not."""
    try:
        # Only an empty cell is missing: "NA" or "None" is text, "nan" a value to refuse.
        frame = pd.read_csv(
            path, dtype=dict.fromkeys(TEXT, str), keep_default_na=False, na_values=[""]
        )
    except (OSError, ValueError) as error:
        raise RunFolderError(f"{path}: not a readable table ({error})") from None
    check_tidy(frame, path)
    return frame


def check_tidy(frame: pd.DataFrame, path: Path) -> None:
    """Refuse ``frame`` (the table of ``path``) unless every row holds a possible figure."""
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise RunFolderError(
            f"{path}: no column {', '.join(missing)}: an older result format, or not a "
            "perfproof tidy table"
        )
    if frame.empty:
        return
    rules = list(_rules(frame))
    bad = np.logical_or.reduce([rule.bad for rule in rules])
    if not bad.any():
        return
    first = int(np.flatnonzero(bad)[0])
    rule = next(rule for rule in rules if rule.bad[first])
    more = int(bad.sum()) - 1
    raise RunFolderError(
        f"{path}: line {first + HEADER_LINES + 1} ({_where(frame, first)}): {rule.problem(first)}"
        + (f" (and {more} more line{'s' if more > 1 else ''} with problems)" if more else "")
    )


def without_unrecorded(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows that hold a figure: a latency of 0 is "none recorded" (``metrics.LATENCY``)."""
    unrecorded = [name for name, metric in METRICS.items() if metric.kind.zero_is_unrecorded]
    if frame.empty or "metric" not in frame.columns:
        return frame
    drop = frame["metric"].isin(unrecorded).to_numpy() & (
        pd.to_numeric(frame["value"], errors="coerce").to_numpy() == 0
    )
    return frame[~drop].reset_index(drop=True) if drop.any() else frame


def _cell(frame: pd.DataFrame, column: str, row: int) -> str:
    value = frame[column].iloc[row]
    return "?" if pd.isna(value) else str(value)


def _where(frame: pd.DataFrame, row: int) -> str:
    suite = _cell(frame, "suite", row)
    model = f" {_cell(frame, 'variant', row)}" if suite == "load" else ""
    return (
        f"{suite} {_cell(frame, 'series', row)} @{_cell(frame, 'arm', row)}{model}, "
        f"{_cell(frame, 'metric', row)}"
    )


def _rules(frame: pd.DataFrame) -> Iterator[_Rule]:
    """Every rule a row can break, in the order a row's first problem is told."""
    for column in NAMED:
        text = frame[column]
        empty = (text.isna() | (text.astype(str).str.strip() == "")).to_numpy()
        yield _Rule(empty, partial(_said, f"no {column}"))
    yield from _names(frame)
    yield from _values(frame)
    yield from _whole_numbers(frame)
    yield _duplicates(frame)


def _names(frame: pd.DataFrame) -> Iterator[_Rule]:
    suite, metric, unit = (frame[c].astype(str) for c in ("suite", "metric", "unit"))
    known = metric.isin(list(METRICS)).to_numpy()
    yield _Rule(
        ~suite.isin(SUITES).to_numpy(),
        lambda row: f"unknown suite {suite.iloc[row]!r} (known: {', '.join(SUITES)})",
    )
    yield _Rule(
        ~known, lambda row: f"unknown metric {metric.iloc[row]!r} (no perfproof writer emits it)"
    )
    declared = [METRICS[name] if ok else None for name, ok in zip(metric, known, strict=True)]
    elsewhere = np.array(
        [m is not None and s not in m.suites for m, s in zip(declared, suite, strict=True)]
    )
    yield _Rule(
        elsewhere,
        lambda row: (
            f"metric {metric.iloc[row]} is not a {suite.iloc[row]} metric (it is "
            f"written by {', '.join(METRICS[metric.iloc[row]].suites)})"
        ),
    )
    other_unit = np.array(
        [m is not None and u != m.kind.unit for m, u in zip(declared, unit, strict=True)]
    )
    yield _Rule(
        other_unit,
        lambda row: (
            f"unit {unit.iloc[row]!r}, and {metric.iloc[row]} is in "
            f"{METRICS[metric.iloc[row]].kind.unit!r}"
        ),
    )


def _values(frame: pd.DataFrame) -> Iterator[_Rule]:
    raw = frame["value"]
    numbers = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
    blank = raw.isna().to_numpy()
    # "nan" is a number of a kind (float("nan")), refused below for its range, not its spelling
    spelled_nan = raw.astype(str).str.strip().str.lower().isin(["nan", "+nan", "-nan"])
    text = np.isnan(numbers) & ~blank & ~spelled_nan.to_numpy()
    yield _Rule(text, lambda row: f"value {raw.iloc[row]!r} is not a number")
    metric = frame["metric"].astype(str)
    outside = np.zeros(len(frame), dtype=bool)
    for name, declared in METRICS.items():
        rows = (metric == name).to_numpy()
        if rows.any():
            outside[rows] = ~declared.kind.allows(numbers[rows])

    def problem(row: int) -> str:
        rule = METRICS[metric.iloc[row]].kind.rule
        if blank[row]:
            return f"no value (empty, or NaN): {rule}"
        return f"value {numbers[row]:g} {frame['unit'].iloc[row]}: {rule}"

    yield _Rule(outside & ~text, problem)


def _whole_numbers(frame: pd.DataFrame) -> Iterator[_Rule]:
    for column in WHOLE:
        raw = frame[column]
        numbers = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore"):
            whole = np.isfinite(numbers) & (numbers >= 0) & (np.floor(numbers) == numbers)
        yield _Rule(~whole, partial(_not_whole, column, raw))


def _said(problem: str, _row: int) -> str:
    return problem


def _not_whole(column: str, raw: pd.Series, row: int) -> str:
    return f"{column} {raw.iloc[row]!r} is not a whole number >= 0"


def _duplicates(frame: pd.DataFrame) -> _Rule:
    repeated = frame.duplicated(subset=list(KEY), keep="first").to_numpy()

    def problem(row: int) -> str:
        same = np.ones(len(frame), dtype=bool)
        for column in KEY:
            same &= (frame[column] == frame[column].iloc[row]).fillna(False).to_numpy(dtype=bool)
        earlier = np.flatnonzero(same)
        line = f"line {int(earlier[0]) + HEADER_LINES + 1}" if earlier.size else "an earlier line"
        return f"repeats {line} (the same {', '.join(KEY)})"

    return _Rule(repeated, problem)
