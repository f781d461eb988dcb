"""Running the real locustfile against a stand-in portal, as a subprocess (gevent stays there)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from loadtests.load_data import DATA_ENV, LoadData, LoadUser, write
from loadtests.recorder import Recorder

LOCUSTFILE = Path(__file__).resolve().parents[2] / "loadtests" / "locustfile.py"


@pytest.fixture
def load_data_file(tmp_path: Path) -> Path:
    """Synthetic load data: the stand-in portal checks no token."""
    users = [LoadUser(n, "buyer", f"pp_test{n}", n % 7) for n in range(1, 40)]
    users += [LoadUser(99, "admin", "pp_admin", 0)]
    data = LoadData("tiny", 1, users, [1, 2], ["tools"], [100, 200, 300])
    return write(data, tmp_path / "load.json")


Locust = Callable[..., tuple[dict[str, Recorder], subprocess.CompletedProcess[str]]]


@pytest.fixture
def run_locust(load_data_file: Path, tmp_path: Path) -> Locust:
    """``locust -f loadtests/locustfile.py --headless ...``; the recording by phase."""

    def run(
        host: str, *arguments: str, env: dict[str, str] | None = None, name: str = "run"
    ) -> Any:
        out = tmp_path / f"{name}.json"
        done = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(LOCUST), "--host", host, "--headless",
             "--only-summary", "--loglevel", "WARNING", *arguments],
            env={**os.environ, DATA_ENV: str(load_data_file), "PERFPROOF_LOAD_OUT": str(out),
                 **(env or {})},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert out.exists(), done.stdout[-2000:] + done.stderr[-2000:]
        recorded = {p: Recorder.from_document(d) for p, d in json.loads(out.read_text()).items()}
        return recorded, done

    return run


LOCUST = LOCUSTFILE
