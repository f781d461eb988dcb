"""Every metric a tidy table may hold, with its unit and the values it can take: declared once.

The writers are ``benchmarks/tidy.py`` (a benchmark round: ``time``,
``reference``, ``statements``, ``cache_hit``) and ``loadtests/run_files.py`` (a
load run's figures per route and ``ALL``). The check (``tidy.py`` here) reads
this table and nothing else; ``tests/reports/test_run_schema.py`` runs both
writers through every branch and fails on a metric they emit that is not
declared here, or declared with another unit.

Each metric has a kind, and the kind says what a value can be. A time of 0 s
or below is no time, whatever made it; a count, a rate or a CPU share is never
negative; a ratio is a share of something, within [0, 1]; a flag is 0 or 1.
Nothing is infinite and nothing is NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Kind:
    """What one kind of figure can be: its unit and its range, lower bound open or closed."""

    name: str
    unit: str
    rule: str  # the sentence a refused value is told
    low: float = 0.0
    low_open: bool = False  # the bound itself is refused (a time of 0 s)
    high: float = math.inf
    flag: bool = False  # 0 or 1 and nothing between
    # A zero that means "nothing was recorded", never a measured zero: the reader
    # takes such a row as absent (so "no evidence"), never as a figure of 0.
    zero_is_unrecorded: bool = False

    def allows(self, values: Array) -> NDArray[np.bool_]:
        """Per value: whether this kind can hold it (NaN and infinities never)."""
        finite = np.isfinite(values)
        if self.flag:
            within: NDArray[np.bool_] = (values == 0) | (values == 1)
        else:
            above = values > self.low if self.low_open else values >= self.low
            within = above & (values <= self.high)
        return finite & within


TIME = Kind("time", "s", "a time must be finite and > 0 s", low_open=True)
# Load-test latencies come from HDR histograms, whose smallest recorded value is
# 1 µs: 0 is what loadtests/recorder.py's latency_summary gives for an empty
# histogram (the open model's intended start is kept for a task's first request
# only, so a route reached second in its task has none).
LATENCY = Kind(
    "latency",
    "s",
    "a latency must be finite and > 0 s (or 0: none recorded)",
    zero_is_unrecorded=True,
)
COUNT = Kind("count", "1", "a count must be finite and >= 0")
PER_REQUEST = Kind("per-request count", "1", "statements per request must be finite and >= 0")
RATE = Kind("rate", "1/s", "a rate must be finite and >= 0 per second")
SHARE = Kind("share", "1", "a ratio must be within [0, 1]", high=1.0)
FLAG = Kind("flag", "1", "a flag must be 0 or 1", flag=True)
CORES = Kind("CPU share", "cores", "a CPU share must be finite and >= 0 cores")

BENCHMARK_SUITES = ("queries", "endpoints")
LOAD_SUITES = ("load",)
SUITES = (*BENCHMARK_SUITES, *LOAD_SUITES)


@dataclass(frozen=True)
class Metric:
    kind: Kind
    suites: tuple[str, ...]


def _load(kind: Kind, *names: str) -> dict[str, Metric]:
    return {name: Metric(kind, LOAD_SUITES) for name in names}


_LATENCIES = ("p50", "p90", "p99", "p99.9", "max", "mean")

METRICS: dict[str, Metric] = {
    # benchmarks/tidy.py: per benchmark round
    "time": Metric(TIME, BENCHMARK_SUITES),
    "reference": Metric(TIME, BENCHMARK_SUITES),
    "statements": Metric(COUNT, BENCHMARK_SUITES),
    "cache_hit": Metric(FLAG, BENCHMARK_SUITES),
    # loadtests/run_files.py: per load run, route and ALL
    **_load(COUNT, "requests", "failures", "x_cache_hit", "x_cache_miss"),
    **_load(RATE, "throughput"),
    **_load(LATENCY, *(f"latency_{name}" for name in _LATENCIES)),
    **_load(LATENCY, *(f"intended_{name}" for name in _LATENCIES)),
    **_load(SHARE, "hit_ratio"),
    # loadtests/run_files.py: per load run, ALL only (the servers' counters, the CPU, the schedule)
    **_load(COUNT, "db_statements", "portal_statements"),
    **_load(PER_REQUEST, "db_statements_per_request", "portal_statements_per_request"),
    **_load(
        COUNT, "db_transactions", "db_tup_returned", "db_tup_fetched", "db_blks_hit", "db_blks_read"
    ),
    **_load(COUNT, "seq_scans", "idx_scans", "redis_keyspace_hits", "redis_keyspace_misses"),
    # the portal's cache layer, from its /metrics: the hit ratio's second witness
    **_load(COUNT, "portal_cache_hit", "portal_cache_miss"),
    **_load(SHARE, "portal_hit_ratio", "redis_hit_ratio"),
    **_load(CORES, "cpu_generator", "cpu_portal", "cpu_postgres", "cpu_redis"),
    **_load(CORES, "cpu_others", "cpu_steal"),  # the machine's, beside ours (loadtests/cpu.py)
    **_load(COUNT, "scheduled_starts", "late_starts"),
    **_load(RATE, "offered_rate"),
    **_load(FLAG, "valid"),
    **_load(SHARE, "hit_ratio_second"),  # per second of the run, in ``round``
}
