"""Reading the portal's ``/metrics`` as Prometheus does (prometheus_client's own parser)."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def sample_values(text: str, name: str, label: str) -> dict[str, float]:
    """``{value of label: sample}`` for every sample called ``name`` (e.g. per operation)."""
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and label in sample.labels:
                found[sample.labels[label]] = float(sample.value)
    return found


def portal_sample_count(text: str) -> int:
    """How many samples of the portal's own metrics (``portal_*``) the exposition holds."""
    return sum(
        1
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith("portal_")
    )
