"""What a functional check answers: passed or not, what was tried, what was seen.

A check function returns an :class:`Outcome`; the runner adds the claim id and
the wall time and makes it a :class:`CheckResult`, the row the report reads.
``observed`` holds numbers and short labels (counts, durations, header
values), never prose: the sentence is ``tried``, the reasons for a failure are
``problems``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Outcome:
    """A check's own answer; ``passed`` is derived from ``problems`` unless said otherwise."""

    tried: str
    observed: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems

    def expect(self, condition: bool, problem: str) -> bool:
        """Note ``problem`` unless ``condition`` holds; returns ``condition``."""
        if not condition:
            self.problems.append(problem)
        return condition


@dataclass(frozen=True)
class CheckResult:
    """One functional claim, checked by running it; ``as_dict`` is its JSON form.

    ``seconds`` is the check's wall time, including the start of the run's
    portal when it was the first check to need it.
    """

    id: str
    passed: bool
    tried: str
    observed: dict[str, Any]
    problems: list[str]
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        """``id PASSED: sentence`` (and the first problem when it failed), for a terminal."""
        verdict = "PASSED" if self.passed else "FAILED"
        said = f"{self.id} {verdict}: {self.tried}"
        if self.problems:
            more = f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
            said += f" Problem: {self.problems[0]}{more}"
        return said
