"""What every run of one ``perfproof loadtest`` is made with, passed as one value.

The closed runs, the paired units and the wrk cross-check all need the plan,
the services, the database, the load data file and the run folder; handing
them on one by one made every signature in ``runner.py`` and
``paired_units.py`` nine arguments long and easy to pass in the wrong order.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from benchmarks.results import ResultFolder
from loadtests.loaded_state import LoadedState
from loadtests.plan import Plan
from portal.devstack import Services


@dataclass(frozen=True)
class RunContext:
    plan: Plan
    stack: Services
    database_url: str
    data_path: Path  # the load data file: tokens, ids and names the personas draw from
    folder: ResultFolder
    # the dataset as loaded: put back before every closed window and every paired unit
    loaded: LoadedState | None = None
