"""serving(): a real uvicorn child on a port of its own, even when another socket takes
the port free_port() handed out before the child could bind it (the race is forced
here by handing out a port a listener of the test holds)."""

from __future__ import annotations

import http.server
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from benchmarks import servers
from portal.devstack import Services, free_port

HEALTHZ_APP = "tests.benchmarks.healthz_app:create_app"  # the port handling is the app's business


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port a listener of this test holds, as another process would after free_port()."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def environment(stack: Services) -> dict[str, str]:
    return {**os.environ, **stack.env()}


def test_a_port_taken_before_the_server_binds_it_is_given_up_for_another(
    stack: Services, held_port: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    handed = iter([held_port])
    monkeypatch.setattr(servers, "free_port", lambda: next(handed, None) or free_port())
    with servers.serving(environment(stack), app=HEALTHZ_APP, log=tmp_path / "serve.log") as served:
        assert not served.url.endswith(f":{held_port}")
        assert httpx.get(served.url + "/healthz", timeout=10).status_code == 200


class _Impostor(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"impostor")

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_server_that_took_the_port_is_not_taken_for_ours(
    stack: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """uvicorn binds after the app's startup: the other server answers /healthz first."""
    impostor = http.server.HTTPServer(("127.0.0.1", 0), _Impostor)
    threading.Thread(target=impostor.serve_forever, daemon=True).start()
    try:
        handed = iter([impostor.server_address[1]])
        monkeypatch.setattr(servers, "free_port", lambda: next(handed, None) or free_port())
        with servers.serving(environment(stack), log=tmp_path / "serve.log") as served:
            answer = httpx.get(served.url + "/healthz", timeout=10)
            assert answer.status_code == 200 and answer.text != "impostor"
    finally:
        impostor.shutdown()
        impostor.server_close()
    assert "address already in use" in (tmp_path / "serve.log").read_text().lower()


def test_a_port_taken_every_time_is_one_clear_error(
    stack: Services, held_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(servers, "free_port", lambda: held_port)
    with pytest.raises(RuntimeError, match=r"lost the race for a free port 3 times"):  # noqa: SIM117
        with servers.serving(environment(stack), app=HEALTHZ_APP):
            pytest.fail("served on a port another socket holds")


def test_a_server_that_fails_otherwise_is_not_retried_and_shows_its_log(
    stack: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    handed: list[int] = []

    def counted() -> int:
        handed.append(free_port())
        return handed[-1]

    monkeypatch.setattr(servers, "free_port", counted)
    with pytest.raises(RuntimeError, match=r"(?s)did not start.*no_such_module"):  # noqa: SIM117
        with servers.serving(environment(stack), app="no_such_module:create_app"):
            pytest.fail("served an app that does not exist")
    assert len(handed) == 1
