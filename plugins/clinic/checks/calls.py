"""Every "call us" gives the number (issue 20).

A worried reader told to "call your surgeon's office" should not have to hunt
for the number. A paragraph or list item that tells the reader to call the
clinic, with no number in it, is a warning naming the line; {clinic_phone}
puts the clinic's number there as a link that calls it. Callouts that advise
calling end with the number already (pages/callouts.py).
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from ..model.problems import Problem
from ..model.rules import CLINIC_PHONE

CALL_US = re.compile(r"\bcall (?:us|the clinic|your surgeon(?:'s office)?|your doctor's office|the office)\b", re.I)


class _Blocks(HTMLParser):
    """The text of each paragraph and list item, and whether it links to a phone."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, bool]] = []
        self.stack: list[list] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("p", "li"):
            self.stack.append(["", False])
        elif tag == "a" and self.stack and (dict(attrs).get("href") or "").startswith("tel:"):
            self.stack[-1][1] = True

    def handle_endtag(self, tag):
        if tag in ("p", "li") and self.stack:
            text, phone = self.stack.pop()
            self.blocks.append((text, phone))
            if self.stack:  # a list item's text belongs to the item around it too
                self.stack[-1][0] += " " + text

    def handle_data(self, data):
        if self.stack:
            self.stack[-1][0] += data


# The line a callout ends with (pages/callouts.py), once its number is a link that calls it.
CALLOUT_CALL = re.compile(r'<p class="clinic-callout__call">[^<]*<a href="tel:[^"<>]*">[^<]*</a>\s*</p>')


def may_say_call(html: str) -> bool:
    """Whether the page's text could hold a "call us" at all: the page's words with
    every tag a space, whitespace as one space (more matches than the paragraphs
    give, never fewer). Parsing each page was half of this check's cost at 1,000
    articles; most pages only say it in their callouts, which give the number."""
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]*>", " ", CALLOUT_CALL.sub(" ", html))))
    return CALL_US.search(text) is not None


def calls_without_number(path: str, html: str, source: str) -> list[Problem]:
    if not may_say_call(html):
        return []
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    lines = source.split("\n")
    problems, seen = [], set()
    for text, phone in parser.blocks:
        found = CALL_US.search(text)
        if not found or phone or re.search(r"\d{3}\D{0,2}\d{3}\D?\d{4}", text) or found.group(0) in seen:
            continue
        seen.add(found.group(0))
        line = next((i for i, t in enumerate(lines, 1) if found.group(0).lower() in t.lower()), None)
        problems.append(Problem(path, line, "text", f"says '{found.group(0)}' with no number to call",
                                f"add {CLINIC_PHONE}, which becomes the clinic's number as a link that calls it",
                                "warning"))
    return problems
