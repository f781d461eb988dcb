"""pytest-benchmark suites: the portal's queries and endpoints, arm against arm."""
