"""``report.html``: the page (:mod:`reports.page.html`), its sections, figures and templates.

The page reads what judging decided (``reports/evaluate.py``, the statistics'
table) and never the other way round: nothing outside ``reports/page`` imports it
but the command that writes the report.
"""
