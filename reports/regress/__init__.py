"""The CI performance regression gate (``perfproof regress``): run against run, or commit against
commit measured in one job.

One job per module: ``samples`` (what is gated, read from a run's tidy table),
``significance`` (the tests and the family's correction, pure functions),
``thresholds`` (the TOML file, validated), ``compare`` (the verdict per
series), ``compatibility`` (what cannot be compared), ``run_noise`` and
``calibrate`` (A/A noise), ``baselines`` (saved runs), ``gate`` (read, compare,
write), ``output`` and ``calibration_output`` (text, Markdown, JSON),
``against`` (the baseline's worktree and the interleaved runs), ``cli``.
"""
