"""The load test's arms (cache x indexes) and load models, as declared data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Model = Literal["closed", "open"]
MODELS: tuple[Model, ...] = ("closed", "open")


@dataclass(frozen=True)
class LoadArm:
    name: str
    cache: Literal["on", "off"]
    indexes: Literal["on", "off"]


@dataclass(frozen=True)
class NamedArm:
    """An arm known by its name alone: a team's own (``perfproof/targets``), whose states
    are its target file's business, not a cache and indexes switch of the portal's."""

    name: str


LOAD_ARMS: tuple[LoadArm, ...] = (
    LoadArm("all-on", cache="on", indexes="on"),
    LoadArm("no-cache", cache="off", indexes="on"),
    LoadArm("no-indexes", cache="on", indexes="off"),
    LoadArm("all-off", cache="off", indexes="off"),
    # all-on under a second name: the A/A check of the paired design (docs/coverage.md),
    # two arms that differ in nothing, whose interval must contain 0.
    LoadArm("all-on-twin", cache="on", indexes="on"),
)
ARMS_BY_NAME = {arm.name: arm for arm in LOAD_ARMS}


def rotated(arms: tuple[LoadArm, ...], repetition: int) -> list[LoadArm]:
    """A B C D, then B C D A, ...: drift over the run falls on every arm alike."""
    shift = repetition % len(arms)
    return [*arms[shift:], *arms[:shift]]
