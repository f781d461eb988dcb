"""Every command's exit status: one number per meaning, the same in every command.

0 done; 1 what was measured failed what it was held to (a claim not met with
``--fail-on-unmet``, a regression, books that do not balance, an index the
planner does not use under ``--strict``, a fault scenario that broke); 2 a user
mistake or an unusable service (one line on stderr, never a traceback); stopped
by a signal, 128 + its number, as a shell reports a process the signal killed.
"""

from __future__ import annotations

import signal
from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    CHECK_FAILED = 1
    BAD_INPUT = 2
    HUNG_UP = 129  # SIGHUP: the terminal closed
    INTERRUPTED = 130  # SIGINT: Ctrl-C
    TERMINATED = 143  # SIGTERM: kill, a service manager, a cancelled CI job


STOPPED_EXIT = {
    signal.SIGINT: Exit.INTERRUPTED,
    signal.SIGTERM: Exit.TERMINATED,
    signal.SIGHUP: Exit.HUNG_UP,
}
