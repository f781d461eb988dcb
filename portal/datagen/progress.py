"""A live progress line on stderr (tables in flight), a line per finished table, a summary.

No dependency: a carriage-return line redrawn at most ten times a second. It
draws only on a terminal (or when forced with ``PERFPROOF_PROGRESS=always``),
so logs and CI output stay clean, but the summary line is printed whenever
progress was asked for. Tables load on two connections at once, so the
methods are thread-safe and the live line shows every table in flight.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import TextIO

_REDRAW_SECONDS = 0.1
_BAR = 20


def human_rate(rows_per_second: float) -> str:
    """``324k`` / ``1.2M``: the summary's rows/s, short enough for one line."""
    if rows_per_second >= 1_000_000:
        return f"{rows_per_second / 1_000_000:.1f}M"
    if rows_per_second >= 1_000:
        return f"{rows_per_second / 1_000:.0f}k"
    return f"{rows_per_second:.0f}"


@dataclass
class _Table:
    expected: int
    done: int = 0
    started: float = 0.0

    def line(self, name: str) -> str:
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        share = min(self.done / self.expected, 1.0) if self.expected else 1.0
        bar = "#" * int(_BAR * share)
        return (
            f"{name:<20} [{bar:<{_BAR}}] {self.done:>11,}/{self.expected:<11,}"
            f" {human_rate(self.done / elapsed):>5} rows/s"
        )


class Progress:
    """Per-table rows done/total and rows/s; quiet unless ``enabled``."""

    def __init__(self, *, enabled: bool, stream: TextIO | None = None, force: bool = False) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        forced = force or os.environ.get("PERFPROOF_PROGRESS") == "always"
        self.draw = enabled and (forced or _isatty(self.stream))
        self._active: dict[str, _Table] = {}
        self._drawn = 0.0
        self._lock = threading.Lock()

    def start(self, table: str, expected_rows: int) -> None:
        with self._lock:
            self._active[table] = _Table(expected_rows, started=time.perf_counter())
            self._render()

    def advance(self, table: str, rows: int) -> None:
        with self._lock:
            self._active[table].done += rows
            if time.perf_counter() - self._drawn >= _REDRAW_SECONDS:
                self._render()

    def finish(self, table: str) -> None:
        """Print the table's final line (its real row count) above the live line."""
        with self._lock:
            state = self._active.pop(table)
            state.expected = state.done
            self._write(f"  {state.line(table)}\n")
            self._render()

    def note(self, message: str) -> None:
        """A step without rows (keys, ANALYZE), on its own line while drawing."""
        with self._lock:
            self._write(f"  {message}\n")
            self._render()

    def summary(self, line: str) -> None:
        if self.enabled:
            with self._lock:
                self.stream.write(line + "\n")
                self.stream.flush()

    def _render(self) -> None:
        self._drawn = time.perf_counter()
        if self._active:
            self._write("  " + " | ".join(t.line(n) for n, t in self._active.items()))

    def _write(self, text: str) -> None:
        if self.draw:
            self.stream.write(f"\r\x1b[K{text}")
            self.stream.flush()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
