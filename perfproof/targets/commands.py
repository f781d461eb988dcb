"""The team's commands perfproof runs besides the service: its checks and its data size.

A ``[[checks]]`` command is a functional promise judged by its exit code, its
output kept as the evidence; ``data_size.command`` (or ``data_size.sql``)
reports the size the verdicts hold for. Both run in the service's folder,
with ``{python}`` the interpreter perfproof runs under.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

from perfproof.targets.arm_state import ArmFailed
from perfproof.targets.evidence import Witnesses
from perfproof.targets.model import Check, Target, with_python
from perfproof.targets.service import Running

CHECK_TIMEOUT_S = 300.0


def run_check(target: Target, folder: Path, hide: Callable[[str], str], check: Check,
              service: Running) -> tuple[int, str]:  # fmt: skip
    """A ``[[checks]]`` command against the started service: its exit code (-1 when it ran
    out of time) and where its output is kept, relative to the run folder."""
    name = check.name
    out = folder / "checks" / f"{name}.log"
    out.parent.mkdir(exist_ok=True)
    text = with_python(check.command.replace("{url}", service.url))
    with out.open("wb") as sink:
        sink.write(f"$ {hide(text)}\n".encode())
        sink.flush()
        try:
            done = subprocess.run(text, shell=True, cwd=target.service.cwd, stdout=sink,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  env=_env(target), timeout=CHECK_TIMEOUT_S,
                                  check=False)  # fmt: skip
            code = done.returncode
        except subprocess.TimeoutExpired:
            code = -1
    print(f"check {name}: exit {code}", flush=True)
    return code, str(out.relative_to(folder))


def data_size(target: Target, witnesses: Witnesses, hide: Callable[[str], str]) -> str:
    """The data size the claims hold for, as the target declares or reports it."""
    size = target.data_size
    if size is None:
        return ""
    if size.rows is not None:
        return f"{size.rows:,} {size.of}"
    if size.sql is not None:
        if witnesses.pg is None:
            return ""
        row = witnesses.pg.execute(size.sql).fetchone()
        return f"{int(row[0]):,} {size.of}" if row else ""
    assert size.command is not None
    done = subprocess.run(with_python(size.command), shell=True, cwd=target.service.cwd,
                          capture_output=True, text=True, env=_env(target),
                          timeout=CHECK_TIMEOUT_S, check=False)  # fmt: skip
    words = done.stdout.split()
    if done.returncode != 0 or not words or not words[0].replace(",", "").isdigit():
        raise ArmFailed(f"data_size.command ({hide(size.command)}) did not print a whole number "
                        f"(exit {done.returncode})")  # fmt: skip
    return f"{int(words[0].replace(',', '')):,} {size.of}"


def _env(target: Target) -> dict[str, str]:
    """perfproof's environment, the service's and the first arm's (the checks run in it)."""
    return {**os.environ, **target.service.env, **target.arms[0].env}
