"""The statistics a claim can be judged by: the rows of ``reports/statistic_rows.py``, each
with the estimator that turns a run folder into its number.

How it is estimated (``estimate``, in ``reports/evidence.py``; the arithmetic is
``reports/estimates.py``) is attached here; which evidence section the report
draws under the claim is the row's ``section`` (the page maps each
:class:`Section` to its drawing, so judging never imports the page). A new
statistic is one row there and, unless it is a functional check, one
estimator here; ``tests/reports/test_statistics.py`` checks that every row
has each part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from reports import evidence
from reports.per_rate import at_rates
from reports.statistic_rows import (
    LATENCY_METRICS,
    PER_REQUEST_METRICS,
    ROWS,
    Section,
    Statistic,
)
from reports.witnesses import witnessed

if TYPE_CHECKING:
    from reports.claims import Claim
    from reports.evidence import Evidence
    from reports.run_folder import RunFolder

    Estimator = Callable[[Claim, RunFolder], Evidence]

__all__ = ["LATENCY_METRICS", "PER_REQUEST_METRICS", "STATISTICS", "Section", "Statistic"]

ESTIMATORS: dict[str, Estimator] = {
    "median_reduction": evidence.median_reduction_of_rounds,
    "paired_reduction": at_rates(witnessed(evidence.paired_reduction_of_runs)),
    "level": at_rates(witnessed(evidence.level_of_runs)),
    "absolute_reduction": evidence.absolute_reduction_of_growth,
}

STATISTICS: dict[str, Statistic] = {
    row.name: replace(row, estimate=ESTIMATORS.get(row.name)) for row in ROWS
}
