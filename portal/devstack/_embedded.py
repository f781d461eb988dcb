"""What an embedded server of the dev stack is, whichever program it runs.

Both embedded servers live in a home folder that outlives the process, remember
their port there, and may have been started by somebody else: an object only
stops, when used as a context manager, the server it launched itself, or one
it adopted because the command that launched it is gone (``_owners.py``).
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Self

from ._common import LOCALHOST, display_path, file_lock
from ._owners import Owner, Record, read_record, record_path, remove_record, write_record


class EmbeddedServer:
    """Common state and lifecycle; subclasses say how to start and stop their program."""

    #: The name people know the program by ("PostgreSQL", "Redis").
    product: ClassVar[str]
    #: The prefix of the files this server keeps in its home ("postgres", "redis").
    stem: ClassVar[str]

    def __init__(self, home: Path, port: int | None = None) -> None:
        self.home = home.expanduser().resolve()
        self.logfile = self.home / f"{self.stem}.log"
        self._port_file = self.home / f"{self.stem}.port"
        self._lock_file = self.home / f"{self.stem}.lock"
        self._explicit_port = port
        self.port: int | None = port
        self.version = ""
        self.started = False  # True while this object owns a server (launched or adopted)
        self.adopted_from: Owner | None = None  # the gone owner of a server adopted

    @property
    def data_path(self) -> Path:
        """The folder holding the server's data (shown to people)."""
        raise NotImplementedError

    def start(self) -> bool:
        """Make sure the server runs; True if this call launched it."""
        raise NotImplementedError

    def stop(self) -> bool:
        """Stop the server of this home (whoever started it); True if one was running."""
        if not self.home.exists():
            return False
        with file_lock(self._lock_file):
            return self._stop_locked()

    def _stop_locked(self) -> bool:
        """``stop`` once the lock is held; the record of its owner goes with it."""
        raise NotImplementedError

    def _owned_now(self) -> None:
        """This process launched the server (the lock is held): it is its owner now."""
        write_record(Record(self.stem, str(self.home), Owner.this_process()))
        self.started = True

    def _adopt_if_orphaned(self) -> None:
        """The server runs (the lock is held): owned by this process if its owner is gone."""
        record = read_record(record_path(self.stem, self.home))
        if record is not None and record.orphaned():
            self._owned_now()
            self.adopted_from = record.owner

    def stop_if_orphaned(self) -> Owner | None:
        """Stop the server if the command that launched it is gone; that command, if it ran."""
        if not self.home.exists():
            remove_record(self.stem, self.home)
            return None
        with file_lock(self._lock_file):
            record = read_record(record_path(self.stem, self.home))
            if record is None or not record.orphaned():
                return None
            return record.owner if self._stop_locked() else None

    def detach(self) -> None:
        """Leave the server this process owns running on purpose: no command owns it now."""
        with file_lock(self._lock_file):
            record = read_record(record_path(self.stem, self.home))
            if record is not None and record.owner is not None and record.owner.pid == os.getpid():
                write_record(Record(self.stem, str(self.home), None))
        self.started = False

    def pid(self) -> int | None:
        """The server's process id while it runs (the postmaster for PostgreSQL)."""
        raise NotImplementedError

    def start_again(self) -> None:
        """Start after a stop on the port it had, so clients' URLs stay right (fault tests)."""
        if self.port is not None and self._explicit_port is None:
            self._explicit_port = self.port
            try:
                self.start()
            finally:
                self._explicit_port = None
        else:
            self.start()

    def _address(self) -> str:
        """``127.0.0.1:<port>``, once the port is known."""
        if self.port is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return f"{LOCALHOST}:{self.port}"

    @property
    def url(self) -> str:
        """The URL clients connect to."""
        raise NotImplementedError

    def describe(self) -> str:
        """One line: version, folder, whether we started it, URL."""
        how = "started here" if self.started else "already running"
        if self.adopted_from is not None:
            how = f"adopted: {self.adopted_from.describe()} left it running and is gone"
        where = display_path(self.data_path)
        return f"{self.product}: embedded {self.version} at {where}, {how} ({self.url})"

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            if self.started:  # launched, then failed to answer: do not leave it behind
                self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.started:
            self.stop()
