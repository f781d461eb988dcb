"""The load runs' HDR histograms, read back: merged per arm and routes, as percentiles and CDFs.

The tidy table has each run's percentiles, but percentiles do not average:
the latency of an arm over its repetitions, or of the cached routes
together, is the percentile of the *merged* histogram, which HDR histograms
give exactly (``loadtests/recorder.py`` wrote them). Only the measured phase
is read; the warm-up is the hit-ratio plot's business.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from hdrh.histogram import HdrHistogram
from numpy.typing import NDArray

from benchmarks.manifest import Manifest
from loadtests.recorder import PERCENTILES, new_histogram

Kind = Literal["service", "intended"]
Counts = NDArray[np.int64]
Array = NDArray[np.float64]


@dataclass(frozen=True)
class RunKey:
    model: str
    arm: str
    repetition: int

    @property
    def name(self) -> str:
        return f"{self.model}-{self.arm}-{self.repetition}"


@dataclass(frozen=True)
class _Buckets:
    """What every histogram of the recorder's layout shares: each bucket's values, µs."""

    highest: Array  # the highest value a bucket holds: what a percentile reports
    middle: Array  # its median-equivalent value: what a mean is computed from


@cache
def _buckets() -> _Buckets:
    layout = new_histogram()
    values = [layout.get_value_from_index(i) for i in range(layout.counts_len)]
    return _Buckets(
        np.array([layout.get_highest_equivalent_value(v) for v in values], dtype=np.float64),
        # hdrh's own mean uses this (private) value per bucket; the test compares the two
        np.array([layout._hdr_median_equiv_value(v) for v in values], dtype=np.float64),
    )


def _counts(histogram: HdrHistogram) -> Counts:
    return np.ctypeslib.as_array(histogram.counts).astype(np.int64)


@dataclass
class Recordings:
    """Every load run's measured routes, their histograms' bucket counts decoded on first use.

    Counts as numpy arrays rather than ``HdrHistogram`` objects: hdrh's own
    mean and percentiles walk all 17,408 buckets in Python, which made a
    quick run's report take ten seconds; summing arrays takes microseconds.
    """

    runs: dict[RunKey, dict[str, Any]] = field(default_factory=dict)  # route -> raw record
    missing: list[str] = field(default_factory=list)  # runs the manifest names with no file
    _decoded: dict[tuple[RunKey, str, Kind], Counts] = field(default_factory=dict)

    def counts(self, key: RunKey, route: str, kind: Kind) -> Counts | None:
        raw = self.runs.get(key, {}).get(route)
        if raw is None:
            return None
        found = self._decoded.get((key, route, kind))
        if found is None:
            found = _counts(HdrHistogram.decode(raw[kind].encode()))
            self._decoded[(key, route, kind)] = found
        return found

    def routes(self) -> list[str]:
        return sorted({route for routes in self.runs.values() for route in routes})

    def merged(
        self, keys: Iterable[RunKey], routes: Iterable[str] | None, kind: Kind
    ) -> Counts | None:
        """The bucket counts of ``routes`` (None: every route) in the runs ``keys``, added."""
        wanted = None if routes is None else set(routes)
        parts = [
            found
            for key in keys
            for route in self.runs.get(key, {})
            if wanted is None or route in wanted
            if (found := self.counts(key, route, kind)) is not None
        ]
        if not parts:
            return None
        total: Counts = np.sum(parts, axis=0)
        return total if total.sum() else None


def read_recordings(load_path: Path, load_manifest: Manifest) -> Recordings:
    """The finished runs of the load manifest, from ``load-<model>-<arm>-<rep>.json``."""
    found = Recordings()
    for run in load_manifest.runs or []:
        key = RunKey(run.model, run.arm, run.repetition)
        path = load_path / f"load-{key.name}.json"
        try:
            document = json.loads(path.read_text())
        except (OSError, ValueError):
            found.missing.append(key.name)
            continue
        found.runs[key] = dict(document.get("measured", {}).get("routes", {}))
    return found


def total(counts: Counts) -> int:
    return int(counts.sum())


def cdf(counts: Counts) -> tuple[list[float], list[float]]:
    """Seconds and the fraction of requests at or below, one step per recorded bucket."""
    used = np.flatnonzero(counts)
    cumulative = np.cumsum(counts[used]) / counts.sum()
    return (_buckets().highest[used] / 1e6).tolist(), cumulative.tolist()


def percentile(counts: Counts, percent: float) -> float:
    """Seconds at ``percent``, as HDR reports it (the highest value of the bucket reached)."""
    everything = int(counts.sum())
    target = max(int(min(percent, 100.0) * everything / 100 + 0.5), 1)
    index = int(np.searchsorted(np.cumsum(counts), target))
    return float(_buckets().highest[index]) / 1e6


def summary(counts: Counts | None) -> dict[str, float] | None:
    """Count, p50, p90, p99, p99.9, max and mean (seconds), None without a histogram."""
    if counts is None:
        return None
    found = {"count": float(counts.sum())}
    for percent in PERCENTILES:
        found[f"p{percent:g}_s"] = percentile(counts, percent)
    found["max_s"] = float(_buckets().highest[np.flatnonzero(counts)[-1]]) / 1e6
    found["mean_s"] = float((_buckets().middle * counts).sum() / counts.sum()) / 1e6
    return found
