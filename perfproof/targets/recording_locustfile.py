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

A measured window (``PERFPROOF_WARMUP_S``, ``PERFPROOF_WINDOW_S``): only what
starts inside it is recorded, and ``<out>.measuring`` and ``<out>.measured``
mark its edges, so the parent reads its evidence (CPU, PostgreSQL, Redis) over
the same seconds. In the closed model a request counts by its own start.

**The open model** (``PERFPROOF_LOAD_MODEL=open``, ``PERFPROOF_RATE`` tasks/s,
and this file's ``OpenArrivals`` named as the only user class on Locust's
command line): the team's users are not spawned as Locust would. One driver
starts their tasks on a schedule (Poisson arrivals, seeded), whatever the
answers do: each start takes an idle instance of a user class (drawn by the
classes' ``weight``; a new instance runs its ``on_start`` first, unrecorded)
and runs one of its tasks, drawn as Locust draws them. A task's first request
is timed from the task's intended start, each later one from the end of the
request before it (when the user would have sent it), so a late start or a
queue counts against the arm. A user class whose tasks are TaskSets cannot be
started one task at a time: the run then says the open model is not
available and why (``<out>.unavailable``), never falls back to closed.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import os
import random
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import gevent
from gevent.pool import Group
from locust import User, constant, events, task
from locust.env import Environment
from locust.exception import InterruptTaskSet, RescheduleTask, StopUser
from locust.runners import WorkerRunner

from loadtests.guard import LATE_S
from loadtests.recorder import Recorder, hit_or_miss
from perfproof.targets.recording_settings import (
    ANSWER_TIMEOUT_S,
    DRIVER,
    HIT_HEADER_ENV,
    MODEL_ENV,
    OUT_ENV,
    RATE_ENV,
    SEED_ENV,
    WARMUP_ENV,
    WINDOW_ENV,
)

_state: dict[str, Any] = {"recorder": Recorder(), "start": time.monotonic()}
# Per greenlet running an open-model task: when its next request was due (None: setting
# up a new user, not recorded).
_due: dict[Any, float | None] = {}


def _window() -> tuple[float, float] | None:
    """The measured window in seconds since the start, when one is set."""
    if WINDOW_ENV not in os.environ:
        return None
    warmup = float(os.environ.get(WARMUP_ENV, "0"))
    return warmup, warmup + float(os.environ[WINDOW_ENV])


def _inside(at: float) -> bool:
    window = _window()
    return window is None or window[0] <= at - _state["start"] < window[1]


def _mark(suffix: str) -> None:
    out = os.environ.get(OUT_ENV)
    if out:
        Path(f"{out}.{suffix}").write_text(f"{time.time()}\n")


@events.request.add_listener
def _on_request(
    name: str,
    response_time: float,
    exception: BaseException | None,
    response: Any = None,
    **_: Any,
) -> None:
    now = time.monotonic()
    greenlet = gevent.getcurrent()
    intended = None
    if greenlet in _due:  # an open-model task
        due = _due[greenlet]
        if due is None:
            return  # a new user's on_start: not a task of the run
        intended = now - due
        _due[greenlet] = now
        if not _inside(_state["task_due"].get(greenlet, due)):
            return
    elif not _inside(now - response_time / 1000.0):
        return
    header = os.environ.get(HIT_HEADER_ENV)
    answer = None
    if header and response is not None and getattr(response, "headers", None) is not None:
        answer = hit_or_miss(response.headers.get(header))
    _state["recorder"].record(
        name,
        response_time / 1000.0,
        ok=exception is None,
        x_cache=answer,
        second=int(now - _state["start"]),
        intended_seconds=intended,
    )


@events.user_error.add_listener
def _on_user_error(user_instance: Any, exception: BaseException, tb: Any, **_: Any) -> None:
    """An ``on_start`` that raised ends the run, said in one line (closed model: Locust's
    own users; the open model's driver says it itself)."""
    frames = traceback.extract_tb(tb) if tb is not None else []
    if any(frame.name == "on_start" for frame in frames) and os.environ.get(OUT_ENV):
        said = f"{type(user_instance).__name__}.on_start raised {type(exception).__name__}: "
        Path(f"{os.environ[OUT_ENV]}.failed").write_text((said + str(exception))[:300] + "\n")
        runner = _state.get("environment") and _state["environment"].runner
        if runner is not None:
            gevent.spawn(runner.quit)


@events.test_start.add_listener
def _on_test_start(environment: Environment, **_: Any) -> None:
    _state["recorder"] = Recorder()
    _state["start"] = time.monotonic()
    _state["task_due"] = {}
    _state["environment"] = environment
    window = _window()
    if window is None or isinstance(environment.runner, WorkerRunner):
        return

    def edges() -> None:
        gevent.sleep(window[0])
        _mark("measuring")
        gevent.sleep(window[1] - window[0])
        _mark("measured")
        if os.environ.get(MODEL_ENV, "closed") != "open" and environment.runner is not None:
            environment.runner.quit()  # the closed model ends with its window (-t is a bound)

    gevent.spawn(edges)


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


def unavailable_reason(classes: list[type[User]]) -> str:
    """Why the open model cannot start these users' tasks one at a time ("" when it can)."""
    if not classes:
        return "the Locust file defines no user class"
    for cls in classes:
        for chosen in cls.tasks:
            if inspect.isclass(chosen):
                return (
                    f"{cls.__name__} runs a TaskSet ({chosen.__name__}), whose tasks cannot be "
                    "started one at a time on a schedule: use tasks that are functions or "
                    "methods of the user class for the open model"
                )
    return ""


class OpenArrivals(User):
    """The open model's driver: the team's tasks started at a fixed rate, not on answers."""

    abstract = os.environ.get(MODEL_ENV, "closed") != "open"
    fixed_count = 1
    wait_time = constant(0)

    @task
    def arrive(self) -> None:
        environment = self.environment
        classes = [
            cls for name, cls in (environment.available_user_classes or {}).items()
            if name != DRIVER and not cls.abstract
        ]  # fmt: skip
        reason = unavailable_reason(classes)
        if reason:
            _mark("unavailable")
            Path(f"{os.environ[OUT_ENV]}.unavailable").write_text(reason + "\n")
            self._quit()
            return
        rate = float(os.environ[RATE_ENV])
        rng = random.Random(os.environ.get(SEED_ENV, "1"))
        window = _window()
        end = _state["start"] + (window[1] if window else float("inf"))
        idle: dict[type[User], list[User]] = {cls: [] for cls in classes}
        in_flight = Group()
        recorder: Recorder = _state["recorder"]
        due = time.monotonic()
        while True:
            due += rng.expovariate(rate)
            if due >= end:
                break
            gevent.sleep(max(0.0, due - time.monotonic()))
            if _inside(due):
                recorder = _state["recorder"]
                recorder.scheduled += 1
                recorder.late += time.monotonic() - due > LATE_S
            (cls,) = rng.choices(classes, weights=[max(c.weight, 0) or 1 for c in classes])
            in_flight.spawn(self._start, cls, idle[cls], due, rng)
        in_flight.join(timeout=ANSWER_TIMEOUT_S)
        in_flight.kill(block=False)
        gevent.sleep(max(0.0, end + 0.1 - time.monotonic()))  # the window's end is marked first
        self._quit()

    def _start(self, cls: type[User], idle: list[User], due: float, rng: random.Random) -> None:
        """One task of ``cls``, its first request timed from ``due``."""
        greenlet = gevent.getcurrent()
        _state["task_due"][greenlet] = due
        try:
            if idle:
                user = idle.pop()
            else:
                _due[greenlet] = None
                if not cls.host:  # Locust gives --host only to the classes it spawns itself
                    cls.host = self.environment.host
                user = cls(self.environment)
                try:
                    user.on_start()
                except Exception as error:
                    said = f"{cls.__name__}.on_start raised {type(error).__name__}: {error}"
                    Path(f"{os.environ[OUT_ENV]}.failed").write_text(said[:300] + "\n")
                    self._quit()
                    return
            _due[greenlet] = due
            chosen = rng.choice(user.tasks)
            with contextlib.suppress(RescheduleTask, InterruptTaskSet, StopUser):
                cast(Callable[[User], None], chosen)(user)
            idle.append(user)
        except Exception as error:  # the team's task raised: a failure of that start
            cast(Any, events.request).fire(
                request_type="TASK", name="task failed", response_time=(time.monotonic() - due)
                * 1000.0, response_length=0, exception=error, context={},
            )  # fmt: skip
        finally:
            _due.pop(greenlet, None)
            _state["task_due"].pop(greenlet, None)

    def _quit(self) -> None:
        runner = self.environment.runner
        if runner is not None:
            gevent.spawn(runner.quit)
