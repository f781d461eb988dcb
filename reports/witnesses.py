"""Second witnesses: the same figure counted by another party, beside the one a verdict uses.

A hit ratio read only from the ``X-Cache`` headers the generator saw trusts
the header; a cache that counts one request twice, or a header that says HIT
on a recomputed answer, would go unseen. So each window also keeps the
portal's own counts (``loadtests/server_counters.py``): its cache layer's hits
and misses beside ``X-Cache``, its statement counter beside PostgreSQL's
``pg_stat_statements``. The claim's ``metric`` names the witness its verdict
uses; every other witness of the same figure is estimated the same way, over
the same units, at the same level, and shown beside it. When their intervals
do not overlap, the two counts disagree beyond what sampling explains and the
report says so.

One pair differs by construction: ``pg_stat_statements`` counts every
statement PostgreSQL ran, transaction control (``BEGIN``, ``COMMIT``)
included, while the portal counts its own queries. Their levels differ; a
claim about a *reduction* compares like with like only if the overhead scales
with the queries, which is what the flag then tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from reports.evidence import Evidence, NoEvidence

if TYPE_CHECKING:
    from reports.claims import Claim
    from reports.run_folder import RunFolder

    Estimator = Callable[[Claim, RunFolder], Evidence]


@dataclass(frozen=True)
class Witness:
    metric: str  # the per-window figure, as the load run's tidy table names it
    name: str  # who counted it, for the report
    # False: shown for context, never compared (it counts something else by construction).
    compared: bool = True


# Each group: the witnesses of one figure. The first is the claims file's default.
GROUPS: tuple[tuple[Witness, ...], ...] = (
    (
        Witness("hit_ratio", "X-Cache headers (the generator)"),
        Witness("portal_hit_ratio", "the portal's cache counters"),
        # One MGET reads an entry and its version tokens, each key counted, and a stale
        # entry is a Redis hit but a portal miss: context, not a witness of responses.
        Witness(
            "redis_hit_ratio",
            "Redis's keyspace counters (version-token reads counted too; context, not compared)",
            compared=False,
        ),
    ),
    (
        Witness("db_statements_per_request", "PostgreSQL's pg_stat_statements"),
        Witness("portal_statements_per_request", "the portal's statement counter"),
    ),
)
BY_METRIC: dict[str, Witness] = {w.metric: w for group in GROUPS for w in group}


def others(metric: str) -> tuple[Witness, ...]:
    """The witnesses of the same figure as ``metric``, but ``metric`` itself."""
    for group in GROUPS:
        if any(w.metric == metric for w in group):
            return tuple(w for w in group if w.metric != metric)
    return ()


def witnessed(estimate: Estimator) -> Estimator:
    """``estimate``, with every other witness of the claim's figure in its details."""

    def with_witnesses(claim: Claim, run: RunFolder) -> Evidence:
        found = estimate(claim, run)
        if claim.metric not in BY_METRIC:
            return found
        used = _entry(BY_METRIC[claim.metric], found)
        entries = [used]
        for other in others(claim.metric):
            try:
                entries.append(_entry(other, estimate(replace(claim, metric=other.metric), run)))
            except (NoEvidence, ValueError, ArithmeticError) as missing:
                missed = {"metric": other.metric, "name": other.name, "missing": str(missing)}
                entries.append(missed)
        # With several portal workers the ones not answering /metrics publish their cache
        # counts every sampling period, longer than a 3 s window: no verdict on agreement.
        workers = (run.load_manifest or run.manifest).portal_workers or 1
        for entry in entries[1:]:
            compared = BY_METRIC[entry["metric"]].compared and workers == 1
            entry["agrees"] = _overlap(used, entry) if "value" in entry and compared else None
        disagreeing = [e["name"] for e in entries[1:] if e.get("agrees") is False]
        found.details["witnesses"] = entries
        found.details["witnesses_disagree"] = disagreeing
        return found

    with_witnesses.__doc__ = estimate.__doc__
    return with_witnesses


def _entry(witness: Witness, evidence: Evidence) -> dict[str, Any]:
    estimate = evidence.estimate
    return {"metric": witness.metric, "name": witness.name, "value": estimate.value,
            "low": estimate.low, "high": estimate.high, "n": estimate.n}  # fmt: skip


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool | None:
    """Whether two intervals share a point; None when either has none (one unit).

    Deliberately coarse: both witnesses count the same windows, so a paired test on
    their per-window difference would flag the small, known edge effects (a window's
    counters are read at its edges, its headers belong to the requests it started).
    Intervals that miss each other flag a disagreement larger than sampling and those
    edges explain: a double count, a header set on a recomputed answer."""
    if None in (a["low"], a["high"], b["low"], b["high"]):
        return None
    return bool(a["low"] <= b["high"] and b["low"] <= a["high"])


def describe(details: dict[str, Any], percent: Callable[[float], str]) -> list[str]:
    """One line per witness: who counted, the figure and interval, and whether it agrees."""
    lines = []
    for n, entry in enumerate(details.get("witnesses", [])):
        role = "verdict's" if n == 0 else "beside it"
        if "missing" in entry:
            lines.append(f"{entry['name']} ({role}): no figure: {entry['missing']}")
            continue
        verdict = {True: ": agrees", False: ": DISAGREES beyond both intervals", None: ""}
        said = verdict[entry.get("agrees")] if n else ""
        lines.append(f"{entry['name']} ({role}): {figure_text(entry, percent)}{said}")
    return lines


def figure_text(entry: Mapping[str, Any], percent: Callable[[float], str]) -> str:
    """``value [low, high]`` of an entry with those keys; the value alone without an interval."""
    span = (
        f" [{percent(entry['low'])}, {percent(entry['high'])}]"
        if entry["low"] is not None and entry["high"] is not None
        else ""
    )
    return f"{percent(entry['value'])}{span}"
