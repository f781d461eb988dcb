"""The table of statistics: every row has each part, and the page draws every section."""

from __future__ import annotations

from reports.page.claim_sections import SECTIONS
from reports.statistics import STATISTICS, Section


def test_every_statistic_names_its_unit_of_independence() -> None:
    for statistic in STATISTICS.values():
        assert statistic.unit
        assert statistic.suites
        assert set(statistic.required) <= set(statistic.fields)


def test_every_statistic_has_its_estimator_and_its_evidence_section() -> None:
    for name, statistic in STATISTICS.items():
        assert statistic.name == name
        assert statistic.summary, name
        assert isinstance(statistic.section, Section), name
        # Only a functional check is judged without an estimate (by the check's outcome).
        assert (statistic.estimate is None) == (name == "check"), name


def test_the_page_draws_every_section_a_statistic_can_name() -> None:
    assert set(SECTIONS) == set(Section)
