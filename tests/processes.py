"""Whether a process the test saw is still running, for tests that check nothing is left."""

from __future__ import annotations

import psutil


def running(process: psutil.Process) -> bool:
    """``process`` runs: not exited, not a zombie awaiting its parent, and not a later
    process that reuses its pid (``is_running`` compares start times)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
