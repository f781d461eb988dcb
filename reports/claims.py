"""Claims as data: a TOML file of what a write-up promises and the evidence that tests each promise.

The write-up's claims live in ``reports/claims.toml``; a user can write their
own file in the same format (docs/claims.md). Each ``[[claims]]``
table names its ``id``, the ``quote`` it comes from, and either how it is
tested — the suite, series, arms and statistic (``reports/statistics.py``
declares which exist and what each needs) plus the claimed value,
``at_least = x`` or ``between = [lo, hi]`` — or ``measurable = false`` with
the ``reason``. Reductions and ratios are fractions: ``0.85`` is 85 %.
A functional claim (``statistic = "check"``) is met when its check passes;
where its words hold a number ("20+ strategic indexes"), it names the count of
the check that number is about (``count = "used"``, the counts declared with
the check in ``benchmarks/checks/table.py``) and the number, ``at_least = 20``
or ``between``, and that count judges it.

A bad file is refused whole, with one line naming the file, the claim and
the problem (:class:`ClaimsError`): a half-read claims file would give a
report that silently skips a promise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loadtests.faults.scenarios import SCENARIOS_BY_NAME
from reports.series import check_counts, check_ids, known_arms, series_problem
from reports.statistic_rows import DEFAULT_PRECISION
from reports.statistics import STATISTICS, Statistic
from reports.toml_files import read_toml
from reports.verdict_rule import Claimed

DEFAULT_CLAIMS = Path(__file__).resolve().parent / "claims.toml"

_KEYS = frozenset(
    {
        "id", "quote", "note", "suite", "series", "baseline", "candidate", "arm", "metric",
        "models", "check", "statistic", "at_least", "between", "measurable", "reason",
        "scenarios", "count", "before_s", "after_s", "precision", "at_rows",
    }
)  # fmt: skip
_TOP_KEYS = frozenset({"title", "source", "claims"})


# A load claim's precision target when its table gives none: the half-width its interval
# should reach, per load profile (the sequential run stops sampling once every load claim
# is this precise, or its budget is spent).


class ClaimsError(ValueError):
    """A claims file that cannot be used; the message is the one line to show."""


@dataclass(frozen=True)
class Claim:
    id: str
    quote: str
    note: str
    measurable: bool
    reason: str  # why not measurable
    statistic: str
    suite: str
    series: tuple[str, ...]
    baseline: str
    candidate: str
    arm: str
    metric: str
    models: tuple[str, ...]
    check: str
    claimed: Claimed | None
    scenarios: tuple[str, ...] = ()  # fault scenarios (``perfproof faults``) that must hold too
    count: str = ""  # the check's count that ``claimed`` is about (a functional claim's number)
    # The write-up's own times, before and after (absolute_reduction): judged at the data size
    # where the "before" query takes before_s here; the claimed reduction is 1 - after/before.
    before_s: float | None = None
    after_s: float | None = None
    # An index claim made at this many rows of its series' table (the write-up's size):
    # judged there, measured or from the growth fit (reports/per_size.py).
    at_rows: int | None = None
    # Load claims: the half-width to reach, per load profile (``precision``).
    precision: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_PRECISION))

    def target(self, profile: str) -> float:
        """The half-width this claim's interval should reach in load profile ``profile``."""
        return self.precision.get(profile, self.precision.get("default", 0.10))

    @property
    def how(self) -> Statistic | None:
        return STATISTICS.get(self.statistic)

    @classmethod
    def not_measurable(cls, *, id: str, quote: str, reason: str, note: str = "") -> Claim:
        """A claim with no baseline to measure against: judged by its reason alone."""
        return cls(id=id, quote=quote, note=note, measurable=False, reason=reason, statistic="",
                   suite="", series=(), baseline="", candidate="", arm="", metric="", models=(),
                   check="", claimed=None)  # fmt: skip


@dataclass(frozen=True)
class ClaimsFile:
    path: Path
    title: str
    source: str
    claims: tuple[Claim, ...]


def load_claims(path: Path = DEFAULT_CLAIMS) -> ClaimsFile:
    """The claims of ``path``, every one checked; :class:`ClaimsError` on the first problem."""
    document = read_toml(path, what="claims file", refuse=ClaimsError)
    unknown = sorted(set(document) - _TOP_KEYS)
    if unknown:
        raise ClaimsError(f"{path}: unknown top-level key {unknown[0]!r} (known: title, source, "
                          "claims)")  # fmt: skip
    tables = document.get("claims")
    if not isinstance(tables, list) or not tables:
        raise ClaimsError(f"{path}: no [[claims]] tables")
    claims: list[Claim] = []
    for number, table in enumerate(tables, start=1):
        name = str(table.get("id") or f"#{number}") if isinstance(table, dict) else f"#{number}"
        try:
            claims.append(_claim(table))
        except ClaimsError as error:
            raise ClaimsError(f"{path}: claim {name}: {error}") from None
    ids = [claim.id for claim in claims]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ClaimsError(f"{path}: claim {repeated[0]}: the id is used more than once")
    return ClaimsFile(
        path=path,
        title=str(document.get("title", path.stem)),
        source=str(document.get("source", "")),
        claims=tuple(claims),
    )


def _text(table: Mapping[str, Any], key: str, *, required: bool = False) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise ClaimsError(f"{key} must be a string, not {value!r}")
    if required and not value.strip():
        raise ClaimsError(f"{key} is missing")
    return value.strip()


def _texts(table: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key, ())
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ClaimsError(f"{key} must be a string or a list of strings, not {value!r}")
    return tuple(values)


def _seconds(table: Mapping[str, Any], key: str) -> float | None:
    return _number(table[key], key) if key in table else None


def _rows(table: Mapping[str, Any]) -> int | None:
    if "at_rows" not in table:
        return None
    value = table["at_rows"]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ClaimsError(f"at_rows is a number of rows, a whole number above 0, not {value!r}")
    return int(value)


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ClaimsError(f"{key} must be a number, not {value!r}")
    return float(value)


def _precision(table: Mapping[str, Any]) -> dict[str, float]:
    """``precision = 0.03`` (every load profile) or ``{ quick = 0.10, default = 0.03 }``."""
    given = table.get("precision")
    if given is None:
        return dict(DEFAULT_PRECISION)
    values = {name: given for name in DEFAULT_PRECISION} if not isinstance(given, dict) else given
    found: dict[str, float] = {}
    for name, value in values.items():
        number = _number(value, f"precision {name}")
        if not 0 < number <= 1:
            raise ClaimsError(
                f"precision {name} = {number:g}: a half-width is a fraction above 0 and at most 1 "
                "(0.03 is 3 points)"
            )
        found[str(name)] = number
    return {**DEFAULT_PRECISION, **found}


def _claimed(table: Mapping[str, Any], how: Statistic) -> Claimed:
    if "before_s" in table or "after_s" in table:
        return _claimed_by_times(table)
    if ("at_least" in table) == ("between" in table):
        raise ClaimsError("give exactly one of at_least = x or between = [lo, hi]")
    if "at_least" in table:
        claimed = Claimed(_number(table["at_least"], "at_least"))
    else:
        bounds = table["between"]
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise ClaimsError(f"between must be [lo, hi], not {bounds!r}")
        low, high = (_number(value, "between") for value in bounds)
        if low > high:
            raise ClaimsError(f"between = [{low:g}, {high:g}]: lo is above hi")
        claimed = Claimed(low, high)
    top = claimed.high if claimed.high is not None else claimed.low
    if how.fraction and top > 1.0:
        raise ClaimsError(
            f"{how.name} is a fraction (0.85 means 85 %); {top:g} is above 1, which no "
            "measurement can reach"
        )
    return claimed


def _claimed_by_times(table: Mapping[str, Any]) -> Claimed:
    """At least 1 - after_s / before_s: the write-up's two times say how much less, so no
    hand-computed fraction stands beside them."""
    if "at_least" in table or "between" in table:
        raise ClaimsError("before_s and after_s say what is claimed: give no at_least or between")
    before, after = (_number(table.get(key), key) for key in ("before_s", "after_s"))
    if not 0 < after < before:
        raise ClaimsError(f"want 0 < after_s < before_s, not {after:g} and {before:g}")
    return Claimed(1.0 - after / before)


def _claim(table: Any) -> Claim:
    if not isinstance(table, dict):
        raise ClaimsError("each [[claims]] entry must be a table")
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ClaimsError(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
    identifier = _text(table, "id", required=True)
    quote = _text(table, "quote", required=True)
    measurable = table.get("measurable", True)
    if not isinstance(measurable, bool):
        raise ClaimsError(f"measurable must be true or false, not {measurable!r}")
    common: dict[str, Any] = {"id": identifier, "quote": quote, "note": _text(table, "note")}
    if not measurable:
        reason = _text(table, "reason", required=True)
        extra = sorted(set(table) - {"id", "quote", "note", "measurable", "reason"})
        if extra:
            raise ClaimsError(f"a claim with measurable = false takes no {extra[0]!r}")
        return Claim.not_measurable(**common, reason=reason)
    name = _text(table, "statistic", required=True)
    how = STATISTICS.get(name)
    if how is None:
        raise ClaimsError(f"unknown statistic {name!r} (known: {', '.join(STATISTICS)})")
    claim = Claim(
        **common,
        measurable=True,
        reason="",
        statistic=name,
        suite=_text(table, "suite") or how.suites[0],
        series=_texts(table, "series"),
        baseline=_text(table, "baseline"),
        candidate=_text(table, "candidate"),
        arm=_text(table, "arm"),
        metric=_text(table, "metric") or how.default_metric,
        models=_texts(table, "models") or how.default_models,
        check=_text(table, "check"),
        claimed=None if how.functional and "count" not in table else _claimed(table, how),
        scenarios=_texts(table, "scenarios"),
        count=_text(table, "count"),
        before_s=_seconds(table, "before_s"),
        after_s=_seconds(table, "after_s"),
        at_rows=_rows(table),
        precision=_precision(table),
    )
    _check_fields(claim, how, table)
    return claim


def _check_fields(claim: Claim, how: Statistic, table: Mapping[str, Any]) -> None:
    """The suite, series, arms and fields ``how`` needs, all known; nothing it ignores."""
    if claim.suite not in how.suites:
        raise ClaimsError(f"{how.name} reads suite {' or '.join(how.suites)}, not {claim.suite!r}")
    given = {key for key in table if key not in ("id", "quote", "note", "statistic", "suite")}
    numbered = not how.functional or "count" in table
    allowed = set(how.fields) | ({"at_least", "between"} if numbered else set())
    stray = sorted(given - allowed)
    if stray and stray[0] in ("at_least", "between"):
        raise ClaimsError(f"{stray[0]} needs count = the check's count it is about; without "
                          "one the claim is met when the check passes")  # fmt: skip
    if stray:
        raise ClaimsError(f"{how.name} takes no {stray[0]!r} (it reads {', '.join(how.fields)})")
    missing = [key for key in how.required if not getattr(claim, key)]
    if missing:
        raise ClaimsError(f"{how.name} needs {missing[0]!r}")
    _check_names(claim, how)


def _check_names(claim: Claim, how: Statistic) -> None:
    """Every series, arm, metric, model and check the claim names exists."""
    for name in claim.series:
        problem = series_problem(claim.suite, name)
        if problem:
            raise ClaimsError(problem)
    arms = known_arms(claim.suite)
    for key in ("baseline", "candidate", "arm"):
        value = getattr(claim, key)
        if value and arms is not None and value not in arms:
            raise ClaimsError(f"unknown {key} arm {value!r} (suite {claim.suite}: "
                              f"{', '.join(arms)})")  # fmt: skip
    if claim.baseline and claim.baseline == claim.candidate:
        raise ClaimsError("baseline and candidate are the same arm")
    if claim.metric and how.metrics and claim.metric not in how.metrics:
        raise ClaimsError(f"unknown metric {claim.metric!r} for {how.name} "
                          f"(known: {', '.join(how.metrics)})")  # fmt: skip
    for model in claim.models:
        if model not in ("closed", "open"):
            raise ClaimsError(f"unknown load model {model!r} (closed, open)")
    _check_functional(claim, how)


def _check_functional(claim: Claim, how: Statistic) -> None:
    """The check a functional claim names, its count and fault scenarios, exist."""
    if how.functional and claim.check not in check_ids():
        raise ClaimsError(f"unknown check {claim.check!r} (known: {', '.join(check_ids())})")
    if claim.count:
        _check_count(claim)
    for scenario in claim.scenarios:
        if scenario not in SCENARIOS_BY_NAME:
            raise ClaimsError(
                f"unknown fault scenario {scenario!r} (known: {', '.join(SCENARIOS_BY_NAME)})"
            )


def _check_count(claim: Claim) -> None:
    """The count is one the check records, and the claimed number one it can take."""
    counts = check_counts(claim.check)
    count = counts.get(claim.count)
    if count is None:
        known = ", ".join(counts) or "none: a claim of it is met when it passes"
        raise ClaimsError(f"count = {claim.count!r}: the check {claim.check} records no such "
                          f"count (its counts: {known})")  # fmt: skip
    assert claim.claimed is not None  # a claim with a count has its number (_claim)
    bounds = [claim.claimed.low, *([] if claim.claimed.high is None else [claim.claimed.high])]
    if any(value < 0 or not value.is_integer() for value in bounds):
        said = (
            f"at_least = {bounds[0]:g}" if len(bounds) == 1
            else f"between = [{bounds[0]:g}, {bounds[1]:g}]"
        )  # fmt: skip
        raise ClaimsError(f"{said}: {count.unit} is a count, a whole number from 0 up")
