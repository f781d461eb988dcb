"""A team's service started from its target file and stopped: real processes, real HTTP.

The service is Python's own ``http.server`` started by a shell command with
``{port}``, as a team's would be. perfproof must stop exactly what it started
(the process group, and a descendant that left it), nothing else, and say in one
sentence why a service did not come up.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import psutil
import pytest

from perfproof.targets.model import Service
from perfproof.targets.service import ServiceFailed, running

SERVER = f"{sys.executable} -m http.server --bind 127.0.0.1 {{port}}"


def _service(command: str | None, tmp_path: Path, *, url: str | None = None,
             timeout_s: float = 30.0) -> Service:  # fmt: skip
    return Service(command, url, tmp_path, {}, "/", timeout_s)


def _tree(pid: int) -> list[psutil.Process]:
    return [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]


def test_a_started_service_answers_and_is_gone_afterwards(tmp_path: Path) -> None:
    log = tmp_path / "service.log"
    with running(_service(SERVER, tmp_path), log) as service:
        assert httpx.get(service.url + "/").status_code == 200
        assert service.process is not None
        started = _tree(service.process.pid)
        assert len(started) >= 2  # the shell and the server
    assert not any(process.is_running() for process in started)
    assert log.read_text().startswith("$ ")  # the command, then what the service printed


def test_a_descendant_that_left_the_group_is_stopped_and_nothing_else(tmp_path: Path) -> None:
    bystander = subprocess.Popen(["sleep", "300"])  # not the service's: must survive
    try:
        command = f"setsid sleep 301 & {SERVER}"
        with running(_service(command, tmp_path), tmp_path / "log") as service:
            assert service.process is not None
            started = _tree(service.process.pid)
            assert any("301" in " ".join(p.cmdline()) for p in started)
        assert not any(process.is_running() for process in started)
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


def test_a_start_command_that_exits_is_one_sentence_with_its_code(tmp_path: Path) -> None:
    command = "echo 'cannot open shop.db' >&2; exit 3"
    with (
        pytest.raises(ServiceFailed, match=r"exited with code 3 .*cannot open shop\.db"),
        running(_service(command, tmp_path), tmp_path / "log"),
    ):
        pass


def test_a_service_never_ready_is_refused_after_its_timeout_and_stopped(tmp_path: Path) -> None:
    log = tmp_path / "log"
    never = _service("echo waiting; sleep 302", tmp_path, timeout_s=1.0)
    with pytest.raises(ServiceFailed, match=r"did not answer 2xx within 1 s"), running(never, log):
        pass
    assert not [
        p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", "302"]
    ]


def test_a_service_run_by_someone_else_is_only_checked_never_stopped(tmp_path: Path) -> None:
    with running(_service(SERVER, tmp_path), tmp_path / "theirs.log") as theirs:
        given = _service(None, tmp_path, url=theirs.url)
        with running(given, tmp_path / "ours.log") as service:
            assert service.process is None and service.url == theirs.url
        assert httpx.get(theirs.url + "/").status_code == 200  # still up
