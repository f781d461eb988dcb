"""``python -m benchmarks.suite <pytest args>``: pytest for the runner, quiet when interrupted.

The runner (``perfproof bench``) starts the suites in a child process. A
Ctrl-C that lands while that child is still starting (importing pytest,
loading the conftest, which imports the portal) would surface as a traceback
from deep inside the import system or pytest's configuration. Until the test
session has begun it is only noted, and the session then ends at once with
status 130 (``pytest.exit``); from then on pytest handles Ctrl-C as usual: it
stops, reports what ran and writes the benchmarks measured so far.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

_noted: list[int] = []


def _note(signum: int, _frame: FrameType | None) -> None:
    _noted.append(signum)


class _InterruptsToPytest:
    """A plugin that hands Ctrl-C to pytest once its session has begun."""

    def pytest_sessionstart(self) -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if _noted:
            import pytest

            pytest.exit("interrupted before the first benchmark", returncode=130)


def main() -> int:
    signal.signal(signal.SIGINT, _note)
    import pytest

    code = int(pytest.main(sys.argv[1:], plugins=[_InterruptsToPytest()]))
    # pytest has reported and saved what it measured; a second Ctrl-C while the
    # interpreter joins its threads would only print a traceback from there.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    return code


if __name__ == "__main__":
    sys.exit(main())
