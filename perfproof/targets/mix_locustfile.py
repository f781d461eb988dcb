"""A Locust file for a target's declared request mix (``[[load.requests]]``).

    PERFPROOF_TARGET=shop/target.toml locust -f perfproof/targets/mix_locustfile.py \
        --host http://127.0.0.1:8000

Each simulated user loops with no think time; each task is one request drawn
by weight (``perfproof/targets/mix.py``), named in Locust's statistics by its
declared name, not its concrete URL, so a claim's series is the name the
target file gave. ``PERFPROOF_SEED`` seeds the draws (a user's seed is it plus
the user's number), so a run's requests are the same each time.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from locust import FastHttpUser, constant, task

from perfproof.targets.mix import SEED_ENV, TARGET_ENV, Mix
from perfproof.targets.target_file import load_target

_TARGET = load_target(Path(os.environ[TARGET_ENV]))
if _TARGET.load.locustfile is not None:
    raise SystemExit(f"{_TARGET.path}: load: the target has its own Locust file, not a mix")
_NUMBERS = itertools.count()


class MixUser(FastHttpUser):
    """One user of the declared mix."""

    wait_time = constant(0)

    def on_start(self) -> None:
        seed = int(os.environ.get(SEED_ENV, "1")) * 100_003 + next(_NUMBERS)
        self.mix = Mix(_TARGET.load.requests, _TARGET.load.values, seed)

    @task
    def one_request(self) -> None:
        request, path = self.mix.next()
        self.client.request(request.method, path, name=request.name, headers=dict(request.headers))
