"""Locust's own distributed mode: a master and two workers on 127.0.0.1, histograms merged exactly.

The master writes the merged recording; each worker writes what it sent in
all. The merged request count (and the HDR histograms' counts) must equal
the workers' sum: nothing lost, nothing counted twice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from loadtests.load_data import DATA_ENV
from loadtests.recorder import Recorder
from portal.devstack import free_port
from tests.conftest import LiveServer
from tests.loadtests.conftest import LOCUST
from tests.loadtests.stub_portal import stub_app


def test_a_master_and_two_workers_merge_without_loss(load_data_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "merged.json"
    env = {**os.environ, DATA_ENV: str(load_data_file), "PERFPROOF_LOAD_OUT": str(out)}
    port = str(free_port())
    base = [sys.executable, "-m", "locust", "-f", str(LOCUST), "--loglevel", "WARNING"]
    with LiveServer(stub_app(delay_s=0.002)) as url:
        master = subprocess.Popen(
            [*base, "--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", port,
             "--expect-workers", "2", "--headless", "-u", "6", "-r", "6", "-t", "3s",
             "--host", url, "--only-summary"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        workers: list[subprocess.Popen[bytes]] = [
            subprocess.Popen(
                [*base, "--worker", "--master-host", "127.0.0.1", "--master-port", port],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(2)
        ]
        try:
            _, errors = master.communicate(timeout=90)
            for worker in workers:
                worker.wait(timeout=30)
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
            if master.poll() is None:
                master.kill()
    assert out.exists(), errors[-2000:]
    merged = Recorder()
    for document in json.loads(out.read_text()).values():
        merged.merge(Recorder.from_document(document))
    parts = sorted(tmp_path.glob("merged.json.worker-*.json"))
    assert len(parts) == 2
    summed = Recorder()
    for part in parts:
        summed.merge(Recorder.from_document(json.loads(part.read_text())))
    assert set(merged.routes) == set(summed.routes)
    for route, record in merged.routes.items():
        assert record.requests == summed.routes[route].requests > 0
        assert record.service.get_total_count() == summed.routes[route].service.get_total_count()
    each = [
        sum(r.requests for r in Recorder.from_document(json.loads(p.read_text())).routes.values())
        for p in parts
    ]
    assert all(count > 0 for count in each), "both workers generated load"
