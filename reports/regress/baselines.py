"""Saved baselines: a finished run folder kept under a name, in the ignored results folder.

``perfproof bench --save-baseline NAME`` (or ``perfproof regress
--save-baseline NAME --run RUN``) copies the run folder to
``<results>/baselines/NAME/`` (``results/`` is ignored by git); ``--baseline
NAME`` then finds it. A name is a plain word, so it can never point outside
that folder. The copy is made beside its final place and renamed into it, so
a baseline is never half-written, and saving a name again replaces it.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

BASELINES = "baselines"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
# The report's pages and logs are not what a gate reads; the data and manifest are.
_NOT_COPIED = ("report.html", "*.stderr.log")


class BaselineError(ValueError):
    """A baseline name or run that cannot be used; the message is the one line to show."""


def baselines_folder(results: Path) -> Path:
    return results / BASELINES


def saved_names(results: Path) -> list[str]:
    folder = baselines_folder(results)
    if not folder.is_dir():
        return []
    return sorted(path.name for path in folder.iterdir() if (path / "manifest.json").exists())


def resolve(text: str, results: Path) -> Path:
    """A run folder path as given, else the saved baseline of that name."""
    given = Path(text)
    if given.is_dir():
        return given
    if NAME.match(text) and (baselines_folder(results) / text).is_dir():
        return baselines_folder(results) / text
    saved = saved_names(results)
    known = (
        f"saved baselines in {baselines_folder(results)}: {', '.join(saved)}"
        if saved
        else (f"no baselines saved in {baselines_folder(results)}")
    )
    raise BaselineError(f"{text}: no such run folder or saved baseline ({known})")


def save_baseline(run: Path, name: str, results: Path) -> Path:
    """Copy the run folder ``run`` to ``<results>/baselines/<name>/``; the new folder."""
    if not NAME.match(name):
        raise BaselineError(
            f"baseline name {name!r}: want letters, digits, '.', '_' or '-' (up to 100), "
            "starting with a letter or digit"
        )
    if not (run / "manifest.json").exists():
        raise BaselineError(f"{run}: not a run folder (no manifest.json)")
    folder = baselines_folder(results)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=folder))
    copy = staging / name
    shutil.copytree(run, copy, ignore=shutil.ignore_patterns(*_NOT_COPIED))
    old = staging / "old"
    if target.exists():
        target.rename(old)
    copy.rename(target)
    shutil.rmtree(staging, ignore_errors=True)
    return target
