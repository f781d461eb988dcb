"""A team's service started from its target file, and stopped: exactly what was started.

The start command runs under a shell in a session (and so a process group) of
its own, on a free port, with its output kept in a log file (the run folder
keeps it). It is ready when the readiness path answers 2xx from a process of
that group; a command that exits first, or is not ready in time, is one
sentence naming the cause and the end of its log (:class:`ServiceFailed`). At
the end, on an error and on a signal alike, the whole group gets SIGTERM, then
SIGKILL after a grace period, and so does any descendant that left the group:
perfproof stops what it started and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from perfproof.targets.model import Service, with_python

PORT_ATTEMPTS = 3  # a free port may be taken by someone else before the service binds it
GRACE_S = 10.0  # after SIGTERM, before SIGKILL
POLL_S = 0.1
_BIND_FAILED = ("address already in use", "eaddrinuse")


class ServiceFailed(RuntimeError):
    """The service could not be started or reached; the message is the one line to show."""


@dataclass(frozen=True)
class Running:
    """A service that answered its readiness check."""

    url: str  # http://127.0.0.1:PORT, or the target's own url
    process: subprocess.Popen[bytes] | None  # None: run by someone else


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running(
    service: Service,
    log: Path,
    env: Mapping[str, str] | None = None,
    hide: Callable[[str], str] = str,
) -> Iterator[Running]:
    """The service, ready, until the block ends; ``env`` is added to the service's own.

    ``hide`` takes the secrets out of the command line the log shows.

    A service given by url is only checked for readiness, never started or stopped.
    """
    if service.command is None:
        assert service.url is not None
        url = service.url.rstrip("/")
        _wait_ready(None, None, _ready_url(service, url), service.ready_timeout_s, log, 0)
        yield Running(url, None)
        return
    log.parent.mkdir(parents=True, exist_ok=True)
    log.touch()
    child_env = {**os.environ, **service.env, **(env or {})}
    for attempt in range(1, PORT_ATTEMPTS + 1):
        port = free_port()
        offset = log.stat().st_size
        process = _start(service, port, child_env, log, hide)
        try:
            url = f"http://127.0.0.1:{port}"
            try:
                _wait_ready(process, port, _ready_url(service, url), service.ready_timeout_s,
                            log, offset)  # fmt: skip
            except _LostPort:
                if attempt == PORT_ATTEMPTS:
                    raise ServiceFailed(
                        f"the service lost the race for a free port {attempt} times "
                        f"(last {port}); is something else binding ports on this machine?"
                    ) from None
                continue
            yield Running(url, process)
            return
        finally:
            stop(process)


def _ready_url(service: Service, base: str) -> str:
    return service.ready if service.ready.startswith("http") else base + service.ready


def _start(
    service: Service, port: int, env: Mapping[str, str], log: Path, hide: Callable[[str], str]
) -> subprocess.Popen[bytes]:
    assert service.command is not None
    command = with_python(service.command.replace("{port}", str(port)))
    with log.open("ab") as sink:
        sink.write(f"$ {hide(command)}\n".encode())
        sink.flush()
        return subprocess.Popen(
            command, shell=True, cwd=service.cwd, env=dict(env), stdin=subprocess.DEVNULL,
            stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


class _LostPort(Exception):
    """The service exited because its port was taken before it could bind it."""


def _wait_ready(
    process: subprocess.Popen[bytes] | None,
    port: int | None,
    url: str,
    timeout_s: float,
    log: Path,
    offset: int,
) -> None:
    """Until ``url`` answers 2xx, from the started group itself when perfproof started it."""
    deadline = time.monotonic() + timeout_s
    last = "no answer"
    while True:
        try:
            status = httpx.get(url, timeout=2).status_code
            last = f"HTTP {status}"
            if 200 <= status < 300 and (process is None or _listens(process.pid, port)):
                return
        except httpx.HTTPError as error:
            last = type(error).__name__
        if process is not None and process.poll() is not None:
            said = _tail(log, offset)
            if any(marker in said.lower() for marker in _BIND_FAILED):
                raise _LostPort
            raise ServiceFailed(
                f"the service's start command exited with code {process.returncode} before "
                f"{url} answered: {said or 'it printed nothing'} (log: {log})"
            )
        if time.monotonic() > deadline:
            said = _tail(log, offset) if process is not None else ""
            raise ServiceFailed(
                f"{url} did not answer 2xx within {timeout_s:g} s (last: {last})"
                + (f"; the service printed: {said}" if said else "")
                + (f" (log: {log})" if process is not None else "")
            )
        time.sleep(POLL_S)


def _listens(pid: int, port: int | None) -> bool:
    """Whether a process of the started group listens on ``port``: an answer from another
    server on that port is not this service's."""
    try:
        group = os.getpgid(pid)
    except ProcessLookupError:
        return False
    for found in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(found.pid) != group:
                continue
            for connection in found.net_connections(kind="tcp"):
                if connection.status == psutil.CONN_LISTEN and connection.laddr.port == port:
                    return True
        except (psutil.Error, ProcessLookupError, PermissionError):
            continue
    return False


def _tail(log: Path, offset: int) -> str:
    """The last line the service wrote since ``offset``, for a one-line error."""
    with log.open("rb") as handle:
        handle.seek(offset)
        lines = [
            line.strip() for line in handle.read().decode(errors="replace").splitlines()
            if line.strip() and not line.startswith("$ ")
        ]  # fmt: skip
    return lines[-1][:300] if lines else ""


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group, SIGKILL after ``GRACE_S``; descendants that left the
    group are collected first and stopped too. Only what this start made is touched."""
    try:
        descendants = psutil.Process(process.pid).children(recursive=True)
    except psutil.Error:
        descendants = []
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGTERM)
    for child in descendants:
        with contextlib.suppress(psutil.Error):
            child.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=GRACE_S)
    _, alive = psutil.wait_procs(descendants, timeout=max(0.0, GRACE_S / 2))
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    for child in alive:
        with contextlib.suppress(psutil.Error):
            child.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=GRACE_S)
