"""How long one paired unit's windows are: the same for the portal and for a team's target.

A unit gives each arm one window: switched, ``WARMUP_S`` unmeasured, then
``WINDOW_S`` measured (``loadtests/paired_units.py``). The lengths are fixed in
every profile, so ``quick`` and ``default`` estimate the same quantity and only
sample for longer. Kept apart from the runner, which starts the portal, so the
target path (``perfproof/targets``) can plan a run without importing it.
"""

from __future__ import annotations

WARMUP_S = 1.0  # after the switch and the clear: the cache's first second, unmeasured
WINDOW_S = 3.0  # measured; the claims' figures are means over windows of this length
SWITCH_OVERHEAD_S = 0.4  # switch, clear, the window's last answers: for planning only


def unit_seconds(arms: int) -> float:
    """About how long one unit takes: what a budget is checked against before the run."""
    return arms * (WARMUP_S + WINDOW_S + SWITCH_OVERHEAD_S)
