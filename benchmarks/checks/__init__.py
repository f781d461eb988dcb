"""Functional checks: the write-up's promises that are behaviour, not numbers, run for real.

Each check drives the real portal (a uvicorn child over HTTP, real Redis and
PostgreSQL) and ends ``passed`` true or false with a sentence of what it
tried and saw: slow statements caught, Redis stopped under load, TTLs read
back, X-Cache, invalidation after writes, the index proof, the monitoring
endpoints. ``CHECKS`` (``table.py``) is the list; ``run_checks`` runs it;
``python -m benchmarks.checks`` is the command.
"""

from benchmarks.checks.context import ChecksUnavailable
from benchmarks.checks.result import CheckResult
from benchmarks.checks.runner import run_checks
from benchmarks.checks.table import CHECK_IDS, CHECKS, Check, Count

__all__ = [
    "CHECKS",
    "CHECK_IDS",
    "Check",
    "CheckResult",
    "ChecksUnavailable",
    "Count",
    "run_checks",
]
