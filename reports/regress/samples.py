"""What the gate compares, as a declared table, and each series' samples from a run's tidy table.

A gated series is one figure of one suite, arm, load model and data size
(:class:`SeriesKey`). :data:`GATED` says which figures are gated, which way
is worse and what one sample is: a benchmark round (queries, endpoints:
``time``), or one repetition of a whole load run (suite ``load``: per-run
latency percentiles and throughput, per route and ``ALL``). The load
figures are the closed model's throughput and service latency (capacity:
each run finds its own), and the open model's latency from the intended
start — comparable between two runs only at the same offered rate, which
each run sets from its own capacity, so :func:`offered_rates` lets the
comparison refuse open series whose rates differ.

Repetitions the load tests' validity guard marked invalid (``valid`` = 0 on
the ``ALL`` row) are left out, as the verdicts leave them out.

A benchmark round also carries its ``reference`` (``benchmarks/reference.py``:
a call with no portal work, timed just before it): :attr:`SideSamples.relative`
holds each round's time divided by it, the machine's speed of that moment
taken out, for the series whose every round has one.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from reports.regress.significance import Array

if TYPE_CHECKING:
    import pandas as pd

NO_MODEL = "-"  # benchmark series have no load model
BLOCKS_PER_RUN = 1000  # block labels: run number x this + the block (repetition) in the run


@dataclass(frozen=True)
class Gated:
    """One gated figure: where it is in the tidy table, which way is worse, what a sample is."""

    suite: str
    model: str
    metric: str
    higher_is_better: bool
    sample: str  # the unit of independence: "rounds" or "repetitions"


GATED: tuple[Gated, ...] = (
    Gated("queries", NO_MODEL, "time", higher_is_better=False, sample="rounds"),
    Gated("endpoints", NO_MODEL, "time", higher_is_better=False, sample="rounds"),
    Gated("load", "closed", "throughput", higher_is_better=True, sample="repetitions"),
    Gated("load", "closed", "latency_p50", higher_is_better=False, sample="repetitions"),
    Gated("load", "closed", "latency_p99", higher_is_better=False, sample="repetitions"),
    Gated("load", "open", "intended_p50", higher_is_better=False, sample="repetitions"),
    Gated("load", "open", "intended_p99", higher_is_better=False, sample="repetitions"),
)
GATED_BY_FIGURE = {(g.suite, g.model, g.metric): g for g in GATED}
SUITES = tuple(dict.fromkeys(g.suite for g in GATED))
LOAD_METRICS = tuple(dict.fromkeys(g.metric for g in GATED if g.suite == "load"))


@dataclass(frozen=True, order=True)
class SeriesKey:
    suite: str
    series: str
    arm: str
    model: str
    metric: str
    scale: str

    @property
    def gated(self) -> Gated:
        return GATED_BY_FIGURE[(self.suite, self.model, self.metric)]

    @property
    def label(self) -> str:
        """``queries orders.list_for_user[heavy] @indexed`` (the scale, model and metric only
        where they tell series apart)."""
        text = f"{self.suite} {self.series} @{self.arm}"
        if self.model != NO_MODEL:
            text += f" {self.model} {self.metric}"
        return text

    def document(self) -> dict[str, str]:
        return {
            "suite": self.suite,
            "series": self.series,
            "arm": self.arm,
            "model": self.model,
            "metric": self.metric,
            "scale": self.scale,
        }


Samples = Mapping[SeriesKey, Array]


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dict("records")  # type: ignore[return-value]


def _model(row: Mapping[str, Any]) -> str:
    """The load model of a row: the variant for suite load, ``-`` for the benchmarks."""
    return str(row["variant"]) if row["suite"] == "load" else NO_MODEL


def _invalid_repetitions(rows: Iterable[Mapping[str, Any]]) -> set[tuple[str, str, int]]:
    """(arm, model, repetition) of one run's load runs that the validity guard threw out."""
    return {
        (str(row["arm"]), str(row["variant"]), int(row["repetition"]))
        for row in rows
        if row["suite"] == "load"
        and row["series"] == "ALL"
        and row["metric"] == "valid"
        and float(row["value"]) == 0
    }


@dataclass(frozen=True)
class SideSamples:
    """One side's samples, and the series whose every repetition the validity guard refused."""

    samples: dict[SeriesKey, Array]
    all_invalid: frozenset[SeriesKey]
    # Per benchmark series, the block of each round (run and block of the interleaved arm):
    # rounds of one block, milliseconds apart, share that moment's noise.
    blocks: dict[SeriesKey, Array] = field(default_factory=dict)
    # Per benchmark series whose every round has its reference: time / reference, per round
    # in the order of ``samples``.
    relative: dict[SeriesKey, Array] = field(default_factory=dict)
    # Per benchmark suite, every reference time of the side (the machine's speed, and the
    # driver's and app's fixed cost, which the relative samples divide out).
    references: dict[str, Array] = field(default_factory=dict)


def gated_samples(frames: Iterable[pd.DataFrame]) -> SideSamples:
    """Every gated series of one side: the tidy tables of its runs, pooled.

    Several runs on one side (``--against`` measures each commit more than
    once) pool their rounds, or their repetitions, into one sample. A series
    whose every repetition is invalid is named apart: it must show up as
    not compared, not as "removed".
    """
    pooled: dict[SeriesKey, list[float]] = defaultdict(list)
    labels: dict[SeriesKey, list[float]] = defaultdict(list)
    ratios: dict[SeriesKey, list[float]] = defaultdict(list)
    suite_references: dict[str, list[float]] = defaultdict(list)
    refused: set[SeriesKey] = set()
    for number, frame in enumerate(frames):
        rows = _rows(frame)
        invalid = _invalid_repetitions(rows)
        references = _references(rows)
        for (suite, *_), seconds in references.items():
            suite_references[suite].append(seconds)
        for row in rows:
            model = _model(row)
            if (row["suite"], model, row["metric"]) not in GATED_BY_FIGURE:
                continue
            key = SeriesKey(
                str(row["suite"]),
                str(row["series"]),
                str(row["arm"]),
                model,
                str(row["metric"]),
                str(row["scale"]),
            )
            value = float(row["value"])
            if (key.arm, model, int(row["repetition"])) in invalid:
                refused.add(key)
            elif value > 0 or key.suite != "load":
                # (a load figure of nothing, no request finished, has no ratio: left out)
                pooled[key].append(value)
                labels[key].append(number * BLOCKS_PER_RUN + int(row["repetition"]))
                if key.gated.sample == "rounds":
                    found = references.get(_round_of(row))
                    ratios[key].append(value / found if found else math.nan)
    samples = {key: np.asarray(pooled[key], dtype=np.float64) for key in sorted(pooled)}
    blocks = {
        key: np.asarray(labels[key], dtype=np.float64)
        for key in samples
        if key.gated.sample == "rounds"
    }
    relative = {
        key: np.asarray(ratios[key], dtype=np.float64)
        for key in blocks
        if ratios[key] and all(math.isfinite(r) for r in ratios[key])
    }
    by_suite = {
        suite: np.asarray(values, dtype=np.float64) for suite, values in suite_references.items()
    }
    return SideSamples(samples, frozenset(refused - set(samples)), blocks, relative, by_suite)


def _round_of(row: Mapping[str, Any]) -> tuple[str, str, str, str, int, int]:
    return (
        str(row["suite"]),
        str(row["series"]),
        str(row["arm"]),
        str(row["scale"]),
        int(row["repetition"]),
        int(row["round"]),
    )


def _references(
    rows: Iterable[Mapping[str, Any]],
) -> dict[tuple[str, str, str, str, int, int], float]:
    """One run's reference times (benchmarks/reference.py), by the round they preceded."""
    return {
        _round_of(row): float(row["value"])
        for row in rows
        if row["metric"] == "reference" and float(row["value"]) > 0
    }


def offered_rates(frames: Iterable[pd.DataFrame]) -> dict[str, float]:
    """The open model's mean offered rate per data size over the side's valid repetitions."""
    rates: dict[str, list[float]] = defaultdict(list)
    for frame in frames:
        for row in _rows(frame):
            if (row["suite"], row["series"], row["metric"], row["variant"]) == (
                "load",
                "ALL",
                "offered_rate",
                "open",
            ):
                rates[str(row["scale"])].append(float(row["value"]))
    return {scale: float(np.mean(values)) for scale, values in rates.items() if values}


def compared_samples(
    sides: Sequence[SideSamples],
) -> tuple[list[dict[SeriesKey, Array]], frozenset[SeriesKey]]:
    """Each side's samples as the gate tests them, and the series tested relative.

    A benchmark series that has its references on every side is tested on
    time ÷ reference (``benchmarks/reference.py``); any other (a run from
    before the references, a load figure) on its own figures, alike on all sides.
    """
    relative = frozenset.intersection(*(frozenset(side.relative) for side in sides))
    tested = [
        {
            key: side.relative[key] if key in relative else values
            for key, values in side.samples.items()
        }
        for side in sides
    ]
    return tested, relative
