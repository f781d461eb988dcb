"""The service put in one arm or another: restarted with the arm's environment, or switched.

Going to an arm: the previous arm's ``after`` commands run, then the new
arm's ``before``; then, if the new arm declares a ``switch`` and the service
is running, the switch command puts it in the arm without a restart;
otherwise the service is stopped and started again with the arm's
environment (``service.py``: its own process group, a free port, readiness).
A service someone else runs (``service.url``) is never restarted: its arms
are reached by their commands alone. Every command runs by a shell in the
service's folder with the service's and the arm's environment, ``{port}`` and
``{url}`` filled in, its output kept in the run folder's ``commands.log``; one
that fails is one line naming the arm, the command and its exit code.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from perfproof.targets.model import Arm, Target, with_python
from perfproof.targets.service import Running, running

COMMAND_TIMEOUT_S = 600.0


class ArmFailed(RuntimeError):
    """An arm's command failed; the message is the one line to show."""


class ServiceInArms:
    """The target's service and the arm it is in now; ``close`` stops what was started."""

    def __init__(self, target: Target, folder: Path, hide: Callable[[str], str]) -> None:
        self.target = target
        self.hide = hide  # secrets out of every log line perfproof writes
        self.folder = folder
        self.arm: Arm | None = None
        self.service: Running | None = None
        self._stack = ExitStack()
        self.starts = 0
        self.switches = 0
        self.deaths = 0

    def enter(self, arm: Arm) -> Running:
        """The service, in ``arm`` and ready; started again if it died (the window it died
        in is marked by the validity guard, and ``deaths`` counts it)."""
        if self.service is not None and self.service.process is not None and (
            self.service.process.poll() is not None
        ):  # fmt: skip
            self.deaths += 1
            self._stop()
        if self.arm is not None and self.arm.name == arm.name and self.service is not None:
            return self.service
        previous = self.arm
        if previous is not None:
            self._commands(previous, "after", previous.after)
        self.arm = None
        switchable = arm.switch is not None and self.service is not None
        if not switchable and self.target.service.started:
            self._stop()
        self._commands(arm, "before", arm.before)
        if self.service is None:
            self.service = self._stack.enter_context(
                running(
                    self.target.service, self.folder / "service.log", env=arm.env, hide=self.hide
                )
            )
            self.starts += 1
        elif arm.switch is not None:
            self._commands(arm, "switch", (arm.switch,))
            self.switches += 1
        self.arm = arm
        return self.service

    def _stop(self) -> None:
        self._stack.close()
        self._stack = ExitStack()
        self.service = None

    def close(self) -> None:
        """The last arm's ``after``, then the service stopped (when perfproof started it)."""
        try:
            if self.arm is not None:
                self._commands(self.arm, "after", self.arm.after)
        finally:
            self.arm = None
            self._stop()

    def _commands(self, arm: Arm, key: str, commands: tuple[str, ...]) -> None:
        service = self.target.service
        env = {**os.environ, **service.env, **arm.env}
        log = self.folder / "commands.log"
        for number, command in enumerate(commands, start=1):
            text = with_python(command)
            if self.service is not None:
                port = self.service.url.rsplit(":", 1)[-1].split("/")[0]
                text = text.replace("{url}", self.service.url).replace("{port}", port)
            with log.open("ab") as sink:
                sink.write(f"$ [{arm.name}.{key}] {self.hide(text)}\n".encode())
                sink.flush()
                try:
                    done = subprocess.run(
                        text, shell=True, cwd=service.cwd, env=env, stdin=subprocess.DEVNULL,
                        stdout=sink, stderr=subprocess.STDOUT, timeout=COMMAND_TIMEOUT_S,
                        check=False,
                    )  # fmt: skip
                except subprocess.TimeoutExpired:
                    raise ArmFailed(
                        f"arm {arm.name}: {key} command {number} did not finish "
                        f"within {COMMAND_TIMEOUT_S:g} s (log: {log})"
                    ) from None
            if done.returncode != 0:
                raise ArmFailed(f"arm {arm.name}: {key} command {number} exited with code "
                                f"{done.returncode}: {_tail(log)} (log: {log})")  # fmt: skip


def _tail(log: Path) -> str:
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines()
             if line.strip() and not line.startswith("$ ")]  # fmt: skip
    return lines[-1][:300] if lines else "it printed nothing"
