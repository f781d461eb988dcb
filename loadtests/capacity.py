"""The open model's operating point: the slowest arm's closed-model capacity, from several runs.

The load claims are judged "at half of capacity", and a latency effect moves
with the share it is judged at: the uncached arm queues more as the share
grows. One closed run is a poor measure of that capacity on a shared 2-core
machine: six 10 s runs of all-off back to back measured 222-300 requests/s
(coefficient of variation 10.8 %), and across five default runs the
``api-latency`` estimate followed the rate so set (54.3 % at 134/s, 64.0 % at
163/s), spreading more than its intervals allow. The rate therefore rests on
the median of ``capacity_runs`` closed runs of the slowest arm, spread over a
minute, fresh portal each (five runs of 5 s measured: a spread of about 4-5 %,
for about 40 s more than one run of 10 s). The median, not the mean: one run
caught in a neighbour's burst should not move the operating point of all the
rest.

The estimator lives here once: the runner sets the rate with it and the report
names the capacity (``reports/conditions.py``) with it.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Capacity:
    arm: str  # the slowest arm
    per_s: float  # the median of its closed runs' throughput
    runs: int  # how many closed runs of it that median is over


def slowest(throughputs: Mapping[str, Sequence[float]]) -> Capacity | None:
    """The arm with the lowest median closed-model throughput; None without any run."""
    medians = {arm: statistics.median(v) for arm, v in throughputs.items() if len(v) > 0}
    if not medians:
        return None
    arm = min(medians, key=lambda name: medians[name])
    return Capacity(arm=arm, per_s=float(medians[arm]), runs=len(throughputs[arm]))


def open_rate(capacity: Capacity, share: float) -> float:
    """The offered rate at ``share`` of ``capacity``: tasks per second, at least 1."""
    return max(1.0, round(capacity.per_s * share, 1))
