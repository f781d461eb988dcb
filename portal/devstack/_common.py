"""Pieces shared by the PostgreSQL and Redis halves of the dev stack.

The error type callers catch, URL display without secrets, free ports, a file lock
that serialises processes starting servers in one home, and process liveness checks.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psutil

log = logging.getLogger("portal.devstack")

LOCALHOST = "127.0.0.1"


class ServiceUnavailable(RuntimeError):
    """A service cannot be used; the message is one sentence meant for a human.

    The cause is almost always configuration (a wrong URL, a server that is not
    running), not a bug, so CLIs print the message and exit 2 instead of a traceback.
    """


def prepare_home(home: Path) -> Path:
    """Create ``home`` (with a ``.gitignore`` so it never lands in git) and return it resolved."""
    home = home.expanduser().resolve()
    try:
        home.mkdir(parents=True, exist_ok=True)
        ignore = home / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# created by portal.devstack: local server data\n*\n")
    except OSError as error:
        raise ServiceUnavailable(
            f"cannot keep the embedded servers in {home} (PERFPROOF_HOME or --home): "
            f"{error.strerror or error}."
        ) from None
    return home


def redact(url: str) -> str:
    """Return ``url`` with any password replaced by ``***``, for logs and descriptions."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":***"
        netloc = f"{userinfo}@{hostport}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, "***" if k.lower() == "password" else v) for k, v in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def with_dbname(url: str, dbname: str) -> str:
    """Return the libpq URL ``url`` pointing at database ``dbname`` on the same server."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + quote(dbname), parts.query, ""))


def display_path(path: Path) -> str:
    """Show ``path`` relative to the working directory when it is below it (shorter lines)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def port_is_free(port: int) -> bool:
    """Tell whether ``127.0.0.1:port`` can be bound now (a remembered port may be taken).

    SO_REUSEADDR, as PostgreSQL and Redis set it: connections of the previous server
    left in TIME_WAIT do not make the port busy for a new listener.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOCALHOST, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that the kernel says is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCALHOST, 0))
        port: int = sock.getsockname()[1]
    return port


def choose_port(remembered: int | None) -> int:
    """Reuse the remembered port when free so URLs stay stable across runs, else a new one."""
    if remembered is not None and port_is_free(remembered):
        return remembered
    return free_port()


def read_int(path: Path) -> int | None:
    """Read an integer file (port or pid file); ``None`` when missing or garbled."""
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` so two processes never start one server twice."""
    with path.open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def process_alive(pid: int | None, name: str | None = None) -> bool:
    """Tell whether ``pid`` runs (zombies count as gone), optionally checking its name.

    The name check guards against a stale pid file whose pid was reused.
    """
    if pid is None or pid <= 0:
        return False
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return False
        return name is None or name in str(proc.name())
    except psutil.Error:
        return False


def wait_gone(pid: int, timeout: float) -> bool:
    """Wait until ``pid`` has exited; return whether it did within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while process_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def log_tail(path: Path, start: int = 0, lines: int = 20) -> str:
    """Return the last lines of a server log written since byte ``start`` (for error text)."""
    try:
        with path.open("rb") as handle:
            handle.seek(start)
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def file_size(path: Path) -> int:
    """Size of ``path`` or 0; marks where a new server start begins in its log."""
    try:
        return path.stat().st_size
    except OSError:
        return 0
