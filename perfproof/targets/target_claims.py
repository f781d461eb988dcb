"""A target's claims file, checked against the target: its arms, requests, checks and evidence.

The format is the portal's (``docs/claims.md``) and the statistics are the same
rows (``reports/statistic_rows.py``); what a claim may name is the target's
own: its arms, its declared requests (or any request name its Locust file
sends, known only once it has run), its benchmark series and its checks. A
claim that needs evidence the target does not declare is kept (the run will
say *no evidence* for it) and the plan says which key would provide it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from loadtests.watch import METRICS as WINDOW_METRICS
from loadtests.watch import Model
from perfproof.targets.model import Target, TargetError
from reports.statistic_rows import ROWS, Statistic
from reports.toml_files import read_toml
from reports.verdict_rule import Claimed

STATISTICS = {row.name: row for row in ROWS}
ALL = "ALL"  # every request of a load run together, as in the portal's claims
COMMON_KEYS = ("id", "quote", "note", "statistic", "suite", "at_least", "between",
               "measurable", "reason")  # fmt: skip
# The suite a target's claim reads, per statistic; absent: not available for a target.
TARGET_SUITES = {
    "paired_reduction": "load",
    "level": "load",
    "median_reduction": "benchmarks",
    "check": "checks",
}
# What a metric needs the target to declare, and the key that declares it.
NEEDS = {
    "db_statements_per_request": ("PostgreSQL's pg_stat_statements", "evidence.postgres_url"),
    "hit_ratio": ("a HIT/MISS response header", "evidence.hit_header"),
}
PORTAL_ONLY = ("portal_hit_ratio", "portal_statements_per_request")


@dataclass(frozen=True)
class TargetClaim:
    id: str
    statistic: str  # "" when not measurable
    said: str  # one line for the plan: what it compares, on what
    missing: str = ""  # the evidence it needs that the target does not declare
    table: Mapping[str, Any] = field(default_factory=dict)  # the claim as its file gives it


def claimed_of(table: Mapping[str, Any]) -> Claimed | None:
    """The claimed number or range of a checked claim; None for a check."""
    if "at_least" in table:
        return Claimed(float(table["at_least"]))
    if "between" in table:
        low, high = table["between"]
        return Claimed(float(low), float(high))
    return None


def model_of(table: Mapping[str, Any]) -> Model:
    """The load model a claim is judged in: ``open`` unless its ``models`` says closed."""
    models = table.get("models", [])
    models = [models] if isinstance(models, str) else models
    return "closed" if set(models) == {"closed"} else "open"


def check_claims(target: Target) -> list[TargetClaim]:
    """Every claim of the target's claims file, checked; :class:`TargetError` on the first
    problem, naming the claims file, the claim and the key."""
    if target.claims is None:
        return []
    path = target.claims
    document = read_toml(path, what="claims file", refuse=TargetError)
    unknown = sorted(set(document) - {"title", "source", "claims"})
    if unknown:
        raise TargetError(f"{path}: {unknown[0]}: unknown top-level key (known: title, source, "
                          "claims)")  # fmt: skip
    tables = document.get("claims")
    if not isinstance(tables, list) or not tables:
        raise TargetError(f"{path}: claims: no [[claims]] tables")
    found: list[TargetClaim] = []
    for number, table in enumerate(tables, start=1):
        name = str(table.get("id") or f"#{number}") if isinstance(table, dict) else f"#{number}"
        try:
            claim = _claim(table, target)
        except _Refused as refused:
            raise TargetError(f"{path}: claim {name}: {refused}") from None
        if any(other.id == claim.id for other in found):
            raise TargetError(f"{path}: claim {claim.id}: the id is used more than once")
        found.append(replace(claim, table=dict(table)))
    return found


class _Refused(Exception):
    pass


def _text(table: Mapping[str, Any], key: str) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise _Refused(f"{key}: must be a string, not {type(value).__name__}")
    return value


def _claim(table: Any, target: Target) -> TargetClaim:
    if not isinstance(table, dict):
        raise _Refused("each [[claims]] entry must be a table")
    identifier, quote = _text(table, "id"), _text(table, "quote")
    if not identifier or not quote:
        raise _Refused(f"{'id' if not identifier else 'quote'}: missing: it is required")
    if table.get("measurable", True) is False:
        if not _text(table, "reason"):
            raise _Refused("reason: a claim with measurable = false says why")
        return TargetClaim(identifier, "", "not measurable: " + _text(table, "reason"))
    name = _text(table, "statistic")
    how = STATISTICS.get(name)
    if how is None:
        raise _Refused(f"statistic: {name!r} unknown (known: {', '.join(STATISTICS)})")
    suite = TARGET_SUITES.get(name)
    if suite is None:
        raise _Refused(f"statistic: {name} reads the portal's growth mode, which a target "
                       f"does not have (a target's: {', '.join(TARGET_SUITES)})")  # fmt: skip
    stray = sorted(set(table) - set(COMMON_KEYS) - set(how.fields) - {"at_rows"})
    if stray:
        claimed = "" if how.functional else ", and at_least or between"
        raise _Refused(f"{stray[0]}: {name} takes no such key (it reads "
                       f"{', '.join(how.fields)}{claimed})")  # fmt: skip
    if _text(table, "suite") not in ("", suite):
        raise _Refused(f"suite: a target's {name} reads suite {suite!r}")
    _claimed(table, how)
    return _named(identifier, table, how, target)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _claimed(table: Mapping[str, Any], how: Statistic) -> None:
    """The claimed number (none for a check: it holds when its command exits 0), the
    precision target and the load models, each of the right type."""
    if how.functional:
        for key in ("at_least", "between", "count"):
            if key in table:
                raise _Refused(f"{key}: a target's check holds when its command exits 0; it "
                               "takes no number")  # fmt: skip
        return
    if ("at_least" in table) == ("between" in table):
        raise _Refused("give at_least = x or between = [low, high], exactly one")
    if "at_least" in table and not _number(table["at_least"]):
        raise _Refused("at_least: must be a number (0.6 is 60 %)")
    bounds = table.get("between")
    if bounds is not None and not (
        isinstance(bounds, list) and len(bounds) == 2 and all(map(_number, bounds))
        and bounds[0] <= bounds[1]
    ):  # fmt: skip
        raise _Refused("between: must be [low, high], two numbers with low <= high")
    _shares(table)
    precision = table.get("precision")
    if precision is not None:
        values = precision.values() if isinstance(precision, dict) else [precision]
        if not all(_number(v) and 0 < v < 1 for v in values):
            raise _Refused("precision: a half-width between 0 and 1 (0.1 is ±10 points), or "
                           "a table of one per profile")  # fmt: skip
    _models(table, how)


def _shares(table: Mapping[str, Any]) -> None:
    """A claimed number is a share (0.8 is 80 %): a reduction, a hit ratio or a share of
    statements cannot be above 1, and a number such as 80 is a percentage typed as one."""
    key = "at_least" if "at_least" in table else "between"
    values = [table[key]] if key == "at_least" else list(table[key])
    if any(value > 1 for value in values):
        raise _Refused(f"{key}: {values[-1]:g} is above 1: a claim is a share (0.8 is 80 %), "
                       "and no reduction or ratio exceeds 100 %")  # fmt: skip


def _models(table: Mapping[str, Any], how: Statistic) -> None:
    """One load model per claim, and a metric that model records."""
    models = table.get("models", [])
    models = [models] if isinstance(models, str) else models
    if not isinstance(models, list) or not set(models) <= {"closed", "open"}:
        raise _Refused('models: a list of "closed" and "open"')
    if len(set(models)) > 1:
        raise _Refused('models: a target\'s load claim is judged in one model, "open" or '
                       '"closed" (declare two claims to judge both)')  # fmt: skip
    metric = str(table.get("metric") or how.default_metric)
    if models == ["closed"] and metric.startswith("intended_"):
        raise _Refused(f"metric: {metric} is timed from the intended start, which only the "
                       "open model has; in the closed model use latency_mean (from the "
                       "send)")  # fmt: skip


def _named(identifier: str, table: Mapping[str, Any], how: Statistic, target: Target) -> (
    TargetClaim
):  # fmt: skip
    """The arms, series, metric and check the claim names, all the target's own."""
    for key in ("baseline", "candidate", "arm"):
        value = _text(table, key)
        if value and target.arm(value) is None:
            arms = ", ".join(arm.name for arm in target.arms)
            raise _Refused(f"{key}: no arm {value!r} in the target (its arms: {arms})")
    missing = [key for key in how.required if not table.get(key)]
    if missing:
        raise _Refused(f"{missing[0]}: {how.name} needs it")
    if table.get("baseline") and table.get("baseline") == table.get("candidate"):
        raise _Refused("candidate: the same arm as the baseline; a claim compares two arms")
    if how.functional:
        check = _text(table, "check")
        if check not in {c.name for c in target.checks}:
            known = ", ".join(c.name for c in target.checks) or "none declared"
            raise _Refused(f"check: {check!r} is not a [[checks]] entry of the target ({known})")
        return TargetClaim(identifier, how.name, f"check {check} (a command, exit 0 = held)")
    series = _series(table, how, target)
    metric = _text(table, "metric") or how.default_metric
    compared = (
        f"arm {table.get('arm')}"
        if how.name == "level"
        else f"{table.get('baseline')} -> {table.get('candidate')}"
    )
    said = f"{how.name} of {metric or 'time'}, {compared}, on {', '.join(series) or ALL}"
    if TARGET_SUITES[how.name] == "load":
        said += f", {model_of(table)} model"
    return TargetClaim(identifier, how.name, said, _missing_evidence(metric, how, target))


def _series(table: Mapping[str, Any], how: Statistic, target: Target) -> list[str]:
    series = table.get("series", [])
    series = [series] if isinstance(series, str) else series
    if not isinstance(series, list) or not all(isinstance(n, str) and n for n in series):
        raise _Refused("series: a request name or a list of them (strings)")
    if TARGET_SUITES[how.name] != "load":
        if not target.benchmarks:
            raise _Refused("series: a benchmark series, but the target declares no "
                           "benchmarks.files")  # fmt: skip
        return series
    requests = set(target.request_names)
    for name in series:
        if requests and name != ALL and name not in requests:
            raise _Refused(f"series: no request {name!r} in [[load.requests]] (its "
                           f"names: {', '.join(sorted(requests))}, or {ALL})")  # fmt: skip
    return series


def _missing_evidence(metric: str, how: Statistic, target: Target) -> str:
    """What the metric needs that the target does not declare, said as the key to add."""
    if metric in PORTAL_ONLY:
        raise _Refused(f"metric: {metric} is the reference portal's own counter; a target's "
                       f"witnesses are {', '.join(NEEDS)}")  # fmt: skip
    # What a target's run records per window (loadtests/watch.py), among the statistic's.
    known = [name for name in how.metrics if name in WINDOW_METRICS] if how.metrics else []
    if metric and how.metrics and metric not in known:
        said = "unknown" if metric not in how.metrics else "not judged per window for a target"
        raise _Refused(f"metric: {metric!r} {said} (a target's {how.name} takes: "
                       f"{', '.join(known)})")  # fmt: skip
    if metric not in NEEDS:
        return ""
    what, key = NEEDS[metric]
    declared = {
        "evidence.postgres_url": target.evidence.postgres_url,
        "evidence.hit_header": target.evidence.hit_header,
    }[key]
    return "" if declared else f"needs {what}: declare {key}, or the run says no evidence"
