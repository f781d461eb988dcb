"""The system programs some tests need, which a fresh machine may lack: one table.

A test that needs one says so with ``@pytest.mark.needs_program("wrk")``;
``tests/conftest.py`` skips it, before any fixture starts, where the program is
not found, with a reason naming the program and the command that installs it.
CI sets ``PERFPROOF_REQUIRE_SYSTEM_TOOLS=1``, which turns every skip into a
failure: there, a skipped browser test would prove nothing.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

REQUIRE_ENV = "PERFPROOF_REQUIRE_SYSTEM_TOOLS"


@dataclass(frozen=True)
class Program:
    name: str
    executables: tuple[str, ...]  # looked up on PATH, in this order
    install: str  # the command that installs it (Debian's package)
    needed_for: str
    env: str | None = None  # a variable naming the executable, looked at first

    def path(self) -> str | None:
        """Where the program is, or None."""
        configured = os.environ.get(self.env, "") if self.env else ""
        if configured:
            return configured if Path(configured).is_file() else None
        for executable in self.executables:
            found = shutil.which(executable)
            if found:
                return found
        return None

    def missing_reason(self) -> str:
        looked = ", ".join([*([self.env] if self.env else []), *self.executables])
        return (
            f"needs {self.name} ({self.needed_for}), not found (looked for {looked}): "
            f"install it with `{self.install}`"
        )


PROGRAMS: dict[str, Program] = {
    program.name: program
    for program in (
        Program(
            "chromium",
            ("chromium", "chromium-browser"),
            "apt-get install chromium",
            "the report is opened in a real headless browser",
            env="PERFPROOF_CHROMIUM",
        ),
        Program(
            "wrk",
            ("wrk",),
            "apt-get install wrk",
            "the HTTP throughput and monitoring-cost measurements",
        ),
    )
}


def required() -> bool:
    """Whether every skip is a failure here (CI)."""
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")
