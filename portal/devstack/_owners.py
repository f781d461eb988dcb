"""Who launched each embedded server, so that one a killed command left running is found.

Until now a server only knew it was running: whoever launched it kept
``started = True`` in memory, and a command killed by SIGKILL (nothing can
catch it) took that knowledge with it. So a command that launches a server
records itself as its owner — pid, the process's start time (a pid is
reused), its command line — in ``<perfproof home>/servers/``, one file per
server, whatever folder the server keeps its data in (the faults' own home,
a check's temporary one). Stopping the server removes the file;
``perfproof services --detach`` keeps it with no owner (left running on
purpose).

A server whose owner is gone is an orphan: the next command that uses it
adopts it (and stops it when it ends), and every ``perfproof`` command stops
the others before it starts (``stop_orphans``). Records are read and written
under the server's own start/stop lock, so a server being started is never
taken for an orphan.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shlex
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import psutil

from portal.files import write_json_atomically
from portal.home import perfproof_home

from ._common import ServiceUnavailable, log, prepare_home

REGISTRY = "servers"  # under the perfproof home


@dataclass(frozen=True)
class Owner:
    """The process that launched a server."""

    pid: int
    started: float  # the process's start time (psutil): a pid alone may be another process now
    command: str

    @classmethod
    def this_process(cls) -> Owner:
        me = psutil.Process()
        return cls(pid=me.pid, started=me.create_time(), command=_command(me)[:200])

    def alive(self) -> bool:
        try:
            process = psutil.Process(self.pid)
            return (
                abs(process.create_time() - self.started) < 0.01
                and process.status() != psutil.STATUS_ZOMBIE
            )
        except psutil.Error:
            return False

    def describe(self) -> str:
        return f"`{self.command}` (pid {self.pid})"


def _command(process: psutil.Process) -> str:
    """``perfproof bench --profile quick``: how the person who ran it would write it."""
    try:
        words = process.cmdline()
    except psutil.Error:
        return "?"
    if len(words) > 1 and Path(words[0]).name.startswith("python") and words[1][:1] != "-":
        words = words[1:]  # a script's interpreter (the perfproof console script's)
    return shlex.join([Path(words[0]).name, *words[1:]]) if words else "?"


@dataclass(frozen=True)
class Record:
    """What ``servers/<stem>-<folder hash>.json`` says of one server."""

    stem: str  # "postgres" or "redis"
    home: str  # the folder the server keeps its data in
    owner: Owner | None  # None: left running on purpose (services --detach)

    def orphaned(self) -> bool:
        return self.owner is not None and not self.owner.alive()


def registry() -> Path:
    return perfproof_home() / REGISTRY


def record_path(stem: str, home: Path) -> Path:
    digest = hashlib.sha256(str(home).encode()).hexdigest()[:12]
    return registry() / f"{stem}-{digest}.json"


def read_record(path: Path) -> Record | None:
    """The record at ``path``; None when there is none or it cannot be read (then it is no
    evidence of anything, and a server without one is never stopped as an orphan)."""
    try:
        data: dict[str, Any] = json.loads(path.read_text())
        owner = data.get("owner")
        return Record(
            stem=str(data["stem"]),
            home=str(data["home"]),
            owner=Owner(int(owner["pid"]), float(owner["started"]), str(owner["command"]))
            if owner
            else None,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_record(record: Record) -> None:
    """Record ``record`` (the caller holds the server's lock).

    A safety net, not a condition: a home it cannot be written to (the servers
    may keep their data elsewhere, a check's in a temporary folder) is a warning.
    """
    data = {
        "stem": record.stem,
        "home": record.home,
        "owner": asdict(record.owner) if record.owner else None,
    }
    try:
        prepare_home(perfproof_home())  # with its .gitignore, if this makes it
        write_json_atomically(record_path(record.stem, Path(record.home)), data)
    except (OSError, ServiceUnavailable) as error:
        log.warning(
            "cannot record who runs the embedded %s of %s: %s", record.stem, record.home, error
        )


def remove_record(stem: str, home: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(record_path(stem, home))


def recorded() -> list[Record]:
    """Every server this perfproof home's commands launched and did not stop."""
    found = []
    with contextlib.suppress(OSError):
        for path in sorted(registry().glob("*.json")):
            if (record := read_record(path)) is not None:
                found.append(record)
    return found
