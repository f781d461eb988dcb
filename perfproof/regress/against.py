"""``perfproof regress --against REF``: both commits measured on this machine, in this job.

A gate that compares today's run with a baseline saved yesterday compares
two machines, or one machine in two moods: a shared CI runner's neighbours,
its CPU clock and its caches differ between jobs by more than the 10 % a
gate looks for. So this measures the baseline commit and the current tree
here, now, interleaved (baseline, candidate, candidate, baseline, ... so a
drift during the job falls on both sides alike), and compares the pooled
runs of each side (``reports/regress/gate.py``); this module composes
``perfproof bench`` and that comparison, as asv's ``continuous`` composes ``run`` and
``compare``.

The baseline is checked out with ``git worktree add --detach`` in a
temporary folder, with an environment of its own: a virtualenv whose path
puts the baseline's source first and then this environment's installed
packages (``--fresh-env``: ``pip install`` of the baseline into an empty
virtualenv instead, when its dependencies differ). Both sides share the
services and the perfproof home (datasets, embedded servers), so nothing is
generated twice. The worktree and its environment are removed at the end,
however the job ends (a stop signal is passed on to the bench running, which
cleans up first); the run folders stay in the output folder.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import site
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from portal.stop_signals import child_environment, held, signal_of, stop_child
from reports.regress.gate import Outcome, gate
from reports.regress.thresholds import Thresholds

GIT_TIMEOUT_S = 120


class AgainstError(RuntimeError):
    """The baseline could not be checked out, installed or measured; one line to show."""


@dataclass(frozen=True)
class Side:
    name: str  # "baseline" or "candidate"
    python: Path
    source: Path  # the checkout the bench runs in
    commit: str

    @property
    def perfproof(self) -> list[str]:
        """How this side's checkout runs ``perfproof``: ``-m perfproof`` since the tool has a
        package of its own, ``-m benchmarks.cli`` in commits from before (a baseline may be
        one of those)."""
        if (self.source / "perfproof" / "__main__.py").exists():
            return [str(self.python), "-m", "perfproof"]
        return [str(self.python), "-m", "benchmarks.cli"]


def _git(repo: Path, *arguments: str) -> str:
    """git, run whole: a stop signal waits for it (``worktree add`` cut short leaves a locked
    worktree that ``remove`` and ``prune`` then refuse), and in a session of its own, so
    that Ctrl-C in the terminal does not reach it either."""
    try:
        with held():
            done = subprocess.run(
                ["git", "-C", str(repo), *arguments],
                capture_output=True,
                text=True,
                timeout=GIT_TIMEOUT_S,
                start_new_session=True,
            )
    except (OSError, subprocess.SubprocessError) as error:
        raise AgainstError(f"git {arguments[0]} failed: {error}") from None
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise AgainstError(f"git {' '.join(arguments)}: {said}")
    return done.stdout.strip()


def repository_root(start: Path) -> Path:
    return Path(_git(start, "rev-parse", "--show-toplevel"))


def resolve_commit(repo: Path, ref: str) -> str:
    """The commit ``ref`` names (a branch, tag, sha, ``HEAD~1``)."""
    if ref.startswith("-"):
        raise AgainstError(f"{ref!r} is not a git ref")
    return _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")


def shared_environment(venv: Path, source: Path) -> Path:
    """A virtualenv that imports ``source`` first, then this environment's packages.

    Path entries (not ``site.addsitedir``) for this environment's
    site-packages: their own ``.pth`` files are not read, so this checkout's
    editable install cannot shadow the baseline's source.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    target = Path(purelib)
    (target / "00-perfproof-baseline.pth").write_text(f"{source}\n")
    ours = [path for path in site.getsitepackages() if Path(path).is_dir()]
    (target / "zz-perfproof-shared.pth").write_text("".join(f"{path}\n" for path in ours))
    return python


def fresh_environment(venv: Path, source: Path) -> Path:
    """An empty virtualenv with the baseline installed by pip, dependencies and all."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", f"{source}[loadtest]"],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise AgainstError(f"installing the baseline into {venv} failed: {said}")
    return python


def schedule(repeats: int) -> list[str]:
    """The order of the runs: baseline, candidate, then candidate, baseline, ... (ABBA)."""
    order: list[str] = []
    for number in range(repeats):
        pair = ["baseline", "candidate"] if number % 2 == 0 else ["candidate", "baseline"]
        order += pair
    return order


def _bench(side: Side, bench_args: Sequence[str], results: Path, log: Path) -> Path:
    """One ``perfproof bench`` of ``side`` into ``results``; its run folder."""
    results.mkdir(parents=True, exist_ok=True)
    before = {path.name for path in results.iterdir()}
    command = [*side.perfproof, *bench_args, "--results", str(results)]
    with log.open("ab") as sink:
        sink.write(f"\n$ (cd {side.source} && {shlex.join(command)})\n".encode())
        sink.flush()
        child = None
        try:
            with held():  # a stop while the bench starts: raised once it is known, to stop it
                child = subprocess.Popen(
                    command, cwd=side.source, stdout=sink, stderr=subprocess.STDOUT,
                    env=child_environment(_environment()),
                )  # fmt: skip
            code = child.wait()
        except KeyboardInterrupt as stop:
            # Signalled by its PID alone, the gate is the only one that heard it: the bench
            # is told, and cleans up (its servers, its run folder) before the worktree goes.
            if child is not None:
                stop_child(child, signal_of(stop))
            raise
    if code != 0:
        raise AgainstError(
            f"the {side.name}'s bench run (commit {side.commit[:12]}) failed with exit {code}; "
            f"its output is in {log}"
        )
    made = [path for path in results.iterdir() if path.name not in before and path.is_dir()]
    if len(made) != 1:
        raise AgainstError(f"the {side.name}'s bench run left no run folder in {results}")
    return made[0]


def _environment() -> dict[str, str]:
    """Both sides use this checkout's perfproof home: one set of datasets and servers."""
    from portal.home import HOME_ENV, perfproof_home

    return {**os.environ, HOME_ENV: str(perfproof_home())}


def measure_against(args: argparse.Namespace, thresholds: Thresholds) -> Outcome:
    """Check out ``args.against``, run both sides interleaved, and gate them."""
    repo = repository_root(Path.cwd())
    commit = resolve_commit(repo, args.against)
    head = _git(repo, "rev-parse", "HEAD")
    bench_args = ["bench", *shlex.split(args.bench_args)]
    label = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-against-{commit[:12]}"
    out: Path = args.out or args.results / label
    out.mkdir(parents=True, exist_ok=True)
    log = out / "bench.log"
    scratch = Path(tempfile.mkdtemp(prefix="perfproof-against-"))
    worktree = scratch / "baseline"
    try:
        _git(repo, "worktree", "add", "--detach", str(worktree), commit)
        make = fresh_environment if args.fresh_env else shared_environment
        sides = {
            "baseline": Side("baseline", make(scratch / "venv", worktree), worktree, commit),
            "candidate": Side("candidate", Path(sys.executable), repo, head),
        }
        runs: dict[str, list[Path]] = {"baseline": [], "candidate": []}
        order = schedule(args.repeats)
        rate: dict[str, list[str]] = {name: [] for name in sides}
        for number, name in enumerate(order, start=1):
            started = time.monotonic()
            side = sides[name]
            folder = _bench(side, [*bench_args, *rate[name]], out / name, log)
            runs[name].append(folder)
            if number == 1:
                rate = one_offered_rate(folder, bench_args, sides)
            sys.stdout.write(
                f"[{number}/{len(order)}] {name} ({side.commit[:12]}"
                f"{', working tree' if name == 'candidate' else ''}): {folder.name} "
                f"({time.monotonic() - started:.0f} s)\n"
            )
            sys.stdout.flush()
    except subprocess.CalledProcessError as error:
        raise AgainstError(f"making the baseline's environment failed: {error}") from None
    finally:
        _remove_worktree(repo, worktree, scratch)
    return gate(
        runs["baseline"],
        runs["candidate"],
        thresholds,
        out=out,
        strict_environment=args.strict_environment,
        changes_only=args.changes_only,
        calibration=args.calibration,
    )


RATE_OPTION = "--load-rate"


def one_offered_rate(
    first: Path, bench_args: Sequence[str], sides: dict[str, Side]
) -> dict[str, list[str]]:
    """The options that offer every later run the open-model rate the first run measured.

    A bench run offers its open model a share of its own closed-model
    capacity: left alone, a slower candidate would be offered less load and
    its latency compared at another rate. A baseline commit older than
    ``--load-rate`` measures its own rate (the gate leaves open-model series
    not compared when the rates are over 5 % apart); a rate the user gave in
    ``--bench-args`` stands.
    """
    none: dict[str, list[str]] = {name: [] for name in sides}
    if any(_names_rate(arg) for arg in bench_args):
        return none
    from reports.run_folder import RunFolderError, read_run

    try:
        load = read_run(first).load_manifest
    except RunFolderError:
        return none
    offered = load.open_rate if load is not None else None
    if isinstance(offered, bool) or not isinstance(offered, int | float) or offered <= 0:
        return none  # no open model in this profile
    return {
        name: [RATE_OPTION, repr(float(offered))] if _accepts_rate(side) else []
        for name, side in sides.items()
    }


def _names_rate(arg: str) -> bool:
    """``--load-rate``, ``--load-rate=X`` or an abbreviation argparse would take for it."""
    name = arg.split("=", 1)[0]
    return len(name) >= len("--l") and RATE_OPTION.startswith(name)


def _accepts_rate(side: Side) -> bool:
    try:
        done = subprocess.run(
            [*side.perfproof, "bench", "--help"],
            cwd=side.source,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            env=_environment(),
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and RATE_OPTION in done.stdout


def measure_aa(args: argparse.Namespace, out: Path) -> list[Path]:
    """``args.aa_runs`` bench runs of the current tree (A/A: the same code), in ``out/runs``."""
    repo = repository_root(Path.cwd())
    side = Side("current tree", Path(sys.executable), repo, _git(repo, "rev-parse", "HEAD"))
    bench_args = ["bench", *shlex.split(args.bench_args)]
    out.mkdir(parents=True, exist_ok=True)
    folders: list[Path] = []
    rate: list[str] = []  # the first run's offered rate for the others, as --against does
    for number in range(1, args.aa_runs + 1):
        started = time.monotonic()
        folders.append(_bench(side, [*bench_args, *rate], out / "runs", out / "bench.log"))
        if number == 1:
            rate = one_offered_rate(folders[0], bench_args, {side.name: side})[side.name]
        sys.stdout.write(
            f"[{number}/{args.aa_runs}] A/A run of {side.commit[:12]}: {folders[-1].name} "
            f"({time.monotonic() - started:.0f} s)\n"
        )
        sys.stdout.flush()
    return folders


def _remove_worktree(repo: Path, worktree: Path, scratch: Path) -> None:
    """The baseline's worktree and environment gone, however the job ended (stop signals
    are ignored by then: ``portal/stop_signals.py``)."""
    if worktree.exists():
        subprocess.run(
            ["git", "-C", str(repo), "worktree", "remove", "--force", str(worktree)],
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
            start_new_session=True,
        )
    shutil.rmtree(scratch, ignore_errors=True)
    subprocess.run(
        ["git", "-C", str(repo), "worktree", "prune"],
        capture_output=True,
        timeout=GIT_TIMEOUT_S,
        start_new_session=True,
    )
