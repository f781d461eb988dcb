"""Where a verdict holds: the data size it was measured at and, for a load claim, the offered load.

A verdict travels further than its evidence unless it names its conditions:
an index claim judged at ``tiny`` (5,000 orders) says nothing about the
write-up's production size, and "40-60 % faster" at half of capacity says
nothing about a server near saturation. Every verdict therefore carries the
size of the table that matters (the orders table names a dataset's size, as
``portal.datagen``'s scales do; a benchmark series names its own table) and,
for a load claim judged in the open model, the rate offered and its share of
the slowest arm's closed-model capacity. The terminal table, ``verdicts.json``,
``verdicts.md`` and the report all show it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from loadtests.capacity import Capacity, slowest
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

    @property
    def capacity_share(self) -> float | None:
        if self.rate_per_s is None or not self.capacity_per_s:
            return None
        return self.rate_per_s / self.capacity_per_s

    def document(self) -> dict[str, Any]:
        return {**asdict(self), "capacity_share": self.capacity_share}

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
        return (
            f"{self.rate_per_s:g}/s offered ({share * 100:.0f} % of capacity, "
            f"{self.capacity_per_s:.0f}/s{over}{given})"
        )

    def describe(self) -> str:
        return "; ".join(part for part in (self.size(), self.load()) if part)

    def short(self) -> str:
        """The terminal table's column: ``100k orders``, ``100k orders @ 50 %``."""
        size = "" if self.rows is None else _thousands(self.rows) + f" {self.table}"
        if self.extrapolation:
            size += " (extrap.)"
        share = self.capacity_share
        load = "" if share is None else f"@ {share * 100:.0f} %"
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
    capacity = _capacity(run.tidy)
    return Conditions(
        scale=sized.scale,
        rows=sized.rows,
        table=sized.table,
        rate_per_s=load.open_rate,
        capacity_per_s=capacity.per_s if capacity else None,
        capacity_runs=capacity.runs if capacity else 0,
        capacity_arm=capacity.arm if capacity else "",
        rate_given=bool(load.open_rate_given),
    )


def _capacity(tidy: pd.DataFrame) -> Capacity | None:
    """The slowest arm's closed-model throughput: what the open model's rate is a share of
    (the runner's own estimator, ``loadtests/capacity.py``)."""
    if tidy.empty:
        return None
    closed = tidy[
        (tidy["suite"] == "load")
        & (tidy["series"] == ALL)
        & (tidy["variant"] == "closed")
        & (tidy["metric"] == "throughput")
    ]
    return slowest({str(arm): list(rows["value"]) for arm, rows in closed.groupby("arm")})


def _thousands(rows: int) -> str:
    """``100000`` -> ``100k``, ``1240000`` -> ``1.24M``, ``5000`` -> ``5k``."""
    if rows >= 1_000_000:
        return f"{rows / 1e6:.3g}M"
    if rows >= 1_000:
        return f"{rows / 1e3:.3g}k"
    return str(rows)
