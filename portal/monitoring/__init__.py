"""Monitoring: statements timed and named, slow ones caught, requests and resources measured.

``operations.py`` names what runs (the ``@operation`` decorator on data-access
functions); ``db_events.py`` times statements; ``http.py`` times requests;
``slow.py`` logs and keeps slow statements; ``resources.py`` samples the
process, pool and Redis; ``prometheus.py`` exports it all; ``monitor.py`` ties
them together for one app. Nothing is registered or started at import.
"""

from portal.monitoring.http import HttpMetricsMiddleware
from portal.monitoring.monitor import Monitor
from portal.monitoring.operations import bind_user, operation, operation_scope

__all__ = ["HttpMetricsMiddleware", "Monitor", "bind_user", "operation", "operation_scope"]
