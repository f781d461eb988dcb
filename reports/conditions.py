"""Where a verdict holds: the data size it was measured at and, for a load claim, the offered load.

A verdict travels further than its evidence unless it names its conditions:
an index claim judged at ``tiny`` (5,000 orders) says nothing about the
write-up's production size, and "40-60 % faster" at half of capacity says
nothing about a server near saturation. Every verdict therefore carries the
size of the table that matters (the orders table names a dataset's size, as
``portal.datagen``'s scales do; a benchmark series names its own table) and,
for a load claim judged in the open model, the rate offered and its share of
the slowest arm's closed-model capacity, and, where the run measured that arm
again after its units, the share of that capacity too: a machine that slowed or
sped up during the units moved the operating point, and the verdict says so
(``loadtests/capacity.py``). Where the rate followed the closed runs between the
units, the verdict names the rates in turn and judges at their mean. The terminal
table, ``verdicts.json``, ``verdicts.md`` and the report all show it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, cast

import pandas as pd

from benchmarks.manifest import CapacityAfter, RateFollowed
from loadtests.capacity import Capacity, ClosedRun, change, counted, moved, recheck, slowest
from reports.run_folder import RunFolder
from reports.series import ALL

SIZE_TABLE = "orders"  # a dataset's size is named by its orders (portal.datagen.SCALES)


@dataclass(frozen=True)
class Conditions:
    scale: str = ""
    rows: int | None = None  # of ``table``, at the size judged
    table: str = ""
    extrapolation: bool = False  # the size lies beyond every size measured
    rate_per_s: float | None = None  # the open model's offered rate, tasks per second
    capacity_per_s: float | None = None  # the slowest arm's closed-model throughput
    capacity_runs: int = 0  # the closed runs of it that throughput is the median of
    capacity_arm: str = ""
    rate_given: bool = False  # --rate: pinned, not a share of this run's capacity
    after_per_s: float | None = None  # the same arm's capacity measured after the units
    after_runs: int = 0
    # The rates the units were offered in turn, when the rate followed the closed runs
    # between them (``loadtests/capacity.py``); ``rate_per_s`` is then the units' mean.
    rates_followed: tuple[float, ...] = ()

    @property
    def after_share(self) -> float | None:
        if self.rate_per_s is None or not self.after_per_s:
            return None
        return self.rate_per_s / self.after_per_s

    @property
    def capacity_moved(self) -> bool:
        """The capacity after the units is further from the one before than ``MOVED``."""
        if not self.capacity_per_s or not self.after_per_s:
            return False
        return moved(*self._capacities())

    def _capacities(self) -> tuple[Capacity, Capacity]:
        assert self.capacity_per_s and self.after_per_s
        return (Capacity(self.capacity_arm, self.capacity_per_s, self.capacity_runs),
                Capacity(self.capacity_arm, self.after_per_s, self.after_runs))  # fmt: skip

    @property
    def capacity_share(self) -> float | None:
        if self.rate_per_s is None or not self.capacity_per_s:
            return None
        return self.rate_per_s / self.capacity_per_s

    def document(self) -> dict[str, Any]:
        return {**asdict(self), "capacity_share": self.capacity_share,
                "after_share": self.after_share, "capacity_moved": self.capacity_moved}  # fmt: skip

    def size(self) -> str:
        """``small, 100,000 orders``; ``1,240,000 orders (extrapolated)``."""
        if self.rows is None:
            return self.scale
        rows = f"{self.rows:,} {self.table}" + (" (extrapolated)" if self.extrapolation else "")
        named = self.scale and not self.scale[0].isdigit()  # the growth fit's own size
        return f"{self.scale}, {rows}" if named else rows

    def load(self) -> str:
        """``152/s offered (50 % of capacity, 304/s)``; empty for a claim not judged under load."""
        if self.rate_per_s is None:
            return ""
        share = self.capacity_share
        if share is None:
            return f"{self.rate_per_s:g}/s offered"
        given = ", pinned by --rate" if self.rate_given else ""
        over = (
            f": {self.capacity_arm}, median of {self.capacity_runs} closed runs"
            if self.capacity_runs > 1
            else ""
        )
        offered = f"{self.rate_per_s:g}/s offered" + (" on average" if self.followed else "")
        return (
            f"{offered} ({share * 100:.0f} % of capacity, "
            f"{self.capacity_per_s:.0f}/s{over}{given}{self._followed()}{self._after()})"
        )

    @property
    def followed(self) -> bool:
        return len(set(self.rates_followed)) > 1

    def _followed(self) -> str:
        """``; the rate followed the closed runs between the units: 131 -> 127 -> 124/s``."""
        if not self.followed:
            return ""
        path = " -> ".join(f"{rate:g}" for rate in self.rates_followed)
        return f"; the rate followed the closed runs between the units: {path}/s"

    def _after(self) -> str:
        """``; 47 % of the 364/s measured after the units`` (and, moved, by how much)."""
        after = self.after_share
        if after is None or self.after_per_s is None:
            return ""
        said = f"; {after * 100:.0f} % of the {self.after_per_s:.0f}/s measured after the units"
        if self.capacity_moved:
            said += f": the capacity moved {change(*self._capacities()) * 100:+.0f} % during them"
        return said

    def describe(self) -> str:
        return "; ".join(part for part in (self.size(), self.load()) if part)

    def short(self) -> str:
        """The terminal table's column: ``100k orders``, ``100k orders @ 50 %``."""
        size = "" if self.rows is None else _thousands(self.rows) + f" {self.table}"
        if self.extrapolation:
            size += " (extrap.)"
        share, after = self.capacity_share, self.after_share
        load = "" if share is None else f"@ {share * 100:.0f} %"
        if share is not None and after is not None and self.capacity_moved:
            load = f"@ {share * 100:.0f}-{after * 100:.0f} %"
        return " ".join(part for part in (size or self.scale, load) if part)


def conditions_of(details: dict[str, Any], scale: str, suite: str, run: RunFolder) -> Conditions:
    """The conditions of one verdict, from its evidence's details and the run."""
    if "orders_rows" in details:  # the growth fit: the size it was judged at
        return Conditions(
            scale=scale,
            rows=int(details["orders_rows"]),
            table=SIZE_TABLE,
            extrapolation=bool(details.get("extrapolation")),
        )
    if "rows" in details and "size_table" in details:  # a benchmark series
        return Conditions(
            scale=scale,
            rows=int(details["rows"]),
            table=str(details["size_table"]),
            extrapolation=bool(details.get("extrapolation")),
        )
    rows = ((run.manifest.dataset_rows or {}).get(scale) or {}).get(SIZE_TABLE)
    sized = Conditions(scale=scale, rows=rows, table=SIZE_TABLE if rows is not None else "")
    if suite != "load" or not ("pairs" in details or "runs" in details):
        return sized
    load = run.load_manifest or run.manifest
    capacity, after = _capacity(run.tidy, load.capacity_after)
    return Conditions(
        scale=sized.scale,
        rows=sized.rows,
        table=sized.table,
        rate_per_s=load.open_rate,
        capacity_per_s=capacity.per_s if capacity else None,
        capacity_runs=capacity.runs if capacity else 0,
        capacity_arm=capacity.arm if capacity else "",
        rate_given=bool(load.open_rate_given),
        after_per_s=after.per_s if after else None,
        after_runs=after.runs if after else 0,
        rates_followed=_rates_followed(load.rate_followed),
    )


def _rates_followed(followed: list[RateFollowed] | None) -> tuple[float, ...]:
    """The rates the units were offered in turn: the first, then each closed run's."""
    if not followed:
        return ()
    return (followed[0].rate_before, *(step.rate for step in followed))


def _capacity(
    tidy: pd.DataFrame, after: CapacityAfter | None
) -> tuple[Capacity | None, Capacity | None]:
    """The slowest arm's closed-model throughput before the units (what the open model's rate
    is a share of: the runner's own estimator, ``loadtests/capacity.py``) and the same arm's
    after them, the runs the manifest's ``capacity_after`` names."""
    if tidy.empty:
        return None, None
    closed = tidy[
        (tidy["suite"] == "load")
        & (tidy["series"] == ALL)
        & (tidy["variant"] == "closed")
        & tidy["metric"].isin(["throughput", "cpu_steal", "cpu_others"])
    ]
    if closed.empty:
        return None, None
    wide = closed.pivot_table(index=["arm", "repetition"], columns="metric", values="value")
    runs: dict[bool, list[ClosedRun]] = {False: [], True: []}  # after the units?
    for key, row in wide.iterrows():
        arm, repetition = cast(tuple[str, int], key)
        if "throughput" not in row or pd.isna(row["throughput"]):
            continue
        later = after is not None and arm == after.arm and repetition in after.repetitions
        steal, others = _cores(row, "cpu_steal"), _cores(row, "cpu_others")
        runs[later].append(ClosedRun(str(arm), float(row["throughput"]), steal, others))
    capacity = slowest(counted(runs[False]))
    if capacity is None:
        return None, None
    return capacity, recheck(capacity, counted(runs[True]).get(capacity.arm, []))


def _cores(row: pd.Series, metric: str) -> float:
    """A closed run's CPU figure, 0 where the run folder predates it."""
    value = row.get(metric)
    return 0.0 if value is None or pd.isna(value) else float(value)


def _thousands(rows: int) -> str:
    """``100000`` -> ``100k``, ``1240000`` -> ``1.24M``, ``5000`` -> ``5k``."""
    if rows >= 1_000_000:
        return f"{rows / 1e6:.3g}M"
    if rows >= 1_000:
        return f"{rows / 1e3:.3g}k"
    return str(rows)
