"""Reading one key of a target file: its type checked, its value never echoed in an error.

A bad value may be a password (a URL, an environment value), so an error says
what kind of value it found, never the value itself. Every error is a
:class:`Problem` naming the key (dotted, with list positions:
``arms[2].env.DB``); ``perfproof/targets/target_file.py`` turns it into the one
line shown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# ${NAME} or ${NAME:-default} in any string of a target file: taken from the environment,
# so a password need not be written into a file that is committed.
REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class Problem(Exception):
    """One key's problem: the key, and what is wrong with it."""

    def __init__(self, key: str, text: str) -> None:
        super().__init__(f"{key}: {text}")
        self.key, self.text = key, text


def expand(value: Any, environ: Mapping[str, str], where: str = "") -> Any:
    """``value`` with every ``${NAME}`` (or ``${NAME:-default}``) of its strings filled in from
    ``environ``; a :class:`Problem` naming the key and the variable when one is not set."""
    if isinstance(value, str):

        def filled(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in environ:
                return environ[name]
            if default is not None:
                return default
            raise Problem(where, f"${{{name}}}: the environment variable is not set (or give a "
                                 f"default: ${{{name}:-value}})")  # fmt: skip

        return REFERENCE.sub(filled, value)
    if isinstance(value, list):
        return [expand(item, environ, f"{where}[{n}]") for n, item in enumerate(value, start=1)]
    if isinstance(value, dict):
        return {name: expand(item, environ, key(where, name)) for name, item in value.items()}
    return value


def kind(value: Any) -> str:
    """What a value is, never the value itself: a bad value may be a password."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, float):
        return f"the number {value:g}"
    kinds: dict[type, str] = {str: "a string", list: "a list", dict: "a table"}
    return kinds.get(type(value), type(value).__name__)


def key(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def known(table: Mapping[str, Any], keys: tuple[str, ...], prefix: str) -> None:
    unknown = sorted(set(table) - set(keys))
    if unknown:
        raise Problem(key(prefix, unknown[0]), f"unknown key (known: {', '.join(keys)})")


def table(
    found: Mapping[str, Any], name: str, prefix: str, *, required: bool = False
) -> Mapping[str, Any]:
    value = found.get(name)
    if value is None:
        if required:
            raise Problem(key(prefix, name), "missing: this table is required")
        return {}
    if not isinstance(value, dict):
        raise Problem(key(prefix, name), f"must be a table, not {kind(value)}")
    return value


def text(found: Mapping[str, Any], name: str, prefix: str, *, required: bool = False) -> str:
    value = found.get(name)
    if value is None:
        if required:
            raise Problem(key(prefix, name), "missing: it is required")
        return ""
    if not isinstance(value, str) or not value.strip():
        raise Problem(key(prefix, name), f"must be a non-empty string, not {kind(value)}")
    return value


def commands(found: Mapping[str, Any], name: str, prefix: str) -> tuple[str, ...]:
    value = found.get(name, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise Problem(key(prefix, name), "must be a command or a list of commands (strings)")
    return tuple(value)


def names(value: Any, name: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Problem(name, f"must be a list of environment variable names, not {kind(value)}")
    for entry in value:
        if not ENV_NAME.match(entry):
            raise Problem(name, f"{entry!r} is not an environment variable name")
    return value


def env(found: Mapping[str, Any], prefix: str) -> dict[str, str]:
    value = found.get("env", {})
    where = key(prefix, "env")
    if not isinstance(value, dict):
        raise Problem(where, f'must be a table of NAME = "value", not {kind(value)}')
    for name, setting in value.items():
        if not ENV_NAME.match(name):
            raise Problem(f"{where}.{name}", "not an environment variable name")
        if not isinstance(setting, str | int | float) or isinstance(setting, bool):
            raise Problem(f"{where}.{name}", f"must be a string or a number, not {kind(setting)}")
    return {name: str(setting) for name, setting in value.items()}


def positive(found: Mapping[str, Any], name: str, prefix: str, default: float) -> float:
    value = found.get(name, default)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or value <= 0 or not math.isfinite(value):
        raise Problem(key(prefix, name), "must be a positive, finite number of seconds, not "
                      f"{kind(value)}")  # fmt: skip
    return float(value)


def file(value: Any, name: str, folder: Path) -> Path:
    """A file named relative to the target file's folder (``folder`` as the user gave it)."""
    if not isinstance(value, str) or not value:
        raise Problem(name, f"must be a path (a string), not {kind(value)}")
    found = folder / value
    if not found.is_file():
        raise Problem(name, f"no such file: {found}")
    return found


def url(value: str, name: str, schemes: tuple[str, ...]) -> str:
    """``value``, a URL of one of ``schemes`` that parses (its password stays unsaid)."""
    if not value.startswith(tuple(f"{scheme}://" for scheme in schemes)):
        raise Problem(name, f"must start with {' or '.join(s + '://' for s in schemes)}")
    try:
        parts = urlsplit(value)
        _ = parts.port  # raises on a port that is not a number
    except ValueError as error:
        raise Problem(name, f"not a URL ({error})") from None
    if not parts.hostname and not value.startswith("unix://"):
        raise Problem(name, "names no host")
    return value
