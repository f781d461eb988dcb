"""``perfproof bench``, split by job: its command line (``cli.py``), its plan (``plan.py``),
how each child starts and stops (``children.py``), the run (``run.py``), its tables
(``outputs.py``) and what the report and the books say at its end (``judging.py``)."""
