"""Content problems: what is wrong, where, and how to fix it.

Every check in the site returns a list of Problem; nothing raises for a
content mistake. The build prints them all at once, one per line.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None
    field: str
    message: str
    hint: str = ""
    severity: str = "error"  # "error" fails `make publish`; "warning" never does

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        text = f"{where}: {self.field}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        if self.severity == "warning":
            text = "warning: " + text
        return text


class StopBuild(Exception):
    """Raised once the problems already reported make writing the site
    meaningless (two files with one address): the build stops before any page
    is written, instead of failing halfway with a traceback and a link check
    of a half-written folder."""


# The problems that stop a build before it writes anything (see StopBuild).
STOPS_WRITING = ("has the same address as ", "sets where the page is written",
                 "so nothing is built until it is gone", "is not a page template")


def rows_of(problems: list[Problem]) -> list[list]:
    """Problems as JSON can hold them (a file of answers kept between publishes)."""
    return [[p.path, p.line, p.field, p.message, p.hint, p.severity] for p in problems]


def problems_from_rows(rows: list[list]) -> list[Problem]:
    return [Problem(*row) for row in rows]


def stops_writing(problem: "Problem") -> bool:
    """A problem after which Pelican would write a page where it must not, or crash."""
    return problem.severity == "error" and any(s in problem.message for s in STOPS_WRITING)


def closest(word: str, choices, n: int = 3) -> list[str]:
    """The known words closest to a misspelt one, best first."""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    found = difflib.get_close_matches(word.lower(), list(lowered), n=n, cutoff=0.5)
    return [lowered[f] for f in found]


def did_you_mean(word: str, choices, what: str = "") -> str:
    """A hint naming the closest known choices, or listing them all if few."""
    choices = sorted(choices)
    near = closest(word, choices)
    if near:
        return "did you mean " + " or ".join(repr(c) for c in near) + "?"
    if len(choices) <= 12:
        return f"known {what or 'values'}: " + ", ".join(choices)
    return f"see the list of known {what or 'values'}"


def summarise(problems) -> str:
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts) or "no problems"
