"""perfproof's recording for any Locust user class, loaded beside a team's own Locust file.

    PERFPROOF_LOAD_OUT=out.json locust -f locustfile.py,perfproof/targets/recording_locustfile.py

It listens to Locust's own ``request`` event, so it needs nothing of the
team's users: per request name, an HDR latency histogram (1 µs to 60 s, three
digits: ``loadtests/recorder.py``, the portal's recording), requests and
failures, and, with ``PERFPROOF_HIT_HEADER`` naming a response header, how
many answers said HIT or MISS. When Locust quits, the recording is written
to ``PERFPROOF_LOAD_OUT`` (JSON, the histograms in HDR's exact encoding).
With several processes or workers, each worker sends its recording to the
master, which merges them (HDR histograms add exactly) and writes one file.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from locust import events
from locust.env import Environment
from locust.runners import WorkerRunner

from loadtests.recorder import Recorder, hit_or_miss

OUT_ENV = "PERFPROOF_LOAD_OUT"
HIT_HEADER_ENV = "PERFPROOF_HIT_HEADER"
_state: dict[str, Any] = {"recorder": Recorder(), "start": time.monotonic()}


@events.request.add_listener
def _on_request(
    name: str,
    response_time: float,
    exception: BaseException | None,
    response: Any = None,
    **_: Any,
) -> None:
    header = os.environ.get(HIT_HEADER_ENV)
    answer = None
    if header and response is not None and getattr(response, "headers", None) is not None:
        answer = hit_or_miss(response.headers.get(header))
    _state["recorder"].record(
        name,
        response_time / 1000.0,
        ok=exception is None,
        x_cache=answer,
        second=int(time.monotonic() - _state["start"]),
    )


@events.test_start.add_listener
def _on_test_start(**_: Any) -> None:
    _state["recorder"] = Recorder()
    _state["start"] = time.monotonic()


@events.report_to_master.add_listener
def _on_report_to_master(data: dict[str, Any], **_: Any) -> None:
    data["perfproof_recording"] = _state["recorder"].to_document()
    _state["recorder"] = Recorder()


@events.worker_report.add_listener
def _on_worker_report(data: dict[str, Any], **_: Any) -> None:
    document = data.get("perfproof_recording")
    if document:
        _state["recorder"].merge(Recorder.from_document(document))


@events.quitting.add_listener
def _on_quitting(environment: Environment, **_: Any) -> None:
    out = os.environ.get(OUT_ENV)
    if not out or isinstance(environment.runner, WorkerRunner):
        return
    path = Path(out)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(_state["recorder"].to_document()))
    partial.replace(path)  # whole or absent: never a half-written recording
