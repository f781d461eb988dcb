"""Where perfproof keeps what it reuses between runs: embedded servers' data, tokens files.

One function decides, so the servers and the tokens file of their dataset can
never end up in different folders.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

HOME_ENV = "PERFPROOF_HOME"
_CHECKOUT = Path(__file__).resolve().parents[1]


def perfproof_home(env: Mapping[str, str] | None = None) -> Path:
    """``$PERFPROOF_HOME``, else ``.perfproof`` in the source checkout, else ``~/.perfproof``.

    Reusing one folder is what makes the second start fast and keeps loaded
    data. An installed wheel has no checkout, so it uses the home folder rather
    than wherever the command happens to run.
    """
    environ = os.environ if env is None else env
    if environ.get(HOME_ENV):
        return Path(environ[HOME_ENV]).expanduser().resolve()
    if (_CHECKOUT / "pyproject.toml").is_file():
        return _CHECKOUT / ".perfproof"
    return Path.home() / ".perfproof"
