"""The reference call timed before every round: the machine's speed at that moment, per series.

On a shared two-core machine a query's round times move with the machine,
not only with the code: measured here (``orders_for_user`` at tiny, 0.7-0.9
ms a call), the medians of 5 consecutive rounds spread by 15-17 % (45 % in a
busy minute), and they still spread 6-9 % over 400 rounds. A call that does
no portal work, timed on the same connection just before each round, moves
with them (the logs correlate 0.6-0.86), and the round's time divided by it
spreads half as much (8-9 % over 5 rounds, 2-2.4 % over 400). So every round
records its reference beside its time, and the regression gate tests
that ratio (``reports/regress/samples.py``): the machine taken out, the
portal's code left in. Not all of the machine: the reference is mostly a
round trip, whose wake-ups get faster when the other core is busy, so the
gate also wants the times themselves beyond the threshold
(``reports/regress/compare.py``). The reports keep the times themselves.

The reference is the cheapest full trip through what the series' call goes
through: ``SELECT 1`` on the query's own connection (queries), ``GET
/healthz`` through the same app and client (endpoints: routing, middleware,
a ``SELECT 1`` and a Redis ``PING``). It runs before the round's own setup
and in a transaction of its own, so the round's time is what it was without
it. A change that slows the reference as much as the series (the driver,
the event loop) divides out of the ratio; the gate watches the reference's
own times for that (``reports/regress/gate.py``).
"""

from __future__ import annotations

import time
from collections.abc import Callable


class Reference:
    """Times ``call`` before each round; ``seconds`` holds one time per call of :meth:`before`."""

    def __init__(self, call: Callable[[], object]) -> None:
        self._call = call
        self.seconds: list[float] = []

    def before(self, setup: Callable[[], object] | None) -> Callable[[], None]:
        """A round's setup that first times the reference, then runs ``setup``."""

        def timed_then_setup() -> None:  # pytest-benchmark takes a returned value for arguments
            started = time.perf_counter()
            self._call()
            self.seconds.append(time.perf_counter() - started)
            if setup is not None:
                setup()

        return timed_then_setup

    def measured(self, warmup_rounds: int, rounds: int) -> list[float]:
        """The references of the measured rounds (pedantic sets up the warm-up rounds first)."""
        return self.seconds[warmup_rounds : warmup_rounds + rounds]
