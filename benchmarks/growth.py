"""How a query's cost grows with the data: growth laws fitted to (size, seconds) points.

Pure functions over arrays, tested on synthetic data with known answers. The
candidate laws are ``t = a + b·f(n)`` for f = 1 (constant), log n, n and n
log n (least squares), and a power law ``t = a·n^k`` (least squares on the
logarithms). Each fit reports its R² and residuals on the original scale.
The chosen law is the simplest one whose Akaike information criterion (with
the small-sample correction when there are points enough to apply it to
every law alike, four or more) is within 2 of the best: with a handful of
data sizes, a law that fits no better than a simpler one is not evidence,
and a power law fits almost anything. A law that predicts less than
``MIN_GROWTH`` change across the measured sizes is called constant: noise of
a few per cent can always be fitted by a slope; so is one that falls with
the data (a negative slope or exponent is not a law of growth, and no
extrapolation should follow it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

# In order of simplicity; the power law (exponent free) comes last.
LAWS: dict[str, Callable[[Array], Array]] = {
    "constant": lambda n: np.ones_like(n),
    "log n": np.log,
    "n": lambda n: n,
    "n log n": lambda n: n * np.log(n),
}
POWER = "power"
ORDER = (*LAWS, POWER)
_MOST_PARAMETERS = 2
AIC_TOLERANCE = 2.0
MIN_SIZES = 3  # fewer points than that fit any two-parameter law exactly
MIN_GROWTH = 0.10  # of the mean time, from the smallest to the largest size measured


@dataclass(frozen=True)
class Fit:
    law: str
    a: float
    b: float  # the slope of f(n); for the power law, the exponent k
    r2: float
    residuals: tuple[float, ...]  # measured minus fitted, seconds, in the order given
    aic: float

    def predict(self, n: float) -> float:
        if self.law == POWER:
            return float(self.a * n**self.b)
        if self.law == "constant":
            return self.a
        return self.a + self.b * float(LAWS[self.law](np.array([float(n)]))[0])

    def formula(self) -> str:
        if self.law == POWER:
            return f"{self.a:.3g} * n^{self.b:.3f}"
        if self.law == "constant":
            return f"{self.a:.3g}"
        return f"{self.a:.3g} + {self.b:.3g} * {self.law}"


def _quality(law: str, a: float, b: float, n: Array, t: Array, parameters: int) -> Fit:
    fitted = a * n**b if law == POWER else a + b * LAWS[law](n)
    residuals = t - fitted
    sse = float(np.sum(residuals**2))
    sst = float(np.sum((t - t.mean()) ** 2))
    r2 = 1.0 - sse / sst if sst > 0 else (1.0 if sse == 0 else 0.0)
    # A perfect fit has no log-likelihood to speak of: floor the error.
    floor = 1e-12 * max(float(np.sum(t**2)), 1e-30)
    points = len(t)
    aic = points * math.log(max(sse, floor) / points) + 2 * parameters
    # AICc (fewer points, a heavier price per parameter) only where it is
    # defined for the two-parameter laws too: one criterion for every law.
    if points - _MOST_PARAMETERS - 1 > 0:
        aic += 2 * parameters * (parameters + 1) / (points - parameters - 1)
    return Fit(law, a, b, r2, tuple(float(r) for r in residuals), aic)


def fit_law(law: str, sizes: Sequence[float], seconds: Sequence[float]) -> Fit:
    """One law fitted to the points; raises ValueError with fewer than two points."""
    n = np.asarray(sizes, dtype=np.float64)
    t = np.asarray(seconds, dtype=np.float64)
    if len(n) < 2 or len(n) != len(t):
        raise ValueError("a growth law needs two or more (size, seconds) points")
    if np.any(n <= 0) or (law == POWER and np.any(t <= 0)):
        raise ValueError("sizes (and, for the power law, times) must be positive")
    if law == POWER:
        k, log_a = np.polyfit(np.log(n), np.log(t), 1)
        return _quality(law, float(np.exp(log_a)), float(k), n, t, parameters=2)
    if law == "constant":
        return _quality(law, float(t.mean()), 0.0, n, t, parameters=1)
    design = np.column_stack([np.ones_like(n), LAWS[law](n)])
    (a, b), *_ = np.linalg.lstsq(design, t, rcond=None)
    return _quality(law, float(a), float(b), n, t, parameters=2)


def fit_all(sizes: Sequence[float], seconds: Sequence[float]) -> list[Fit]:
    """Every candidate law, in order of simplicity."""
    return [fit_law(law, sizes, seconds) for law in ORDER]


def choose(fits: Sequence[Fit], sizes: Sequence[float], seconds: Sequence[float]) -> Fit:
    """The simplest fit whose AIC is within ``AIC_TOLERANCE`` of the best one's.

    A growing law that moves less than ``MIN_GROWTH`` of the mean time across
    the measured sizes gives way to the constant one.
    """
    growing = [fit for fit in fits if fit.law == "constant" or fit.b >= 0]
    best = min(fit.aic for fit in growing)
    by_order = sorted(growing, key=lambda fit: ORDER.index(fit.law))
    chosen = next(fit for fit in by_order if fit.aic <= best + AIC_TOLERANCE)
    mean = float(np.mean(seconds))
    change = abs(chosen.predict(max(sizes)) - chosen.predict(min(sizes)))
    if chosen.law != "constant" and mean > 0 and change < MIN_GROWTH * mean:
        return next(fit for fit in fits if fit.law == "constant")
    return chosen


def best_fit(sizes: Sequence[float], seconds: Sequence[float]) -> Fit:
    return choose(fit_all(sizes, seconds), sizes, seconds)


def size_for(fit: Fit, seconds: float, *, largest: float = 1e15) -> float | None:
    """The data size at which ``fit`` predicts ``seconds``; None if it never gets there.

    Bisection on log n between 1 and ``largest``: the laws that grow are
    monotonic there, and one that does not grow never reaches a larger time.
    """
    low, high = 1.0, largest
    if fit.predict(high) < seconds or fit.predict(low) >= seconds:
        return None
    for _ in range(200):
        middle = math.sqrt(low * high)
        if fit.predict(middle) < seconds:
            low = middle
        else:
            high = middle
        if high / low < 1 + 1e-9:
            break
    return high
