"""The arms the benchmark suites compare, as declared data read by the suites, runner and tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # a type only: importing the index switch would pull in psycopg
    from portal.db.indexes import IndexState

# The index arms run interleaved in blocks, (indexes, block): on, off, off, on.
# A linear drift over the run (a neighbour on a shared machine, caches warming
# up) then costs both arms the same, and the order needs one switch fewer
# than on, off, on, off. Finer interleaving would cost an index rebuild and
# ANALYZE per switch (about a second at scale small, far more at medium).


def index_blocks(per_arm: int) -> tuple[tuple[IndexState, int], ...]:
    """``per_arm`` blocks of each index arm in ABBA order: on 1, off 1, off 2, on 2, on 3, ...

    Two per arm by default; the regression gate's profile takes many short ones,
    because this machine's noise comes in blocks of about a second, not in rounds
    (docs/records.md, "The regression gate on this machine"): independent blocks are what buy power.
    """
    if per_arm < 1:
        raise ValueError(f"at least one block per arm, not {per_arm}")
    order: list[tuple[IndexState, int]] = []
    for block in range(1, per_arm + 1):
        pair: tuple[IndexState, IndexState] = ("on", "off") if block % 2 else ("off", "on")
        order += [(pair[0], block), (pair[1], block)]
    return tuple(order)


INDEX_ARM_LABEL: dict[IndexState, str] = {"on": "indexed", "off": "unindexed"}

Warmth = Literal["warm", "cold", "-"]


@dataclass(frozen=True)
class EndpointArm:
    """How one endpoint benchmark serves its requests."""

    name: str
    label: str  # a column heading of the summary
    cache: Literal["on", "off"]
    warm: Warmth  # warm: every round a HIT; cold: the entry removed before each round
    indexes: IndexState
    expect: str | None  # the X-Cache every round must answer (None: no header, cache off)


ENDPOINT_ARMS: tuple[EndpointArm, ...] = (
    EndpointArm("hit", "hit", cache="on", warm="warm", indexes="on", expect="HIT"),
    EndpointArm("miss", "miss", cache="on", warm="cold", indexes="on", expect="MISS"),
    EndpointArm("uncached", "cache off", cache="off", warm="-", indexes="on", expect=None),
    EndpointArm(
        "uncached-unindexed", "off, no idx", cache="off", warm="-", indexes="off", expect=None
    ),
)


def endpoint_arms_for(indexes: IndexState) -> tuple[EndpointArm, ...]:
    """The endpoint arms that run while the indexes are ``indexes``."""
    return tuple(arm for arm in ENDPOINT_ARMS if arm.indexes == indexes)
