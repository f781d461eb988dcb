"""The signals that stop a command, handled alike in one place: SIGINT (Ctrl-C), SIGTERM (kill,
a service manager, a cancelled CI job) and SIGHUP (the terminal closed).

The first of them raises :class:`Stopped` where the command is. It is a
``KeyboardInterrupt``, so every clean-up written for Ctrl-C runs for all
three. Later ones are ignored until the process exits: a second signal must
not cut a clean-up short (stopping children, writing the run folder, stopping
the embedded servers). ``perfproof`` installs this for every command
(``portal.cli.commands``, which also holds the exit codes: 128 + the
signal's number).

A parent passes the signal on to its children (:func:`stop_child`): signalled
by its PID alone, it is the only one that heard it. A child started with
:func:`child_environment` also gets SIGTERM from the kernel when its parent
dies (Linux), even of SIGKILL, which nothing can catch: a killed bench does
not leave its load test running.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from types import FrameType
from typing import Any, ClassVar

import psutil

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# A child started by a parent that set it stops with that parent (see stop_with_parent).
PARENT_ENV = "PERFPROOF_STOP_WITH"
# A child gets the signal again every this long until it ends: one that landed in its
# start-up, before its own handling, was lost.
RESEND_AFTER_S = 5.0
# A child cleans up within this (the load test: Locust and the portal, 15 s and 30 s at most;
# the faults: their own PostgreSQL): past it, its whole process tree is killed.
CHILD_GRACE_S = 90.0
_PR_SET_PDEATHSIG = 1
# A stop Python swallowed (raised in a finalizer) is sent again after this long.
RESEND_SWALLOWED_S = 0.05


class Stopped(KeyboardInterrupt):
    """A stop signal, raised where the command was."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def signal_of(stop: BaseException) -> int:
    """The signal that stopped the command: a plain ``KeyboardInterrupt`` is Ctrl-C."""
    return int(getattr(stop, "signum", signal.SIGINT))


def stop_line(stop: BaseException) -> str:
    """``interrupted``, or ``interrupted by SIGTERM``: the first words of what a command says."""
    signum = signal_of(stop)
    return (
        "interrupted"
        if signum == signal.SIGINT
        else f"interrupted by {signal.Signals(signum).name}"
    )


class _Handling:
    installed: ClassVar[bool] = False  # handle_stop_signals() is in force
    received: ClassVar[list[int]] = []  # the stop signal that raised, since then
    hook_found: ClassVar[Callable[[Any], object]] = sys.__unraisablehook__


def _stop(signum: int, _frame: FrameType | None) -> None:
    _Handling.received.append(signum)
    ignore_from_now()
    raise Stopped(signum)


def _raised_again(unraisable: Any) -> None:
    """``sys.unraisablehook`` while the handling is in force: a :class:`Stopped` that Python
    swallowed is raised again, where the program is.

    A handler's exception is raised in whatever Python code runs when the signal
    lands, and that may be a finalizer (a redis-py pool's ``__del__`` run by the
    garbage collector, seen under load): Python prints "Exception ignored" and
    goes on. With later signals already ignored, the stop was lost, and the run
    went on to its end. So the handler is put back and the signal sent again,
    from a thread a moment later: the main thread then runs the handler back in
    the program (sent at once, it would run inside this hook, and be swallowed
    too; should it land in another finalizer, this hook sends it once more).
    """
    stop = unraisable.exc_value
    if not isinstance(stop, Stopped) or not _in_main_thread():
        _Handling.hook_found(unraisable)
        return
    _Handling.received.remove(stop.signum)
    for signum in STOP_SIGNALS:
        signal.signal(signum, _stop)
    again = threading.Timer(RESEND_SWALLOWED_S, os.kill, (os.getpid(), stop.signum))
    again.daemon = True
    again.start()


def received() -> int | None:
    """The stop signal that stopped the command since :func:`handle_stop_signals`, if any."""
    return _Handling.received[0] if _Handling.received else None


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def handle_stop_signals() -> Callable[[], None]:
    """From now on the first stop signal raises :class:`Stopped`, later ones are ignored;
    the function returned puts back the handlers found, unless the command is stopping
    (then they stay ignored until the process has exited)."""
    if not _in_main_thread() or _Handling.installed:
        return lambda: None  # already in force (a command module run by run_module is invoked)
    _Handling.installed, _Handling.received = True, []
    _Handling.hook_found, sys.unraisablehook = sys.unraisablehook, _raised_again
    previous = {signum: signal.signal(signum, _stop) for signum in STOP_SIGNALS}

    def restore() -> None:
        _Handling.installed = False
        sys.unraisablehook = _Handling.hook_found
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_IGN:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    return restore


@contextlib.contextmanager
def stop_signals_handled() -> Iterator[None]:
    """:func:`handle_stop_signals` for the block."""
    restore = handle_stop_signals()
    try:
        yield
    finally:
        restore()


def ignore_from_now() -> None:
    """Stop signals are ignored from now on: the command is cleaning up, or done.

    ``SIG_IGN``, not a Python function: Python puts the handlers it runs back
    to the default while the interpreter exits, and a late second signal would
    then kill the process after all. The few children started during a clean-up
    (``pg_ctl stop``, ``git worktree remove``) inherit it, and are short.
    """
    if _in_main_thread():
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)


@contextlib.contextmanager
def held() -> Iterator[None]:
    """A stop signal that lands in the block is held, and raised when the block has ended.

    For steps that must not be cut in half: a run folder appearing (it must
    then say it was interrupted), a child or a server starting (it must then be
    known, so that it is stopped).
    """
    if not _in_main_thread():
        yield
        return
    noted: list[int] = []

    def note(signum: int, _frame: FrameType | None) -> None:
        noted.append(signum)

    previous = {signum: signal.signal(signum, note) for signum in STOP_SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if noted and previous[signal.Signals(noted[0])] is not signal.SIG_IGN:
        _Handling.received.append(noted[0])
        ignore_from_now()
        raise Stopped(noted[0])


def child_environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """``env`` (default ``os.environ``) for a child that must stop when this process dies."""
    return {**(os.environ if env is None else env), PARENT_ENV: str(os.getpid())}


def stop_with_parent() -> None:
    """In a child started with :func:`child_environment`: SIGTERM when the parent dies (Linux).

    The kernel sends it whatever killed the parent, SIGKILL too; the variable is
    dropped so that grandchildren (a portal, Locust) do not take it for theirs.
    """
    parent = os.environ.pop(PARENT_ENV, None)
    if parent is None or not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if str(os.getppid()) != parent:  # the parent died before the line above
        os.kill(os.getpid(), signal.SIGTERM)


def stop_child(child: subprocess.Popen[bytes], signum: int) -> int:
    """``child``'s exit status once it has cleaned up after ``signum``, passed on to it.

    Sent now (signalled by its PID, this process alone heard it; a child that
    heard it too ignores the repeat) and again every few seconds, for a child still
    in its start-up ignores it until its own handling is in place, and on a busy
    machine that start-up outlasted one repeat (CI, 2026-12-07: the bench then waited
    out the whole grace); past :data:`CHILD_GRACE_S` the child and everything it
    started are killed.
    """
    deadline = time.monotonic() + CHILD_GRACE_S
    while (left := deadline - time.monotonic()) > 0:
        if child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signum)
        try:
            return child.wait(timeout=min(RESEND_AFTER_S, left))
        except subprocess.TimeoutExpired:
            continue
    if child.poll() is not None:
        return child.returncode
    kill_tree(child.pid)
    return child.wait()


def kill_tree(pid: int) -> None:
    """SIGKILL to ``pid`` and all its descendants (collected first: a killed parent's children
    are handed to init and no longer found under it)."""
    try:
        root = psutil.Process(pid)
        tree = [root, *root.children(recursive=True)]
    except psutil.Error:
        return
    for process in tree:
        with contextlib.suppress(psutil.Error):
            process.kill()
