"""The locustfile's side of paired units: following the control file, keeping each window.

The runner rewrites the control file (``loadtests/blocks.py``); a greenlet
here polls it and keeps the current block. Each start is filed under the
block current at its intended time; a measured block's recording is
written next to the out file once its window has closed and every task
started in it has been answered. Imported by the locustfile only (gevent).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import gevent

from loadtests.blocks import Block, block_file, pause_file, read_block
from loadtests.recorder import Recorder


@dataclass
class Following:
    current: Block | None = None
    out: str | None = None
    recorders: dict[str, Recorder] = field(default_factory=dict)  # measured, by label
    open: dict[str, int] = field(default_factory=dict)  # tasks not yet answered, by label
    closed: set[str] = field(default_factory=set)  # windows over, not yet written
    running: int = 0  # tasks of any block not yet answered: a pause holds at zero
    paused: set[str] = field(default_factory=set)  # pauses already said to hold


STATE = Following()


def start(control: Path, out: str | None) -> None:
    STATE.current = read_block(control)
    STATE.out = out
    gevent.spawn(_follow, control)


def opened(block: Block | None) -> None:
    """A start of a measured window: open from the moment it is scheduled, not from when its
    greenlet first runs (a window closing in between was once written without it)."""
    STATE.running += 1
    if block is not None and block.phase == "measured":
        STATE.open[block.label] = STATE.open.get(block.label, 0) + 1


@contextmanager
def task_of(block: Block | None) -> Iterator[None]:
    """The task of a start :func:`opened`: open until it is answered."""
    try:
        yield
    finally:
        STATE.running -= 1
        if block is not None and block.phase == "measured":
            STATE.open[block.label] -= 1
            _write_closed()
        _say_paused()


def recorder_for(block: Block) -> Recorder:
    """The recording a start in ``block`` goes to: its own when measured, else a scratch one."""
    if block.phase != "measured":
        return Recorder()  # warm-up and tail: answered and timed, kept nowhere
    return STATE.recorders.setdefault(block.label, Recorder())


def _follow(control: Path) -> None:
    """Poll the control file; when a measured block's phase moves on, it closes."""
    last = (0, 0)
    while True:
        try:  # every write is a new file renamed over the old: a new inode, whatever the clock
            stat = control.stat()
            changed = (stat.st_ino, stat.st_mtime_ns)
        except OSError:
            changed = last
        if changed != last:
            last = changed
            block = read_block(control)
            previous: Block | None = STATE.current
            STATE.current = block
            if (
                previous is not None
                and previous.phase == "measured"
                and (block.label != previous.label or block.phase != "measured")
            ):
                STATE.closed.add(previous.label)
                _write_closed()
            _say_paused()
            if block.phase == "stop":
                return
        gevent.sleep(0.002)


def _say_paused() -> None:
    """Once a pause is current and nothing is in flight, say so to the runner (once)."""
    block, out = STATE.current, STATE.out
    if block is None or block.phase != "pause" or STATE.running or block.label in STATE.paused:
        return
    STATE.paused.add(block.label)
    if out:
        target = pause_file(Path(out), block.label)
        spare = target.with_name(target.name + ".part")
        spare.write_text("paused")
        spare.replace(target)


def _write_closed() -> None:
    """Write every closed block whose tasks have all been answered, once."""
    out = STATE.out
    for label in sorted(STATE.closed):
        if STATE.open.get(label, 0) == 0:
            STATE.closed.discard(label)
            recorder = STATE.recorders.pop(label, Recorder())
            if out:
                target = block_file(Path(out), label)
                spare = target.with_suffix(".part")
                spare.write_text(json.dumps(recorder.to_document()))
                spare.replace(target)
