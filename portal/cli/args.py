"""Arguments shared by the command lines, so a bad number is one clear line.

argparse turns an ``ArgumentTypeError`` into ``error: argument --x: ...`` and
exit status 2: the user sees what was wrong instead of a traceback from deep
inside a run that should never have started.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from portal.datagen.scales import SCALES


def positive_int(text: str) -> int:
    """A whole number of at least 1."""
    return _whole(text, least=1)


def non_negative_int(text: str) -> int:
    """A whole number of at least 0 (0 often means "never")."""
    return _whole(text, least=0)


def _whole(text: str, *, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"must be at least {least}, not {value}")
    return value


def positive_float(text: str) -> float:
    """A number above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, not {text}")
    return value


def shares(text: str) -> tuple[float, ...]:
    """Comma-separated shares of a capacity, each above 0 and at most 1, each once, sorted:
    ``--load-rates 0.25,0.5,0.75``."""
    try:
        values = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"want shares of capacity separated by commas, such as 0.25,0.5,0.75, not {text!r}"
        ) from None
    if not values or any(not 0 < value <= 1 for value in values):
        raise argparse.ArgumentTypeError(
            f"each share is above 0 and at most 1 (1 is the slowest arm's capacity), not {text}"
        )
    if len(set(values)) != len(values):
        raise argparse.ArgumentTypeError(f"a share is given twice in {text}")
    return tuple(sorted(values))


def tcp_port(text: str) -> int:
    """A TCP port, 1 to 65535."""
    value = positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"a TCP port is at most 65535, not {value}")
    return value


SEED_MAX = 2**31 - 1  # perfproof_dataset.seed is a PostgreSQL integer


def dataset_seed(text: str) -> int:
    """A data generator seed, 0 to 2^31 - 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value <= SEED_MAX:
        raise argparse.ArgumentTypeError(f"must be between 0 and {SEED_MAX}")
    return value


def output_folder(text: str) -> Path:
    """A folder results can be written to, created now, so a long run cannot end unsaved."""
    path = Path(text).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise argparse.ArgumentTypeError(f"cannot create {text}: {error.strerror}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"cannot write into {text}")
    return path


def writable_file(text: str) -> Path:
    """A file that can be written: its folder is created and checked now, before the work."""
    path = Path(text).expanduser()
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder, not a file")
    output_folder(str(path.parent))
    return path


def database_url_argument(parser: argparse.ArgumentParser) -> None:
    """``--database-url``, as every command that works on one database spells it."""
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="PostgreSQL server or database (default: $PORTAL_DATABASE_URL, else the embedded one)",
    )


def names_among(
    table: Iterable[str], what: str, *, at_least: int = 1, why: str = ""
) -> Callable[[str], tuple[str, ...]]:
    """An argument type: comma-separated names of ``table`` (arms, scenarios, sizes), in the
    order given, each once; at least ``at_least`` of them (``why`` says why, when more)."""
    known = tuple(table)

    def names(text: str) -> tuple[str, ...]:
        given = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
        if any(name not in known for name in given) or len(given) < at_least:
            many = f"{at_least} or more " if at_least > 1 else ""
            raise argparse.ArgumentTypeError(
                f"want {many}{what} among {', '.join(known)} separated by commas"
                f"{f' ({why})' if why else ''}, not {text!r}"
            )
        return given

    names.__name__ = what  # argparse names the type in some of its messages
    return names


def dataset_options(
    parser: argparse.ArgumentParser, *, scale: str | None, scale_help: str = ""
) -> None:
    """``--scale`` and ``--seed``, the same words and checks in every command that loads data."""
    sizes = ", ".join(f"{name} {size.orders:,} orders" for name, size in SCALES.items())
    default = f"default {scale}" if scale is not None else ""
    parser.add_argument(
        "--scale",
        choices=list(SCALES),
        default=scale,
        help=scale_help or f"dataset size ({sizes}; {default})",
    )
    parser.add_argument("--seed", type=dataset_seed, default=1, help="dataset seed (default 1)")


def results_option(
    parser: argparse.ArgumentParser,
    *,
    default: str | None = "results",
    what: str = "results root: each run makes a folder of its own there",
) -> None:
    """``--results DIR``, where every command's output goes (``--output``, its old spelling
    in some commands, stays a hidden alias: errors and --help name ``--results``). ``--out``
    is kept for one named file or folder."""
    parser.add_argument(
        "--results",
        dest="results",
        type=output_folder,
        default=default,
        metavar="DIR",
        help=f"{what} (default {default or 'none: printed only'})",
    )
    parser.add_argument("--output", dest="results", type=output_folder, help=argparse.SUPPRESS)
