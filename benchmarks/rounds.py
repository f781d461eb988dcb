"""How many rounds a benchmark gets: the settings a run profile gives the benchmark suites.

Rounds are chosen per benchmark from a time budget: in an arm's first block
one call is timed after a warm-up call, and each of the arm's blocks gets
``budget_s / that time`` rounds, within ``min_rounds`` and ``max_rounds``. A
1 ms query then gets ``max_rounds`` and a 200 ms unindexed one
``min_rounds``, so the slow arms cannot eat the run; every arm runs in
``blocks`` blocks (``benchmarks/arms.py``) with the same rounds.

The values come from one table, the run profiles (``perfproof/profiles.py``),
and cross into the suites' pytest once, as ``--rounds`` (:meth:`RoundsPlan.option`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class RoundsPlan:
    budget_s: float  # measured time per benchmark and block
    min_rounds: int
    max_rounds: int
    warmup_rounds: int
    # Blocks of each index arm, interleaved ABBA (``benchmarks/arms.py``).
    blocks: int = 2

    def rounds_for(self, seconds_per_call: float) -> int:
        """Rounds of one block for a call that took ``seconds_per_call``."""
        if seconds_per_call <= 0:
            return self.max_rounds
        wanted = math.ceil(self.budget_s / seconds_per_call)
        return max(self.min_rounds, min(self.max_rounds, wanted))

    def option(self) -> str:
        """The suites' ``--rounds`` value: ``budget_s=0.05,min_rounds=3,...``."""
        return ",".join(f"{name}={value:g}" for name, value in asdict(self).items())


def parse_rounds(text: str) -> RoundsPlan:
    """:meth:`RoundsPlan.option` read back; ValueError naming what is wrong."""
    given = dict(part.split("=", 1) for part in text.split(",") if "=" in part)
    wanted = {field.name: field for field in fields(RoundsPlan)}
    unknown = sorted(set(given) - set(wanted))
    if unknown:
        raise ValueError(f"--rounds: unknown setting(s) {', '.join(unknown)}")
    try:
        return RoundsPlan(
            budget_s=float(given["budget_s"]),
            min_rounds=int(given["min_rounds"]),
            max_rounds=int(given["max_rounds"]),
            warmup_rounds=int(given["warmup_rounds"]),
            blocks=int(given.get("blocks", "2")),
        )
    except (KeyError, ValueError) as error:
        raise ValueError(f"--rounds {text!r}: {type(error).__name__} {error}") from None
