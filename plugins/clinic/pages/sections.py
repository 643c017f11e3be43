"""Split an article's rendered HTML into its `##` sections.

The templates lay sections out one by one so they can add what the site
knows after a section (the procedures after "Surgical options"), and the
structured data takes a procedure's first paragraph from "During surgery".
The HTML is our own Markdown output, so a regex on <h2> is reliable here.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

H2 = re.compile(r"<h2(?P<attrs>[^>]*)>(?P<title>.*?)</h2>", re.S)
TAG = re.compile(r"<[^>]+>")
FIRST_P = re.compile(r"<p>(?P<p>.*?)</p>", re.S)


@dataclass
class Section:
    id: str
    title: str  # plain text
    title_html: str
    html: str  # the section's body, without its heading


def split(content: str) -> tuple[str, list[Section]]:
    """Return (HTML before the first <h2>, sections)."""
    matches = list(H2.finditer(content))
    if not matches:
        return content, []
    intro = content[: matches[0].start()]
    sections = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(content)
        idm = re.search(r'id="([^"]*)"', m.group("attrs"))
        sections.append(Section(idm.group(1) if idm else "", plain(m.group("title")),
                                m.group("title"), content[m.end(): end]))
    return intro, sections


def plain(fragment: str) -> str:
    return html.unescape(TAG.sub("", fragment)).strip()


def first_paragraph(sections: list[Section], title: str) -> str:
    for s in sections:
        if s.title == title:
            m = FIRST_P.search(s.html)
            return plain(m.group("p")) if m else ""
    return ""
