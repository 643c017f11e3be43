"""The dev server renders again only the pages an edit can change.

Rendering every page again after a one-article edit was about half of a
rebuild. Most edits are to the
text of one article, and only that article's own page shows its text: every
other page shows other articles only through their metadata (title, summary,
address, terms, relations, dates), or through the taxonomy, the clinic's
data files, the theme and the settings. So each page gets a key:

- the site's stamp (site_stamp): every article's metadata header (the lines
  up to the first blank one, as Python-Markdown's meta extension reads
  them), the whole text of any article without a Summary (Pelican would
  make its summary from the body), every other file under content/ (data
  files, images) and the theme by size and modification time, the settings
  and today's date (the review stamps);
- for an article or page, a digest of its own source file.

A page whose key is the one it was last written with here, and whose file
on disk is the one written then (same size, modification time and inode,
so a `make clean` or a `make publish` into the same folder is seen), is not
rendered again: Pelican still does its bookkeeping and sends content_written
(the sitemap lists it). Any change to a header, the theme, the data files
or the settings changes the stamp, so everything is rendered again.

Only with Pelican's content cache on and CLINIC_INCREMENTAL (the dev
server); a production build (publishconf.py turns it off) always renders
everything into a new folder. The state lives in this
process only: a new dev server starts by rendering everything.
tests/test_devserver.py checks that a rebuild after each kind of edit writes
the same bytes as a build from scratch.

Written by hand: Pelican's own caching (CACHE_CONTENT) covers reading, not
writing, and no maintained plugin skips rendering unchanged pages.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Iterable

from ..model.rules import CONTENT_KEYS, MARKDOWN_SUFFIXES
from ..model.stamps import digest, file_state

SUMMARY_KEY = "summary"


def enabled(settings, incremental: bool) -> bool:
    """Whether this build renders only what changed: the dev server's (Pelican's
    content cache on, and the clinic's incremental setting, which publishconf.py
    turns off)."""
    return bool(settings.get("LOAD_CONTENT_CACHE") and incremental)


def header(text: str) -> str:
    """The metadata header of a Markdown file: its lines up to the first blank
    (or whitespace-only) one, as Python-Markdown's meta extension reads it.
    A header that ends on a line that is not metadata only makes this longer:
    more of the file counts as metadata, never less."""
    lines = []
    for line in text.splitlines():
        if not line.strip():
            break
        lines.append(line)
    return "\n".join(lines)


def has_summary(head: str) -> bool:
    """Whether the header has a Summary line of its own (not a continuation line)."""
    return any(line.split(":", 1)[0].strip().lower() == SUMMARY_KEY
               for line in head.splitlines() if ":" in line and line[:1] not in (" ", "\t"))


def _plain(value, depth: int = 0) -> bool:
    """Whether a setting's value is plain data (it is then part of the stamp);
    objects (the build's own helpers, functions) are left out."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return True
    if depth > 6:
        return False
    if isinstance(value, (list, tuple)):
        return all(_plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v, depth + 1) for k, v in value.items())
    return False


def settings_text(settings: dict) -> str:
    return json.dumps({k: v for k, v in settings.items() if k.isupper() and _plain(v)}, sort_keys=True, default=str)


def source_entry(path: str, text: str) -> tuple[str, str, bytes]:
    """What one Markdown file adds to the site's stamp: its header, and a digest
    of its whole text if it has no Summary of its own. scan() keeps this, not
    the text: at 5,000 articles the texts were 30 MiB more at a publish's peak."""
    head = header(text)
    return path, head, b"" if has_summary(head) else digest(text.encode())


def site_stamp(sources: Iterable[tuple[str, str]], files: Iterable[tuple[str, int, int | str]],
               settings: dict, today: str) -> bytes:
    """What every page may show, as one digest.
    sources: (path, text) of every Markdown article and page;
    files: (path, size, modification time in ns) of every other file the site
    is made from (the rest of content/, the theme)."""
    return stamp_of([source_entry(path, text) for path, text in sources], files, settings, today)


def stamp_of(entries: Iterable[tuple[str, str, bytes]], files: Iterable[tuple[str, int, int | str]],
             settings: dict, today: str) -> bytes:
    """site_stamp(), from each Markdown file's source_entry()."""
    h = hashlib.blake2b(digest_size=16)
    for path, head, whole in sorted(entries):
        h.update(f"source\0{path}\0{head}\0".encode())
        if whole:
            h.update(b"whole\0" + whole)
    for path, size, mtime in sorted(files):
        h.update(f"file\0{path}\0{size}\0{mtime}\0".encode())
    # not where the pages go: a publish writes each time into a new folder (reuse.py)
    shown = {k: v for k, v in settings.items() if k != "OUTPUT_PATH"}
    h.update(f"settings\0{settings_text(shown)}\0today\0{today}".encode())
    return h.digest()




def scan(roots: Iterable[str], real=os.path.realpath, contents: bool = False) \
        -> tuple[list[tuple[str, str, bytes]], list[tuple[str, int, int | str]], dict[str, bytes], dict[str, str]]:
    """Every file under the given folders (content/, the theme): the Markdown
    files' source_entry(), the other files' sizes and times (contents: a digest of
    their bytes instead of the time, for a stamp kept between processes,
    reuse.py), and by each Markdown file's real path, as `real` gives it, a
    digest of the file (an article's own part of its page key) and its
    metadata header (quick.py)."""
    sources, files, own, heads = [], [], {}, {}
    for root in roots:
        for folder, _, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, root)
                try:
                    if name.lower().endswith(MARKDOWN_SUFFIXES):
                        with open(path, "rb") as f:
                            data = f.read()
                        entry = source_entry(f"{root}\0{rel}", data.decode("utf-8", "replace"))
                        sources.append(entry)
                        own[real(path)] = digest(data)
                        heads[real(path)] = entry[1]
                    elif contents:
                        with open(path, "rb") as f:
                            data = f.read()
                        files.append((f"{root}\0{rel}", len(data), digest(data).hex()))
                    else:
                        st = os.stat(path)
                        files.append((f"{root}\0{rel}", st.st_size, st.st_mtime_ns))
                except OSError:
                    files.append((f"{root}\0{rel}", -1, -1))  # gone while scanned: counts as a change
    return sources, files, own, heads


def page_key(stamp: bytes, name: str, own: bytes | None) -> bytes:
    return digest(stamp + b"\0" + name.encode() + b"\0" + (own or b""))


@dataclass
class Pages:
    """One output folder's pages, kept by the dev server between rebuilds: the
    key each was last written with here. A build with no plan (one that stops
    before plan(), a production build) renders every page."""

    output: str
    stamp: bytes | None = None
    own: dict[str, bytes] = field(default_factory=dict)  # page name -> digest of its source file
    written: dict[str, tuple[bytes, tuple]] = field(default_factory=dict)  # name -> (key, file state)
    pending: set[str] = field(default_factory=set)  # written by the second process, not yet confirmed
    heads: dict[str, str] = field(default_factory=dict)  # real path of each Markdown file -> its header

    def start(self) -> None:
        """A new build: no plan until plan() is called."""
        self.stamp, self.own = None, {}
        self.pending.clear()

    def plan(self, stamp: bytes, own: dict[str, bytes]) -> None:
        """A build with the content cache on: this build's stamp and own digests."""
        self.stamp, self.own = stamp, own
        self.pending.clear()

    def key(self, name: str) -> bytes | None:
        return None if self.stamp is None else page_key(self.stamp, name, self.own.get(name))

    def unchanged(self, name: str) -> bool:
        """Whether the page `name` (relative to the output folder) needs no rendering."""
        key, last = self.key(name), self.written.get(name)
        return key is not None and last is not None and last[0] == key and \
            last[1] == file_state(os.path.join(self.output, name))

    def wrote(self, name: str) -> None:
        if self.stamp is None or not name:
            return
        self.written[name] = (self.key(name), file_state(os.path.join(self.output, name)))

    def written_elsewhere(self, name: str) -> None:
        """The second process renders this page; confirmed by confirm_elsewhere()."""
        if self.stamp is not None:
            self.written.pop(name, None)
            self.pending.add(name)

    def confirm_elsewhere(self, ok: bool) -> None:
        """The second process ended: its pages count as written only if it succeeded."""
        if self.stamp is None:
            return
        if ok:
            for name in self.pending:
                self.wrote(name)
        self.pending.clear()

    def failed(self, name: str) -> None:
        """A page whose rendering failed is rendered again next time."""
        self.written.pop(name, None)


def plan_build(pages: Pages, context, settings, today: str, real, contents: bool = False) -> None:
    """The dev server: which pages this rebuild must render (and a publish that
    reuses pages, with contents: scan()). `real` is the build's realpath
    helper (model/paths.py, RealPaths); `today` is part of the stamp because
    review stamps show it."""
    roots = [os.path.realpath(settings["PATH"]), os.path.realpath(settings["THEME"])]
    sources, files, own_by_file, pages.heads = scan(roots, real, contents)
    stamp = stamp_of(sources, files, settings, today)
    own = {}
    for key in CONTENT_KEYS:
        # a translation (bunions.es.md) hangs from its page, not from Pelican's lists
        for obj in [o for page in context.get(key, []) or [] for o in (page, *(getattr(page, "translations", None) or []))]:
            save_as = getattr(obj, "save_as", None)
            found = own_by_file.get(real(obj.source_path)) if obj.source_path else None
            if save_as:
                # a file of a kind scan() does not read (an .html article): its own
                # digest is unknown, so its page is rendered every time
                own[save_as] = found if found is not None else os.urandom(16)
    pages.plan(stamp, own)
