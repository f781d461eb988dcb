"""The run-to-run noise a calibration measured, as a second test every benchmark series must pass.

The rank test on rounds asks "are these rounds from one distribution?". Two
runs of the same code answer no whenever the whole run moved — on a shared
two-core machine a run's medians move by 20-80 % from one run to the next
(measured: ``perfproof regress --calibrate`` over six quick runs, every
series above 15 %), so rounds are exchangeable within a run, not between
runs, and the rank test alone flags most series of an A/A comparison. Given
a calibration (``--calibration calibration.json``), a series' change must
also stand out from its A/A spread: the log change over the series'
between-run sd times ``sqrt(1/k_b + 1/k_c)`` (``k`` runs pooled on each side;
``sqrt(2)`` for one against one) is a t statistic with ``runs - 1`` degrees
of freedom (the sd was estimated from that many calibration runs). The series' p-value is the
larger of the two, which is a valid p-value for the claim both make.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from reports.regress.samples import GATED_BY_FIGURE, SeriesKey


class CalibrationError(ValueError):
    """A calibration file that cannot be used; the message is the one line to show."""


@dataclass(frozen=True)
class RunNoise:
    between: float  # log-scale sd of a run's median across A/A runs
    runs: int
    safe_threshold: float = math.inf  # the calibration's smallest threshold that does not flap


def load_calibration(path: Path) -> dict[SeriesKey, RunNoise]:
    """The between-run noise per series of a ``calibration.json``."""
    try:
        document = json.loads(path.read_text())
    except FileNotFoundError:
        raise CalibrationError(f"{path}: no such calibration file") from None
    except (OSError, ValueError) as error:
        raise CalibrationError(f"{path}: not a readable calibration ({error})") from None
    if not isinstance(document, dict) or document.get("format") != 1:
        raise CalibrationError(f"{path}: not a calibration.json of perfproof regress --calibrate")
    found: dict[SeriesKey, RunNoise] = {}
    for number, entry in enumerate(document.get("series") or (), start=1):
        try:
            key = SeriesKey(*(str(entry[k]) for k in ("suite", "series", "arm", "model",
                                                       "metric", "scale")))  # fmt: skip
            safe = entry.get("safe_threshold")
            noise = RunNoise(
                float(entry["between_noise"]),
                int(entry["runs"]),
                math.inf if safe is None else float(safe),
            )
        except (KeyError, TypeError, ValueError):
            raise CalibrationError(f"{path}: series #{number} is incomplete") from None
        if (key.suite, key.model, key.metric) not in GATED_BY_FIGURE or noise.runs < 2:
            raise CalibrationError(f"{path}: series #{number} ({key.label}) is not a gated one")
        found[key] = noise
    return found


def run_noise_p(log_change: float, noise: RunNoise, *, runs: tuple[int, int] = (1, 1)) -> float:
    """Two-sided p-value of a log change against the A/A spread, ``runs`` pooled per side."""
    from scipy import stats

    spread = noise.between * math.sqrt(1 / runs[0] + 1 / runs[1])
    if spread == 0:
        return 1.0 if log_change == 0 else 0.0
    statistic = abs(log_change) / spread
    return float(2 * stats.t.sf(statistic, noise.runs - 1))
