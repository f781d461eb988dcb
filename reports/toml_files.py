"""A TOML file read whole, or refused in one line naming the file and why."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any


def read_toml(path: Path, *, what: str, refuse: type[ValueError]) -> dict[str, Any]:
    """``path`` parsed; ``refuse`` (the caller's error, one line) when it is missing or bad.

    ``what`` names the file for that line: "claims file", "thresholds file".
    """
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise refuse(f"{path}: no such {what}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise refuse(f"{path}: cannot read it ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise refuse(f"{path}: not valid TOML ({error})") from None
