"""The gate's thresholds and significance level: one TOML file, checked whole before anything runs.

``reports/regress/thresholds.toml`` holds the defaults (10 % everywhere, the
p99 figures 30 %, alpha 0.05 with the family-wise error controlled); a
file of the team's own (``--thresholds``) is read on top of it, so it names
only what it changes. The most specific entry wins: series, then load
metric, then suite, then the default.

A typo must not silently un-gate a series, so every key is checked —
suites and metrics against the gate's table, series names against the
suites' own tables (``reports/series.py``) — and the first problem is one
line naming the file and the key (:class:`ThresholdsError`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reports.regress.samples import LOAD_METRICS, SUITES, SeriesKey
from reports.regress.significance import CONTROLS, Control
from reports.series import CACHED, cached_routes, series_problem
from reports.toml_files import read_toml

DEFAULT_THRESHOLDS = Path(__file__).resolve().parent / "thresholds.toml"
_TOP_KEYS = ("threshold", "alpha", "control", "suites", "metrics", "series")
_MAX_THRESHOLD = 10.0  # 1000 %: anything above is a typo for a percentage, not a fraction
_MAX_ALPHA = 0.5


class ThresholdsError(ValueError):
    """A thresholds file that cannot be used; the message is the one line to show."""


@dataclass(frozen=True)
class Thresholds:
    default: float = 0.10
    alpha: float = 0.05
    control: Control = "fwer"
    suites: Mapping[str, float] = field(default_factory=dict)
    metrics: Mapping[str, float] = field(default_factory=dict)
    series: Mapping[tuple[str, str], float] = field(default_factory=dict)
    files: tuple[str, ...] = ()

    def for_series(self, key: SeriesKey) -> tuple[float, str]:
        """The threshold of ``key`` and which entry set it (for the report)."""
        if (key.suite, key.series) in self.series:
            return self.series[(key.suite, key.series)], f"series.{key.suite}"
        if key.suite == "load" and key.metric in self.metrics:
            return self.metrics[key.metric], f"metrics.{key.metric}"
        if key.suite in self.suites:
            return self.suites[key.suite], f"suites.{key.suite}"
        return self.default, "threshold"

    def document(self) -> dict[str, Any]:
        return {
            "files": list(self.files),
            "threshold": self.default,
            "alpha": self.alpha,
            "control": self.control,
            "suites": dict(self.suites),
            "metrics": dict(self.metrics),
            "series": {f"{suite}:{name}": value for (suite, name), value in self.series.items()},
        }


def load_thresholds(path: Path | None = None) -> Thresholds:
    """The defaults file, and ``path`` on top of it; :class:`ThresholdsError` on a bad key."""
    thresholds = _apply(Thresholds(), DEFAULT_THRESHOLDS)
    return thresholds if path is None else _apply(thresholds, path)


def _apply(base: Thresholds, path: Path) -> Thresholds:
    document = read_toml(path, what="thresholds file", refuse=ThresholdsError)
    try:
        return _merged(base, document, str(path))
    except ThresholdsError as error:
        raise ThresholdsError(f"{path}: {error}") from None


def _merged(base: Thresholds, document: dict[str, Any], name: str) -> Thresholds:
    for key in document:
        if key not in _TOP_KEYS:
            raise ThresholdsError(f"{key}: unknown key (known: {', '.join(_TOP_KEYS)})")
    default = _fraction("threshold", document.get("threshold", base.default))
    alpha = _alpha(document.get("alpha", base.alpha))
    control = _control(document.get("control", base.control))
    suites = {**base.suites, **_named_fractions("suites", document.get("suites", {}), SUITES)}
    metrics = {
        **base.metrics,
        **_named_fractions("metrics", document.get("metrics", {}), LOAD_METRICS),
    }
    series = {**base.series, **_series(document.get("series", {}))}
    return Thresholds(default, alpha, control, suites, metrics, series, (*base.files, name))


def _fraction(key: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ThresholdsError(f"{key}: want a fraction such as 0.10 (10 %), not {value!r}")
    if not 0 < value <= _MAX_THRESHOLD:
        raise ThresholdsError(
            f"{key} = {value!r}: want a fraction above 0 and at most {_MAX_THRESHOLD:g} "
            "(0.10 = 10 %)"
        )
    return float(value)


def _alpha(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ThresholdsError(f"alpha: want a significance level such as 0.05, not {value!r}")
    if not 0 < value <= _MAX_ALPHA:
        raise ThresholdsError(f"alpha = {value!r}: want a level above 0 and at most {_MAX_ALPHA}")
    return float(value)


def _control(value: object) -> Control:
    for control in CONTROLS:
        if value == control:
            return control
    raise ThresholdsError(
        f"control = {value!r}: want 'fdr' (false discovery rate) or 'fwer' (family-wise error)"
    )


def _table(key: str, value: object) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise ThresholdsError(f"{key}: want a table ([{key}]), not {value!r}")
    return value


def _named_fractions(key: str, value: object, known: tuple[str, ...]) -> dict[str, float]:
    found: dict[str, float] = {}
    for name, fraction in _table(key, value).items():
        if name not in known:
            raise ThresholdsError(f"{key}.{name}: unknown name (known: {', '.join(known)})")
        found[name] = _fraction(f"{key}.{name}", fraction)
    return found


def _series(value: object) -> dict[tuple[str, str], float]:
    found: dict[tuple[str, str], float] = {}
    named: dict[tuple[str, str], float] = {}
    for suite, names in _table("series", value).items():
        if suite not in SUITES:
            raise ThresholdsError(f"series.{suite}: unknown suite (known: {', '.join(SUITES)})")
        for name, fraction in _table(f"series.{suite}", names).items():
            where = f'series.{suite}."{name}"'
            problem = series_problem(suite, name)
            if problem is not None:
                raise ThresholdsError(f"{where}: {problem}")
            value = _fraction(where, fraction)
            if (suite, name) == ("load", CACHED):
                # every cached GET route of the cache policy, as in a claims file; a route
                # named on its own line wins over the group
                found.update({(suite, route): value for route in cached_routes()})
            else:
                named[(suite, name)] = value
    return {**found, **named}
