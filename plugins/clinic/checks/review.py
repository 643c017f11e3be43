"""Medical review status: overdue, due soon, or current. Pure: dates in, rows out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model.problems import Problem

OVERDUE, DUE_SOON, CURRENT = "overdue", "due soon", "current"


@dataclass
class ReviewRow:
    path: str
    title: str
    reviewer: str
    last_reviewed: dt.date | None
    next_review: dt.date | None
    status: str
    days_left: int | None


def status(next_review: dt.date | None, today: dt.date, soon_days: int = 60) -> tuple[str, int | None]:
    if next_review is None:
        return OVERDUE, None
    days = (next_review - today).days
    if days < 0:
        return OVERDUE, days
    if days <= soon_days:
        return DUE_SOON, days
    return CURRENT, days


def rows(metas, providers, today: dt.date, soon_days: int = 60) -> list[ReviewRow]:
    """Every medical page, most urgent first (earliest next review first)."""
    out = []
    for m in metas:
        if m.kind == "page":
            continue
        st, days = status(m.next_review, today, soon_days)
        p = providers.get(m.reviewer)
        out.append(ReviewRow(m.path, m.title, p.display_name if p else (m.reviewer or "(none)"),
                             m.last_reviewed, m.next_review, st, days))
    out.sort(key=lambda r: (r.next_review or dt.date.min, r.path))
    return out


@dataclass
class OldSource:
    path: str
    title: str
    publisher: str
    year: int


def old_sources(metas, today: dt.date, max_age: int) -> list[OldSource]:
    """Cited sources dated more than max_age years before today, oldest first
    (a source with no year, 'n.d.', cannot be judged and is not listed)."""
    out = [OldSource(m.path, s.title, s.publisher, int(s.year)) for m in metas for s in m.sources
           if s.year.isdigit() and today.year - int(s.year) > max_age]
    return sorted(out, key=lambda o: (o.year, o.path, o.title))


def problems(review_rows, severity: str = "warning") -> list[Problem]:
    return [Problem(r.path, None, "Next-review", f"the medical review was due on {r.next_review} ({-r.days_left} days ago)",
                    "have the page reviewed, then update Last-reviewed and Next-review", severity)
            for r in review_rows if r.status == OVERDUE and r.next_review]


def unoffered(metas, providers, severity: str = "warning") -> list[Problem]:
    """Procedure and treatment pages that no provider offers: the page would
    show no 'who provides this' section, and a patient could not tell whom to see."""
    offered = {slug for p in providers.values() for slug in p.specialties}
    return [Problem(m.path, None, "provider", "no provider in content/clinic/providers.yaml offers this",
                    f"add '{m.slug}' to the specialties of the providers who do it", severity)
            for m in metas if m.kind in ("procedure", "treatment") and m.status == "published"
            and m.slug not in offered]
