"""The arms' order in each paired unit: drawn afresh per unit, from a seed drawn per run.

The order once came from the data seed (the portal's) or the target's name: the same in
every run, so a series of runs repeated one sequence of orders. Whatever an order does to
a unit (a window after the put-back, a neighbour's warm cache) then fell the same way in
every run, and no comparison across runs could see it. An A/A series of twenty runs
showed it: all-on went first in the same seven units of ten in each.

Each run now draws its seed from the operating system and keeps it in its manifest
(``order_seed``), so its orders can be read back; ``unit_order`` of that seed and a unit
number gives them.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from typing import TypeVar

Arm = TypeVar("Arm")


def new_order_seed() -> int:
    """A run's seed for its units' orders: 32 bits from the operating system."""
    return secrets.randbits(32)


def unit_order(arms: Sequence[Arm], seed: int, unit: int, model: str = "open") -> list[Arm]:
    """The arms in the order unit ``unit`` of ``model`` measures them, for run seed ``seed``."""
    order = list(arms)
    random.Random(f"{seed}-{model}-{unit}").shuffle(order)
    return order
