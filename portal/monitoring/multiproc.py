"""Prometheus multiprocess mode for several uvicorn workers: the directory they share.

prometheus_client keeps each worker's values in memory-mapped files under
``PROMETHEUS_MULTIPROC_DIR`` and sums them when any worker is scraped. The
variable must be set before the workers import prometheus_client, and the
folder must start empty (stale files from an earlier run would be summed in),
so ``perfproof serve`` (and the harness's ``serving``) prepares it before uvicorn spawns the workers
(spawned, not forked: each imports prometheus_client afresh and sees it).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def multiprocess_metrics(
    workers: int, environ: MutableMapping[str, str] | None = None
) -> Iterator[Path | None]:
    """Set up (and afterwards remove) the shared metrics folder when it is needed.

    ``environ`` is the environment the workers will start with (default: this
    process's). With ``PROMETHEUS_MULTIPROC_DIR`` set there, that folder is used
    and its ``*.db`` files are cleared; otherwise, with more than one worker, a
    temporary folder is created for this run, set in ``environ`` and removed at
    exit. One worker needs nothing.
    """
    if environ is None:
        environ = os.environ
    configured = environ.get(ENV)
    if configured:
        folder = Path(configured)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        yield folder
        return
    if workers <= 1:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="perfproof-metrics-"))
    environ[ENV] = str(folder)
    try:
        yield folder
    finally:
        environ.pop(ENV, None)
        shutil.rmtree(folder, ignore_errors=True)
