"""What the recording Locust file reads from its environment, named once for both sides.

The parent (``window.py``) must not import the Locust file itself: importing
Locust monkey-patches the process with gevent. So the names live here, and
the parent hands Locust the file by its path (``RECORDING``).
"""

from __future__ import annotations

from pathlib import Path

RECORDING = Path(__file__).with_name("recording_locustfile.py")
OUT_ENV = "PERFPROOF_LOAD_OUT"
HIT_HEADER_ENV = "PERFPROOF_HIT_HEADER"
MODEL_ENV, RATE_ENV, SEED_ENV = "PERFPROOF_LOAD_MODEL", "PERFPROOF_RATE", "PERFPROOF_SEED"
WARMUP_ENV, WINDOW_ENV = "PERFPROOF_WARMUP_S", "PERFPROOF_WINDOW_S"
DRIVER = "OpenArrivals"  # the class name the parent gives Locust in the open model
ANSWER_TIMEOUT_S = 30.0  # open-model starts still unanswered then are cut
