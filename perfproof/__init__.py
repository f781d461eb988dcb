"""perfproof, the tool: the command table and the jobs that compose the parts.

The layers, top to bottom: ``perfproof`` → ``reports`` → ``loadtests`` →
``benchmarks`` → ``portal``; each imports only downward, and nothing imports
this package (``tests/test_layers.py``). Here live what drives the parts: the
``perfproof`` command table (``cli.py``), the run profiles every child is
started from (``profiles.py``), ``perfproof bench`` (``bench/``) and the
regression gate's runs of two commits (``regress/``).
"""
