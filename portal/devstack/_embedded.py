"""What an embedded server of the dev stack is, whichever program it runs.

Both embedded servers live in a home folder that outlives the process, remember
their port there, and may have been started by somebody else: an object only
stops, when used as a context manager, the server it launched itself.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import ClassVar, Self

from ._common import LOCALHOST, display_path


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
        self.started = False  # True while this object owns a server it launched

    @property
    def data_path(self) -> Path:
        """The folder holding the server's data (shown to people)."""
        raise NotImplementedError

    def start(self) -> bool:
        """Make sure the server runs; True if this call launched it."""
        raise NotImplementedError

    def stop(self) -> bool:
        """Stop the server of this home (whoever started it); True if one was running."""
        raise NotImplementedError

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
