"""``python -m benchmarks.suite <pytest args>``: pytest for the runner, quiet when stopped.

The runner (``perfproof bench``) starts the suites in a child process. A stop
signal (Ctrl-C, SIGTERM, SIGHUP: ``portal/stop_signals.py``) that lands while
that child is still starting (importing pytest, loading the conftest, which
imports the portal) would surface as a traceback from deep inside the import
system or pytest's configuration. Until the test session has begun it is only
noted, and the session then ends at once (``pytest.exit``); from then on the
first one is the ``KeyboardInterrupt`` pytest handles as Ctrl-C: it stops,
reports what ran and writes the benchmarks measured so far, and later ones are
ignored, so that they cannot cut that short. The exit status says which
signal it was (130, 143, 129).
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

from portal.cli.exit_codes import STOPPED_EXIT
from portal.stop_signals import (
    STOP_SIGNALS,
    handle_stop_signals,
    ignore_from_now,
    received,
    stop_with_parent,
)

_noted: list[int] = []


def _note(signum: int, _frame: FrameType | None) -> None:
    _noted.append(signum)


class _StopSignalsToPytest:
    """A plugin that hands the stop signals to pytest once its session has begun."""

    def pytest_sessionstart(self) -> None:
        if _noted:
            import pytest

            code = STOPPED_EXIT[signal.Signals(_noted[0])]
            pytest.exit("stopped before the first benchmark", returncode=code)
        handle_stop_signals()


def main() -> int:
    for signum in STOP_SIGNALS:
        signal.signal(signum, _note)
    stop_with_parent()
    import pytest

    code = int(pytest.main(sys.argv[1:], plugins=[_StopSignalsToPytest()]))
    # pytest has reported and saved what it measured; a signal while the interpreter
    # joins its threads would only print a traceback from there.
    ignore_from_now()
    stopped = received()
    return STOPPED_EXIT[signal.Signals(stopped)] if stopped is not None else code


if __name__ == "__main__":
    sys.exit(main())
