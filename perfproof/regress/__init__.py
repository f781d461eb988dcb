"""``perfproof regress``: the gate's command, and its runs of ``perfproof bench`` on two
commits (``--against``) or on one many times (``--calibrate``); the comparison itself is
``reports/regress/``."""
