"""Claims as data, verdicts with their intervals, the HTML report (``perfproof report``)."""
