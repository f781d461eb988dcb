"""A team's own pytest-benchmark files, run once per arm in interleaved blocks.

``[benchmarks] files``: each block runs the files once in every arm (the arms
in a rotated order per block, so drift falls on every arm alike), with the
service in that arm and its base URL in ``PERFPROOF_TARGET_URL``; pytest runs
in the service's folder with the service's and the arm's environment, under
the interpreter perfproof runs under. Every round is kept
(``--benchmark-save-data``): a series is a test's name (``test_search``, or
``test_search[lamp]``), and a ``median_reduction`` claim compares its rounds
in two arms, pooled over the blocks, with the portal's estimator
(``reports/estimates.py``: the ratio of medians, a percentile bootstrap over
rounds). A file that fails is one line naming it and pytest's last words.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from perfproof.targets.arm_state import ArmFailed, ServiceInArms
from perfproof.targets.model import Target

BLOCKS = {"quick": 2, "default": 3}
URL_ENV = "PERFPROOF_TARGET_URL"
TIMEOUT_S = 900.0

# arm -> series -> every round's seconds, over all blocks
Rounds = dict[str, dict[str, list[float]]]


def run_benchmarks(target: Target, profile: str, arms: ServiceInArms, folder: Path,
                   say: Callable[[str], None]) -> Rounds:  # fmt: skip
    """Every block, every arm: the files run once; their rounds by arm and series."""
    rounds: Rounds = {arm.name: {} for arm in target.arms}
    out = folder / "benchmarks"
    out.mkdir(exist_ok=True)
    for block in range(BLOCKS.get(profile, 2)):
        shift = block % len(target.arms)
        for arm in [*target.arms[shift:], *target.arms[:shift]]:
            service = arms.enter(arm)
            result = out / f"{arm.name}-{block}.json"
            log = out / f"{arm.name}-{block}.log"
            env = {**os.environ, **target.service.env, **arm.env, URL_ENV: service.url}
            command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                       "--benchmark-only", "--benchmark-save-data",
                       f"--benchmark-json={result.resolve()}",
                       *(str(path.resolve()) for path in target.benchmarks)]  # fmt: skip
            with log.open("wb") as sink:
                done = subprocess.run(command, cwd=target.service.cwd, env=env, stdout=sink,
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      timeout=TIMEOUT_S, check=False)  # fmt: skip
            if done.returncode != 0 or not result.exists():
                raise ArmFailed(f"benchmarks in arm {arm.name}: pytest exited with code "
                                f"{done.returncode}: {_last_words(log)} (log: {log})")  # fmt: skip
            for series, data in read_rounds(result).items():
                rounds[arm.name].setdefault(series, []).extend(data)
            say(f"benchmarks block {block + 1} arm {arm.name}: "
                f"{sum(len(v) for v in rounds[arm.name].values())} rounds so far")  # fmt: skip
    return rounds


def read_rounds(path: Path) -> dict[str, list[float]]:
    """pytest-benchmark's JSON: each benchmark's name -> its rounds (seconds)."""
    document = json.loads(path.read_text())
    return {
        str(entry["name"]): [float(x) for x in entry["stats"].get("data", [])]
        for entry in document.get("benchmarks", [])
    }


def _last_words(log: Path) -> str:
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1][:300] if lines else "it printed nothing"
