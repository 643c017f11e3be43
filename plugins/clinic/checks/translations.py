"""Translations against the pages they translate (pure: checked metadata in,
problems out).

A translation (bunions.es.md) says which review of its English page it was
made from (Translated-from). When the English page is reviewed or changed
after that date, the translation may no longer say what the English page
says: it is out of date, and CLINIC_TRANSLATION_STALE decides whether that
warns (the page shows a notice), stops the build or leaves the page out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model.article import ArticleMeta
from ..model.problems import Problem
from ..model.rules import KINDS, TERM_KEYS

# what a translation must share with its page: it is the same page in other words
SAME_TOPICS = tuple(TERM_KEYS) + ("treats",)


@dataclass(frozen=True)
class Stale:
    """A translation made before its page's last review or change."""

    translation: ArticleMeta
    original: ArticleMeta
    changed: dt.date  # when the English page was last reviewed or changed

    @property
    def days_behind(self) -> int:
        return (self.changed - self.translation.translated_from).days


def key(meta: ArticleMeta) -> tuple[str, str]:
    return (KINDS[meta.kind].folder if meta.kind in KINDS else meta.kind), meta.slug


def original_path(meta: ArticleMeta) -> str:
    """The English file a translation's name points to: conditions/bunions.es.md -> conditions/bunions.md."""
    head, _, tail = meta.path.rpartition(f".{meta.lang}.")
    return f"{head}.{tail}" if head else meta.path


def check(originals: list[ArticleMeta], translations: list[ArticleMeta], stale_mode: str = "warn",
          unread: frozenset = frozenset(), found: list[Problem] = ()) -> tuple[list[Problem], list[Stale]]:
    """Every translation has its page, says the same about the same topics, is
    published only with it, and is not older than its page's last review.
    found: the problems already found; a field wrong in the page is its own
    line, not a second one for each translation that copied it."""
    wrong = {(p.path, p.field.lower()) for p in found if p.severity == "error"}
    problems: list[Problem] = []
    stale: list[Stale] = []
    by_key = {key(m): m for m in originals}
    for t in translations:
        o = by_key.get(key(t))
        if o is None:
            if (t.kind, t.slug) not in unread:  # an unreadable page has its own line
                problems.append(Problem(t.path, None, "file name",
                                        f"translates {original_path(t)}, which does not exist",
                                        "a translation is named after the page it translates: rename it, or add "
                                        "the page first"))
            continue
        for field in SAME_TOPICS:
            mine = t.treats if field == "treats" else t.terms.get(TERM_KEYS[field], [])
            theirs = o.treats if field == "treats" else o.terms.get(TERM_KEYS[field], [])
            if sorted(mine) != sorted(theirs) and (o.path, field) not in wrong:
                problems.append(Problem(t.path, t.line_of.get(field), field.capitalize(),
                                        f"is not the same as in {o.path} ({', '.join(theirs) or 'none'})",
                                        f"a translation is about the same topics as its page: copy the line from "
                                        f"{o.path}" if theirs else f"remove this line, as {o.path} has none"))
        if t.status == "published" and o.status != "published":
            problems.append(Problem(t.path, t.line_of.get("status"), "Status",
                                    f"is published, but {o.path} is {o.status}",
                                    "a translation is published only with its page: write Status: "
                                    f"{o.status}"))
        changed = o.changed
        if t.translated_from and changed and t.translated_from < changed:
            found = Stale(t, o, changed)
            stale.append(found)
            problems.append(stale_problem(found, stale_mode))
    return problems, stale


def stale_problem(found: Stale, mode: str) -> Problem:
    t, o = found.translation, found.original
    what = (f"was made from {o.path} as of {t.translated_from}, but that page was reviewed or changed on "
            f"{found.changed} ({found.days_behind} days later)")
    fix = (f"bring the translation up to date with {o.path}, have it reviewed, then write "
           f"Translated-from: {found.changed}")
    if mode == "hide":
        return Problem(t.path, t.line_of.get("translated-from"), "Translated-from",
                       what + "; it is left out of the site", fix, "warning")
    return Problem(t.path, t.line_of.get("translated-from"), "Translated-from", what,
                   fix + (" (until then its page says the English page is newer)" if mode == "warn" else ""),
                   "error" if mode == "error" else "warning")
