"""Locust load tests of the portal: personas, the arm-by-arm runner, and what they record."""
