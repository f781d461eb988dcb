"""What a run folder must hold before anything reads a figure from it: the one validation.

``reports/run_folder.py`` runs every check here when it reads a run, so the
report, the gate and anything else that reads a run folder accept and
refuse the same data, before any statistic runs:

- ``tidy.py``: the tidy table — its columns, each row's names, unit, value and
  key — against ``metrics.py``, the declared table of every metric's unit and
  range;
- ``documents.py``: ``manifest.json`` (the run's, and its load and faults
  runs'), ``checks.json``, ``validity.json``, ``faults.json``, the HDR
  recordings and pytest-benchmark's JSON, as pydantic models;
- ``raw_files.py``: what a finished run lists but lacks, and the histograms.

A run that fails is refused whole with :class:`RunFolderError`, whose message
is one line naming the file, the line or field, and the problem. A series that
is not there is not a failure: the claims that need it say "no evidence".
This package judges nothing.
"""

from benchmarks.manifest import Manifest
from reports.run_schema.documents import (
    Checks,
    Faults,
    Growth,
    Validity,
    read_document,
    read_manifest,
)
from reports.run_schema.metrics import METRICS, Kind, Metric
from reports.run_schema.raw_files import (
    NOT_DATA,
    REPORT_OUTPUTS,
    check_benchmark_files,
    check_listed_files,
    check_recordings,
    check_sub_run,
)
from reports.run_schema.refused import RunFolderError
from reports.run_schema.tidy import check_tidy, read_tidy_table, without_unrecorded

__all__ = [
    "METRICS",
    "NOT_DATA",
    "REPORT_OUTPUTS",
    "Checks",
    "Faults",
    "Growth",
    "Kind",
    "Manifest",
    "Metric",
    "RunFolderError",
    "Validity",
    "check_benchmark_files",
    "check_listed_files",
    "check_recordings",
    "check_sub_run",
    "check_tidy",
    "read_document",
    "read_manifest",
    "read_tidy_table",
    "without_unrecorded",
]
