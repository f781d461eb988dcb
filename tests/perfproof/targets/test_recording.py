"""perfproof's recording beside a team's own Locust file, unchanged: real Locust, a real
service that says HIT or MISS in a header of its own name, the recording read back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hdrh.histogram import HdrHistogram

from loadtests.recorder import hit_or_miss
from perfproof.targets.model import Service
from perfproof.targets.service import running

PLUGIN = Path(__file__).resolve().parents[3] / "perfproof" / "targets" / "recording_locustfile.py"

SERVER = """
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("X-Cache-Status", "HIT from edge" if self.path == "/hit" else "miss")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""

TEAM_LOCUSTFILE = """
from locust import HttpUser, constant, task

class Shopper(HttpUser):
    wait_time = constant(0)

    @task
    def cached(self):
        self.client.get("/hit", name="cached page")

    @task
    def uncached(self):
        self.client.get("/miss", name="fresh page")
"""


@pytest.mark.parametrize(
    ("sent", "read"),
    [("HIT", "HIT"), ("HIT from varnish", "HIT"), ("miss", "MISS"), ("EXPIRED", "EXPIRED"),
     ("", None), (None, None)],
)  # fmt: skip
def test_a_cache_header_reads_as_hit_or_miss(sent: str | None, read: str | None) -> None:
    assert hit_or_miss(sent) == read


def test_the_recording_attaches_to_a_team_locustfile_through_locusts_events(
    tmp_path: Path,
) -> None:
    (tmp_path / "server.py").write_text(SERVER)
    (tmp_path / "locustfile.py").write_text(TEAM_LOCUSTFILE)
    out = tmp_path / "recording.json"
    service = Service(f"{sys.executable} server.py {{port}}", None, tmp_path, {}, "/", 30.0)
    with running(service, tmp_path / "server.log") as served:
        done = subprocess.run(
            [sys.executable, "-m", "locust", "-f", f"locustfile.py,{PLUGIN}", "--headless",
             "-u", "2", "-r", "2", "-t", "2s", "--host", served.url, "--only-summary",
             "--loglevel", "WARNING"],
            cwd=tmp_path, capture_output=True, text=True, timeout=120,
            env={**os.environ, "PERFPROOF_LOAD_OUT": str(out),
                 "PERFPROOF_HIT_HEADER": "X-Cache-Status"},
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    routes = json.loads(out.read_text())["routes"]
    assert set(routes) == {"cached page", "fresh page"}
    for name, answer in (("cached page", "HIT"), ("fresh page", "MISS")):
        route = routes[name]
        assert route["requests"] > 0 and route["failures"] == 0
        assert route["x_cache"] == {answer: route["requests"]}
        histogram = HdrHistogram.decode(route["service"].encode())
        assert histogram.get_total_count() == route["requests"]
