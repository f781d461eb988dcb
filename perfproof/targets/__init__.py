"""A team's own service as perfproof's target: its target file, checked, and its plan.

The target path never imports the portal, its personas, suites, checks or data
generator (``tests/test_layers.py``): nothing here may assume the portal's
routes, authentication, data, ``PORTAL_*`` settings or the ``X-Cache`` name.
The format is ``docs/targets.md``.
"""
