"""A load claim judged at several offered rates, as one line of text: each rate's estimate.

The portal's verdict output (``reports/verdict_output.py``) and a team's target
report (``perfproof/targets/report.py``) both print it; each says how an entry's
figure reads, the rest (the rate, the verdicts' rate starred, no evidence, the
word) is said once, here. Imports nothing of the claims, so the target path can
use it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Entry = Mapping[str, Any]  # one rate of ``details.by_rate`` (reports/per_rate.py)


def rate_parts(entries: Sequence[Entry], figure: Callable[[Entry], str]) -> str | None:
    """``46.6/s 84.2 % [..] met; 93.2/s* ...``, or None for a claim judged at one rate."""
    if len(entries) < 2:
        return None
    parts = []
    for entry in entries:
        at = f"{entry['rate']:g}/s" + ("*" if entry["primary"] else "")
        if "value" not in entry:
            parts.append(f"{at} no evidence")
            continue
        parts.append(f"{at} {figure(entry)} {entry['verdict']}")
    return "; ".join(parts)
