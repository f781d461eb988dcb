"""Locust users for the portal, built from the persona table (``loadtests/personas.py``).

    perfproof loadtest --prepare                    # once: the load data file
    locust -f loadtests/locustfile.py --host http://127.0.0.1:8000

Plain Locust works as usual (web UI included). ``perfproof loadtest`` runs
this same file headless for each arm and reads what it records beside
Locust's own statistics: per route template, HDR latency histograms (from
the actual send, and in the open model from each request's intended start),
failures and ``X-Cache`` answers, written to ``PERFPROOF_LOAD_OUT`` when
Locust quits. Several generator processes (``--processes``, or workers on
other machines) send their recordings to the master, which merges them.

With ``PERFPROOF_WARMUP_S``, the first seconds of the run are a warm-up:
recorded apart (the cold cache's hit ratio curve starts there), Locust's own
statistics reset when it ends, and the files ``<OUT>.measuring`` and
``<OUT>.stopped`` say when the measured window began and ended, so the
runner's server-side snapshots and CPU samples cover exactly that window.

Load models (``PERFPROOF_LOAD_MODEL``): ``closed`` (the default: each user
loops with no think time) or ``open``: one scheduler per process starts tasks
at ``PERFPROOF_RATE`` per second in all (Poisson arrivals, or ``constant``
with ``PERFPROOF_ARRIVALS``), whatever the responses do; a start made more
than ``LATE_S`` after its time is counted late. ``single`` requests one path
(``PERFPROOF_PATH``) in a loop: the cross-check against wrk.

Paired units (``PERFPROOF_BLOCKS``, open model only): the run follows a control
file the runner rewrites (``loadtests/blocks.py``): which portal to send to,
under which label and in which phase. Each start is attributed, by its intended
time, to the block current then; once a block's measured window has closed and
every task started in it has been answered, its recording is written next to
the out file (``<OUT>.block-<label>.json``), so the runner never opens the next
block while a request of this one could still be served in the next arm. In a
``pause`` block no task is started (those arrivals are not made) and, once
none is in flight, ``<OUT>.paused-<label>`` says so: the runner then puts the
data back (``loadtests/loaded_state.py``) with no request waiting on it.
"""

from __future__ import annotations

import json
import os
import random
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import gevent
from gevent.pool import Group
from locust import FastHttpUser, constant, events, task
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner
from locust.user.task import LOCUST_STATE_STOPPING

from loadtests import following
from loadtests.blocks import BLOCKS_ENV, Block
from loadtests.guard import LATE_S
from loadtests.load_data import LoadData, locate, read
from loadtests.personas import PERSONAS, Persona, Visit, draw_user, personas_of
from loadtests.recorder import Recorder

OUT_ENV = "PERFPROOF_LOAD_OUT"
# With this set, every request is also written down, one JSON line each (wall-clock
# start, route, status, ok, seconds): the fault runner splits them by phase.
TIMELINE_ENV = "PERFPROOF_TIMELINE"
MODEL_ENV, RATE_ENV, ARRIVALS_ENV = "PERFPROOF_LOAD_MODEL", "PERFPROOF_RATE", "PERFPROOF_ARRIVALS"
IN_FLIGHT_MAX = 512  # open model: more at once is a server that stopped answering

_TIMELINE = os.environ.get(TIMELINE_ENV, "")
PHASES = ("warmup", "measured")
_state: dict[str, Any] = {
    "recorders": {phase: Recorder() for phase in PHASES},
    "phase": "measured",
    "started": time.monotonic(),
    "data": None,
    "timeline": [],
    "environment": None,
}


def _recorder() -> Recorder:
    recorder: Recorder = _state["recorders"][_state["phase"]]
    return recorder


def _mark(suffix: str) -> None:
    out = os.environ.get(OUT_ENV)
    if out:
        Path(f"{out}.{suffix}").write_text(f"{time.time()}\n")


def _data() -> LoadData:
    data: LoadData | None = _state["data"]
    if data is None:
        data = _state["data"] = read(locate())
    return data


@events.init.add_listener
def _on_init(environment: Environment, **_: Any) -> None:
    if not isinstance(environment.runner, MasterRunner):
        _data()  # a missing load data file fails now, with the message saying what to run


@events.test_start.add_listener
def _on_test_start(environment: Environment, **_: Any) -> None:
    """Every process times its own warm-up, so each recording lands in its own phase."""
    _state["started"] = time.monotonic()
    _state["environment"] = environment
    control = os.environ.get(BLOCKS_ENV)
    if control and not isinstance(environment.runner, MasterRunner):
        following.start(Path(control), os.environ.get(OUT_ENV))
    warmup = float(os.environ.get("PERFPROOF_WARMUP_S", "0") or 0)
    if warmup <= 0:
        _state["phase"] = "measured"
        if not isinstance(environment.runner, WorkerRunner):
            _mark("measuring")
        return
    _state["phase"] = "warmup"

    def end_warmup() -> None:
        gevent.sleep(warmup)
        _state["phase"] = "measured"
        if not isinstance(environment.runner, WorkerRunner):
            assert environment.runner is not None
            environment.runner.stats.reset_all()  # Locust's own tables: the measured window
            _mark("measuring")

    gevent.spawn(end_warmup)


@events.test_stop.add_listener
def _on_test_stop(environment: Environment, **_: Any) -> None:
    if not isinstance(environment.runner, WorkerRunner):
        _mark("stopped")


@events.report_to_master.add_listener
def _on_report_to_master(data: dict[str, Any], **_: Any) -> None:
    """Workers hand over what they recorded since the last report (and start afresh)."""
    recorders: dict[str, Recorder] = _state["recorders"]
    _state["recorders"] = {phase: Recorder() for phase in PHASES}
    data["perfproof"] = {phase: recorder.to_document() for phase, recorder in recorders.items()}
    totals = _state.setdefault("reported", Recorder())
    for recorder in recorders.values():
        totals.merge(recorder)


@events.worker_report.add_listener
def _on_worker_report(data: dict[str, Any], **_: Any) -> None:
    for phase, document in data.get("perfproof", {}).items():
        _state["recorders"][phase].merge(Recorder.from_document(document))


@events.quitting.add_listener
def _on_quitting(environment: Environment, **_: Any) -> None:
    out = os.environ.get(OUT_ENV)
    if not out:
        return
    if isinstance(environment.runner, WorkerRunner):
        # What this worker sent in all, so a merge can be checked against its parts.
        totals = _state.get("reported", Recorder())
        Path(f"{out}.worker-{os.getpid()}.json").write_text(json.dumps(totals.to_document()))
        return
    recorders: dict[str, Recorder] = _state["recorders"]
    document = {phase: recorder.to_document() for phase, recorder in recorders.items()}
    Path(out).write_text(json.dumps(document))
    if _TIMELINE:
        lines = (json.dumps(row) for row in _state["timeline"])
        Path(_TIMELINE).write_text("".join(f"{line}\n" for line in lines))


class _Http:
    """``personas.Http`` over a Locust client: names requests by route, records them."""

    def __init__(
        self,
        user: FastHttpUser,
        token: str,
        *,
        host: str = "",
        recorder: Recorder | None = None,
    ) -> None:
        self.user = user
        self.headers = {"Authorization": f"Bearer {token}"}
        self.intended: float | None = None  # open model: when the current task was due
        self.host = host  # paired units: the block's portal ("" is Locust's --host)
        self.recorder = recorder  # paired units: the block's recording, fixed at the start

    def call(
        self,
        method: str,
        route: str,
        path: str,
        *,
        body: Any = None,
        ok: tuple[int, ...] = (200,),
    ) -> Any:
        started = time.monotonic()
        kwargs: dict[str, Any] = {"name": route, "headers": self.headers, "catch_response": True}
        if body is not None:
            kwargs["json"] = body
        with self.user.client.request(method, self.host + path, **kwargs) as response:
            ended = time.monotonic()
            status = response.status_code
            good = status in ok
            if good:
                response.success()
            else:
                response.failure(f"{method} {route}: status {status}")
            intended, self.intended = self.intended, None  # only a task's first request
            if _TIMELINE:
                _state["timeline"].append(
                    (time.time() - (ended - started), f"{method} {route}", status, good,
                     round(ended - started, 6))
                )  # fmt: skip
            (self.recorder or _recorder()).record(
                f"{method} {route}",
                ended - started,
                ok=good,
                x_cache=response.headers.get("x-cache") if status else None,
                second=int(ended - _state["started"]),
                intended_seconds=None if intended is None else ended - intended,
            )
            if good and status != 204 and response.content:
                try:
                    return response.json()
                except ValueError:
                    return None
        return None


def _visit(user: FastHttpUser, persona: Persona) -> Visit:
    rng = random.Random()
    data = _data()
    person = draw_user(persona, data, rng)
    return Visit(http=_Http(user, person.token), user=person, data=data, rng=rng)


def _closed_user(persona: Persona) -> type[FastHttpUser]:
    """A Locust user class for ``persona``: its tasks with their weights, no think time."""

    def on_start(self: Any) -> None:
        self.visit = _visit(self, persona)

    tasks = {(lambda self, run=item.run: run(self.visit)): item.weight for item in persona.tasks}
    return type(
        persona.name.capitalize(),
        (FastHttpUser,),
        {
            "weight": persona.weight,
            "wait_time": constant(0),
            "tasks": tasks,
            "on_start": on_start,
            "abstract": os.environ.get(MODEL_ENV, "closed") != "closed",
        },
    )


Buyer = _closed_user(PERSONAS[0])
Admin = _closed_user(PERSONAS[1])


class SinglePath(FastHttpUser):
    """One route, no think time: what ``perfproof loadtest --cross-check`` compares with wrk."""

    abstract = os.environ.get(MODEL_ENV, "closed") != "single"
    wait_time = constant(0)

    def on_start(self) -> None:
        buyer = draw_user(PERSONAS[0], _data(), random.Random())
        self.http = _Http(self, buyer.token)
        self.path = os.environ.get("PERFPROOF_PATH", "/api/products?limit=20")

    @task
    def get(self) -> None:
        self.http.call("GET", self.path.split("?")[0], self.path)


class OpenArrivals(FastHttpUser):
    """The open model: one per process, starting tasks on a schedule, not on answers."""

    abstract = os.environ.get(MODEL_ENV, "closed") != "open"
    fixed_count = 1
    concurrency = IN_FLIGHT_MAX
    wait_time = constant(0)

    @task
    def arrive(self) -> None:
        processes = max(1, int(os.environ.get("PERFPROOF_GENERATORS", "1")))
        rate = float(os.environ.get(RATE_ENV, "50"))
        poisson = os.environ.get(ARRIVALS_ENV, "poisson") == "poisson"
        rng = random.Random()
        # One remembered person per in-flight slot: tasks still click through. Paired
        # units draw them afresh for every window (its warm-up, measured part and tail):
        # which 64 people come decides which keys the cache can hit, so a run that drew
        # them once shared one draw across all its units (two default runs read hit
        # ratios of 64 % and 56 %, each within +-3 points), and an order placed through
        # one portal is not in the other's database. The personas come in the table's
        # proportions (``personas_of``): how many admins came set the hit ratio.
        visits: dict[str, list[Visit]] = {}
        in_flight = Group()
        due = time.monotonic()
        # Until the run's time is up: Locust then asks each user to stop after its task
        # (``--stop-timeout``). This task would never end by itself, so Locust would go
        # on starting requests for the whole stop timeout (5 s past a 3 s window) and
        # then kill the starts in flight, losing their answers.
        while self._state != LOCUST_STATE_STOPPING:
            block: Block | None = following.STATE.current
            # Paired units' blocks may carry the rate (it follows the capacity measured
            # between units); the next start is spaced at the rate of the block current now.
            each = (block.rate if block is not None and block.rate > 0 else rate) / processes
            due += rng.expovariate(each) if poisson else 1.0 / each
            gevent.sleep(max(0.0, due - time.monotonic()))
            block = following.STATE.current
            if block is not None and block.phase == "stop":
                break
            if block is not None and block.phase == "pause":
                continue  # not made: the runner is putting the data back between units
            recorder = _recorder() if block is None else following.recorder_for(block)
            recorder.scheduled += 1
            if time.monotonic() - due > LATE_S:
                recorder.late += 1
            drawn = "" if block is None else block.label
            if drawn not in visits:
                if block is not None:
                    visits.clear()  # a window's people are its own
                visits[drawn] = [_visit(self, persona) for persona in personas_of(64, rng)]
            following.opened(block)  # paired with task_of in _start, whatever it meets
            in_flight.spawn(self._start, rng.choice(visits[drawn]), due, rng, block, recorder)
        in_flight.join()  # the starts made in time are answered (or cut at the stop timeout)
        if following.STATE.current is not None:
            runner = _state["environment"].runner
            gevent.spawn(runner.quit)

    def _start(
        self,
        visit: Visit,
        due: float,
        rng: random.Random,
        block: Block | None,
        recorder: Recorder,
    ) -> None:
        """One task, its first request timed from ``due``: a client of its own per start."""
        with following.task_of(block):
            persona = next(p for p in PERSONAS if p.role == visit.user.role)
            chosen = rng.choices(persona.tasks, [t.weight for t in persona.tasks])[0]
            if block is None:
                http = _Http(self, visit.user.token)
            else:
                http = _Http(self, visit.user.token, host=block.host, recorder=recorder)
            http.intended = due
            try:
                chosen.run(replace(visit, http=http))
            except Exception:
                if http.intended is not None:  # it failed before its first answer: say so
                    recorder.record("task failed", time.monotonic() - due, ok=False,
                                    x_cache=None, second=int(time.monotonic() - _state["started"]),
                                    intended_seconds=time.monotonic() - due)  # fmt: skip
                raise
