"""One article's checked, typed metadata: what checks/validate.py makes of a
source file's header and what the rest of the site reads."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    year: str
    url: str


@dataclass
class ArticleMeta:
    path: str
    kind: str
    slug: str
    title: str = ""
    summary: str = ""
    date: dt.date | None = None
    modified: dt.date | None = None
    status: str = "published"
    template: str = "page"
    terms: dict[str, list[str]] = field(default_factory=dict)  # facet -> slugs
    treats: list[str] = field(default_factory=list)
    reviewer: str = ""
    last_reviewed: dt.date | None = None
    next_review: dt.date | None = None
    sources: list[Source] = field(default_factory=list)
    moved_from: list[str] = field(default_factory=list)  # old addresses, e.g. "/conditions/heel-pain/"
    line_of: dict[str, int] = field(default_factory=dict)  # key -> line in the file
    # a translation (bunions.es.md): its language, who translated and who
    # reviewed it, and the English page's review date it was made from
    lang: str = ""
    translated_by: str = ""
    translation_reviewer: str = ""
    translated_from: dt.date | None = None

    @property
    def changed(self) -> dt.date | None:
        """The last time the page's medical content was reviewed or changed:
        a translation made before it is out of date."""
        return max((d for d in (self.last_reviewed, self.modified, self.date) if d), default=None)

    @property
    def address(self) -> str:
        """Where the page is on the site: /conditions/bunions/, or /about/ for a page."""
        from .rules import KINDS
        root = f"/{self.lang}" if self.lang else ""
        return f"{root}/{self.slug}/" if self.kind == "page" else f"{root}/{KINDS[self.kind].folder}/{self.slug}/"
