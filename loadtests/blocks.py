"""The control file of paired units: the runner says which block is current, Locust follows.

The open model's arms alternate in short blocks inside one Locust run
(``loadtests/paired_units.py``). Locust runs gevent and this process does not,
so they share one small file, rewritten whole (write, then rename) at each
change: the block's label (``<unit>-<arm>``), the portal it is sent to, its
phase, and the rate it is offered (the rate follows the capacity measured between
units, ``loadtests/capacity.py``; 0 keeps the run's ``PERFPROOF_RATE``). ``warmup``
and ``tail`` are answered and timed but kept nowhere; ``measured`` is the window
the figures come from; ``pause`` starts nothing (its arrivals are not made, so no
one is waiting for them) while the runner puts the data back between units or
measures the capacity; ``stop`` ends the run. The locustfile
writes each measured block's recording to :func:`block_file` once every task
started in it has been answered, and says a pause holds (:func:`pause_file`)
once no task is in flight.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

BLOCKS_ENV = "PERFPROOF_BLOCKS"

Phase = Literal["warmup", "measured", "tail", "pause", "stop"]


@dataclass(frozen=True)
class Block:
    label: str  # "<unit>-<arm>"
    host: str  # the portal's base URL
    phase: Phase
    rate: float = 0.0  # tasks/s offered from this block on; 0: the run's PERFPROOF_RATE


def write_block(control: Path, block: Block) -> None:
    """Replace the control file at once: a reader sees the old block or the new, never half."""
    spare = control.with_name(control.name + ".part")
    spare.write_text(json.dumps(asdict(block)))
    os.replace(spare, control)


def read_block(control: Path) -> Block:
    raw = json.loads(control.read_text())
    return Block(label=str(raw["label"]), host=str(raw["host"]), phase=raw["phase"],
                 rate=float(raw.get("rate", 0.0)))  # fmt: skip


def block_file(out: Path, label: str) -> Path:
    """Where the locustfile writes the recording of the measured window of block ``label``."""
    return out.with_name(f"{out.name}.block-{label}.json")


def pause_file(out: Path, label: str) -> Path:
    """Written by the locustfile once pause ``label`` holds: no task of any block in flight."""
    return out.with_name(f"{out.name}.paused-{label}")
