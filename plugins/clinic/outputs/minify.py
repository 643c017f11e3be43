"""Finish each page as Pelican writes it (production builds): minify the HTML
before it is written (speed/writer.py), then hand it to the background
compressor, and note its links for the link check.

minify-html is a maintained minifier; closing tags are kept so that every
parser (and every test) sees the same tree as the unminified page.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..checks.links import LinkTable
from .compress import Background


# Pages longer than this are written as rendered. minify-html needs about 27
# times a page's size in memory while it works: 58 MiB for the 2 MB A to Z page
# of 5,000 generated articles (ru_maxrss around one call), the peak of such a
# site's first publish. And what it takes out of a page this large, compression
# takes out anyway: on the 27 largest pages of that site (150 KB to 2 MB), the
# .br copies of the pages as rendered were 1.0% larger than those of the
# minified pages in all, the .gz copies 1.7%; the A to Z page's .br was 0.3%
# smaller as rendered.
# No page of a clinic's site comes near it (the largest shipped page: 33 KB).
LARGEST = 512 * 1024  # characters


def minify(html: str) -> str:
    if len(html) > LARGEST:
        return html
    import minify_html  # 10 ms to import: not for a publish that renders no page (speed/reuse.py)
    return minify_html.minify(html, keep_closing_tags=True, keep_html_and_head_opening_tags=True,
                              minify_css=False, minify_js=False)


class Finisher:
    """One build's finishing of its pages: whether it minifies, its compressor
    (a thread; not in Pelican's settings, which its content cache pickles),
    and the links of the pages written through it."""

    def __init__(self, minifying: bool, compressing: bool, extensions, min_size: int, siteurl: str):
        self.minifying = minifying
        self.extensions, self.min_size = extensions, min_size
        self.compressor = Background(extensions, min_size) if compressing else None
        self.siteurl = siteurl
        self.links = LinkTable()  # the links of every page written through the writer
        self.finished: dict[str, bytes] = {}  # path -> the bytes the writer just wrote there
        self.elsewhere: set[str] = set()  # pages the build's other process writes (parallel_write.py)
        self.copied: set[str] = set()  # pages copied from the last publish with their copies (speed/reuse.py)

    @property
    def active(self) -> bool:
        """Whether pages go through the writer's in-memory finishing at all."""
        return self.minifying or self.compressor is not None

    def written(self, output: str, path: str, text: str) -> None:
        """The writer wrote this page (its final text): the compressor takes its
        bytes from here, the link check its links."""
        self.finished[path] = text.encode("utf-8")
        self.copied.discard(os.path.normpath(path))  # rendered after all: compressed again
        self.links.add(os.path.relpath(path, output).replace(os.sep, "/"), text, self.siteurl)

    def written_elsewhere(self, path: str) -> None:
        """The build's other process writes and compresses this page."""
        self.elsewhere.add(path)

    def on_content_written(self, path) -> None:
        data = self.finished.pop(str(path), None)
        if str(path) in self.elsewhere:  # the other process writes and compresses it
            self.elsewhere.discard(str(path))
            return
        if self.compressor is None:
            return
        if data is None and os.path.normpath(path) in self.copied:  # its .br and .gz came with it
            self.compressor.done.add(str(path))
            return
        p = Path(path)
        if data is None:  # written by someone else's writer
            data = p.read_bytes()
        self.compressor.submit(p, data)  # the same form of path as precompress() finds

    def finish(self) -> set[str]:
        """Wait for the pages handed over during the build; the files compressed."""
        compressor, self.compressor = self.compressor, None
        return compressor.wait() if compressor is not None else set()

    def quiesce(self) -> None:
        """Let the compressor finish what it has, and its thread end, before a fork.
        A new thread starts with the next page handed to it."""
        if self.compressor is not None:
            self.compressor.quiesce()

    def restart_in_child(self) -> None:
        """In a forked process: a compressor and a link table of its own (the
        parent's thread did not come along; the parent keeps its own pages' links)."""
        if self.compressor is not None:
            self.compressor = Background(self.extensions, self.min_size)
        self.links = LinkTable()

    def add_from_child(self, compressed, links: LinkTable | None) -> None:
        """What the other process compressed (not to be compressed again at the end) and the links of its pages."""
        if self.compressor is not None:
            self.compressor.done.update(str(p) for p in compressed)
        if links is not None:
            self.links.merge(links)
