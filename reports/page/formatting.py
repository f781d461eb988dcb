"""Numbers as a reader sees them: rounded, with their unit, and a dash where there is none.

Every figure of the HTML report goes through one of these (they are the
template's filters too), so no page ever shows ``nan``, ``None`` or a
seventeen-digit float: a missing value is "—", and a sceptical reader can
tell a measured zero from an absent measurement.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

MISSING = "—"
NBSP = "\N{NO-BREAK SPACE}"  # between a number and its unit: "85.3 %" never breaks before the %


def present(value: Any) -> bool:
    """False for None, NaN and infinities: the values no cell should print."""
    if value is None:
        return False
    if isinstance(value, float):
        return math.isfinite(value)
    return True


def _significant(value: float, digits: int = 3) -> str:
    """``digits`` significant figures, never scientific notation, thousands separated."""
    if value == 0:
        return "0"
    if abs(value) < 1e-3:
        return f"{value:.{digits - 1}e}"  # 5.26e-16, not seventeen zeros
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    return f"{value:,.{decimals}f}"


def number(value: Any, digits: int = 3) -> str:
    if not present(value):
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return _significant(float(value), digits)


def milliseconds(seconds: Any) -> str:
    """Seconds shown in ms, three significant figures: ``0.412 ms``, ``12.3 ms``, ``1,300 ms``."""
    if not present(seconds):
        return MISSING
    return f"{_significant(float(seconds) * 1e3)}{NBSP}ms"


def duration(seconds: Any) -> str:
    """A wall time: ``45 s``, ``2 min 5 s``."""
    if not present(seconds):
        return MISSING
    total = float(seconds)
    if total < 60:
        return f"{_significant(total, 2)} s"
    minutes, rest = divmod(round(total), 60)
    return f"{minutes} min {rest} s"


def percent(fraction: Any, decimals: int = 1) -> str:
    """``0.853`` -> ``85.3 %``; two decimals near 100 % (a 2,600x speed-up is 99.96 %)."""
    if not present(fraction):
        return MISSING
    if decimals == 1 and 0.999 <= abs(float(fraction)) < 1:
        decimals = 2
    return f"{float(fraction) * 100:.{decimals}f}{NBSP}%"


def effect(value: Any, low: Any, high: Any, *, as_percent: bool = True) -> str:
    """``29.0 % [13.4 %, 57.1 %]``: a measured effect and its interval, or why there is none."""
    if not present(value):
        return MISSING
    show = percent if as_percent else number
    if not present(low) or not present(high):
        return f"{show(value)} (no interval)"
    return f"{show(value)} [{show(low)}, {show(high)}]"


def rate(per_second: Any) -> str:
    if not present(per_second):
        return MISSING
    return f"{_significant(float(per_second))}{NBSP}req/s"


def cores(value: Any) -> str:
    """CPU as cores busy (1.0 = one core fully busy)."""
    if not present(value):
        return MISSING
    return f"{float(value):.2f}"


def count(value: Any) -> str:
    if not present(value):
        return MISSING
    return f"{round(float(value)):,}"


def when(stamp: Any) -> str:
    """An ISO time as ``2026-12-02 02:34:17 UTC``."""
    if not present(stamp) or not str(stamp):
        return MISSING
    try:
        moment = datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def text(value: Any) -> str:
    """Any value as a cell: lists joined, booleans as yes/no, missing as a dash."""
    if not present(value):
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | int):
        return number(value)
    if isinstance(value, list | tuple):
        return ", ".join(text(item) for item in value) if value else "none"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {text(item)}" for key, item in value.items()) or "none"
    return str(value) if str(value) else MISSING


FILTERS = {
    "number": number,
    "ms": milliseconds,
    "duration": duration,
    "percent": percent,
    "rate": rate,
    "cores": cores,
    "count": count,
    "when": when,
    "text": text,
}
