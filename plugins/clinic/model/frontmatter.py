"""Read the metadata header of a Markdown article as the webmaster wrote it.

Pelican's reader lowercases keys, fills partial dates from today and drops
files it cannot read. To report problems with line numbers and the raw
values, the validator reads the header itself with this small parser, which
follows the same rules as Python-Markdown's `meta` extension: `Key: value`
lines at the top, continuation lines indented by 4 spaces, a blank line ends
the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KEY_LINE = re.compile(r"^(?P<key>[A-Za-z0-9_-]+)\s*:\s*(?P<value>.*)$")
CONTINUATION = re.compile(r"^(?: {4,}|\t)(?P<value>.*)$")


@dataclass
class Entry:
    key: str  # as written
    line: int
    values: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(v for v in self.values if v).strip()


@dataclass
class Header:
    entries: dict[str, Entry]  # lowercased key -> entry (first occurrence)
    duplicates: list[Entry]
    body: str
    body_line: int  # line number where the body starts
    bad_lines: list[tuple[int, str]]  # header lines that are not "Key: value"

    def get(self, key: str) -> Entry | None:
        return self.entries.get(key.lower())


def parse(text: str) -> Header:
    lines = text.split("\n")
    entries: dict[str, Entry] = {}
    duplicates: list[Entry] = []
    bad: list[tuple[int, str]] = []
    current: Entry | None = None
    i = 0
    if lines and lines[0].strip() == "---":  # tolerate a leading YAML-style fence
        i = 1
    while i < len(lines):
        raw = lines[i]
        lineno = i + 1
        if not raw.strip() or raw.strip() == "---":
            i += 1
            break
        m = KEY_LINE.match(raw)
        c = CONTINUATION.match(raw)
        if c and current is not None:
            current.values.append(c.group("value").strip())
        elif m:
            current = Entry(m.group("key"), lineno, [m.group("value").strip()])
            k = current.key.lower()
            if k in entries:
                duplicates.append(current)
            else:
                entries[k] = current
        else:
            if not entries:  # no header at all: the whole file is body
                return Header({}, [], text, 1, [])
            bad.append((lineno, raw))
            current = None
        i += 1
    body = "\n".join(lines[i:])
    return Header(entries, duplicates, body, i + 1, bad)


def split_list(value: str) -> list[str]:
    """'a, b ,c' -> ['a', 'b', 'c']; empty items dropped."""
    return [part.strip() for part in value.split(",") if part.strip()]
