"""A run folder's life, one for every harness that writes one (the bench, the load tests, the
faults): created while stop signals are held, and however the run ends, its tables written
and its manifest finished.

    with run_folder(root, label, settings, tables=write_tables) as run:
        code = measure_into(run.folder)
        run.ended(ok=code == 0, exit_code=code)  # how a run that did not raise ended
    print(run.tables)  # what write_tables returned

- done: stop signals are ignored from here on (what was measured is being
  written down, and the embedded servers stopped after it: neither may be cut
  short), the tables, then ``finish`` as ``ended`` said (default: ok);
- stopped (Ctrl-C, SIGTERM, SIGHUP: ``portal/stop_signals.py``): the same,
  the manifest says ``interrupted: true`` and which ``signal``, ``unfinished``
  runs (the bench's report of a run with no evidence), one line says where
  the partial results are, and the stop goes on up (the command's exit code);
- an error: the same, with the ``error`` in the manifest, and it goes on up.

A stop that lands while the folder is being created is held until it
exists: a folder that never says it was interrupted would pass for a run
still going.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from benchmarks.results import ResultFolder
from portal.stop_signals import held, ignore_from_now, signal_of, stop_line

Tables = TypeVar("Tables")


@dataclass
class Run(Generic[Tables]):
    folder: ResultFolder
    tables: Tables | None = None  # what the tables writer returned, once it has run
    outcome: dict[str, Any] = field(default_factory=lambda: {"ok": True})

    def ended(self, *, ok: bool, **extra: Any) -> None:
        """How the run ended when its block returns: ``finished`` and what else the
        manifest should say (a child's exit code)."""
        self.outcome = {"ok": ok, **extra}


def _nothing(_folder: ResultFolder) -> None:
    return None


@contextmanager
def run_folder(
    root: Path,
    label: str,
    settings: dict[str, Any],
    *,
    tables: Callable[[ResultFolder], Tables],
    unfinished: Callable[[ResultFolder], None] = _nothing,
) -> Iterator[Run[Tables]]:
    """``root/<UTC time>-<label>/`` for the block, closed as the block ends (see the module)."""
    run: Run[Tables] | None = None
    try:
        with held():
            run = Run(ResultFolder(root, label, settings))
        yield run
    except KeyboardInterrupt as stop:
        if run is None:  # stopped before the folder existed: nothing to close
            raise
        _close(run, tables, ok=False, interrupted=True, signal=_name(stop))
        unfinished(run.folder)
        print(
            f"\n{stop_line(stop)}: partial results in {run.folder.path} (manifest: finished false)",
            flush=True,
        )
        raise
    except BaseException as error:
        if run is None:
            raise
        _close(run, tables, ok=False, error=f"{type(error).__name__}: {error}")
        unfinished(run.folder)
        print(f"partial results in {run.folder.path} (manifest: finished false)", flush=True)
        raise
    _close(run, tables, **run.outcome)


def _name(stop: BaseException) -> str:
    return signal.Signals(signal_of(stop)).name


def _close(run: Run[Tables], tables: Callable[[ResultFolder], Tables], **finish: Any) -> None:
    ignore_from_now()
    run.tables = tables(run.folder)
    ok = finish.pop("ok")
    run.folder.finish(ok=ok, **finish)
