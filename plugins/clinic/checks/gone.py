"""Pages the live site has and a new build does not: a page deleted or renamed.

Bookmarks, other sites and search results still lead to the old address. A
page that moved keeps it working with a Moved-from line (an error would stop
a clinic from removing a page on purpose, so this is a warning)."""

from __future__ import annotations

from ..model.problems import Problem
from ..model.rules import SITE_FOLDERS

# The search index, and the pages the site makes itself (a topic page goes when
# its term does, and moves with a page's Moved-from: pages/generator.py).
NOT_PAGES = tuple(f"{folder}/" for folder in sorted(SITE_FOLDERS | {"pagefind"}))


def pages_of(files: set[str]) -> set[str]:
    """The addresses of the pages among a built site's files: 'conditions/x/index.html' is '/conditions/x/'."""
    out = set()
    for rel in files:
        if not rel.endswith((".html", ".htm")) or rel.startswith(NOT_PAGES) or rel == "404.html":
            continue
        out.add("/" + rel.removesuffix("index.html") if rel.endswith("/index.html") or rel == "index.html"
                else "/" + rel)
    return out


def gone_pages(live: set[str], built: set[str], shown_as: str = "output") -> list[Problem]:
    """A warning for each page of the live site (its files) that the new build (its files) has not."""
    return [Problem(f"{shown_as}{address}", None, "page", "is on the live site, and this build has no page there",
                    f"if the page moved, add 'Moved-from: {address}' to its new file so that bookmarks and "
                    "search results still reach it; if it was removed on purpose, there is nothing to do",
                    severity="warning")
            for address in sorted(pages_of(live) - pages_of(built))]
