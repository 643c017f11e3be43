"""Links that must lead somewhere.

`content_links` checks Pelican's {filename} and {static} links in a Markdown
body against the content files (with the line of each link); `output_links`
checks every href and src in the built site that points inside it, and
LinkTable does the same for a whole site from its pages' links, gathered as
the pages are written (written_links.py). The functions are pure: text in,
problems out.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..model.paths import write_whole
from ..model.stamps import file_state
from .lastbuild import LastBuild, digest
from ..model.problems import Problem, closest

MD_LINK = re.compile(r"\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
# Attributes are read tag by tag: a whole tag is matched (quoted values
# included), so a "<img src=x" inside an attribute value or in escaped text is
# never taken for a link. Values may be double-quoted, single-quoted or, in
# minified HTML, unquoted. The scan starts at a literal '<', so the regex
# engine jumps from tag to tag.
_PAIR = r"""\s+([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?"""
TAG = re.compile(r"""<[A-Za-z][\w:-]*(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*/?>""")
PAIR = re.compile(_PAIR)
LINK_ATTRS = ("href", "src")
INTERNAL = re.compile(r"^\{(?P<kind>filename|static|attach)\}(?P<path>.*)$")
# A link to a file whose name has a space, written as it is: Markdown ends the
# link at the space ("heel photo.jpg" links to "heel"), and what follows is no title.
SPACED = re.compile(r"\]\(\s*(?P<target>\{(?:filename|static|attach)\}[^)\s>]*)\s+(?P<rest>[^)\s\"'][^)]*)\)")


def attr_values(html: str, names=LINK_ATTRS) -> list[str]:
    """The values of the named attributes in every tag of an HTML text."""
    out = []
    for tag in TAG.findall(html):
        if "href" not in tag and "src" not in tag:
            continue
        for name, dq, sq, bare in PAIR.findall(tag):
            if name.lower() in names:
                out.append(dq or sq or bare)
    return out


def _link_values(html: str) -> tuple[list[str], list[str]]:
    """attr_values(html) and attr_values(html, ("srcset",)) in one scan of the page's tags
    (scanning is most of the link check: one scan instead of two takes it from about 0.45 s
    to 0.25 s on 1,000 generated articles)."""
    links, srcsets = [], []
    for tag in TAG.findall(html):
        if "href" not in tag and "src" not in tag:
            continue
        for name, dq, sq, bare in PAIR.findall(tag):
            name = name.lower()
            if name in LINK_ATTRS:
                links.append(dq or sq or bare)
            elif name == "srcset":
                srcsets.append(dq or sq or bare)
    return links, srcsets


def content_links(path: str, body: str, body_line: int, source_dir: str, content_files: set[str]) -> list[Problem]:
    """path: the file as shown; source_dir: its folder relative to content/; content_files: every
    file under content/, relative to it, with '/' separators."""
    problems = []
    for i, line in enumerate(body.split("\n")):
        for spaced in SPACED.finditer(line):
            whole = f"{spaced.group('target')} {spaced.group('rest').strip()}"
            problems.append(Problem(path, body_line + i, "link", f"{whole!r} has a space, so the link ends at "
                                    f"{spaced.group('target')!r}",
                                    "rename the file without spaces (heel-photo.jpg, not heel photo.jpg) and link to that"))
        for target in [m.group("target") for m in MD_LINK.finditer(line)] + \
                attr_values(line):
            im = INTERNAL.match(target)
            if not im:
                continue
            rel = unquote(im.group("path").split("#")[0].split("?")[0])
            resolved = posixpath.normpath(rel.lstrip("/") if rel.startswith("/") else posixpath.join(source_dir, rel))
            if resolved == ".." or resolved.startswith("../"):
                problems.append(Problem(path, body_line + i, "link", f"{target!r} points outside content/",
                                        "link to a file in content/, e.g. {filename}/conditions/bunions.md"))
            elif resolved not in content_files:
                same_folder = {f for f in content_files if posixpath.dirname(f) == posixpath.dirname(resolved)}
                near = closest(resolved, same_folder, 1)
                hint = f"did you mean {{{im.group('kind')}}}/{near[0]}?" if near else \
                    "link to a file in content/, e.g. {filename}/conditions/bunions.md"
                problems.append(Problem(path, body_line + i, "link", f"{target!r} does not exist", hint))
    return problems


def page_links(page: str, html: str, siteurl: str = "") -> list[tuple[str, tuple[str, ...]]]:
    """Each distinct link of a built page that points inside the site, in the
    order they appear, with the files (relative to the output folder) that
    would answer it. page: the built file relative to the output folder."""
    base = "/" + posixpath.dirname(page)
    targets, srcsets = _link_values(html)
    for value in srcsets:
        targets += [part.strip().split()[0] for part in value.split(",") if part.strip()]
    found, seen = [], set()
    ours = _netloc(siteurl)
    for target in targets:
        if target in seen:
            continue
        seen.add(target)
        if target.startswith(_OTHER_SITE) and not (ours and ours in target):
            continue  # another site's address (not kept in _site_path's cache: sources make them many)
        path = _site_path(target, siteurl)
        if path:
            found.append((target, _candidates(path, base if not path.startswith("/") else "")))
    return found


def broken(target: str) -> str:
    return f"{target!r} leads to no file in the site"


BROKEN_HINT = "fix the link in the page's source, or add the missing page"


def output_links(page: str, html: str, existing: set[str], siteurl: str = "") -> list[Problem]:
    """page: the built file relative to the output folder, e.g. 'conditions/bunions/index.html';
    existing: every file written, relative to the output folder."""
    return [Problem(page, None, "link", broken(target), BROKEN_HINT)
            for target, candidates in page_links(page, html, siteurl) if not any(c in existing for c in candidates)]


class LinkTable:
    """The internal links of many built pages, each distinct (link, files that
    would answer it) once, with the number of pages that have it and the
    first of them (by name, then place in the page): a 5,000-article site has
    about half a million links but a few tens of thousands distinct ones. It
    gives the problems output_links() would give for every page, one line per
    broken link with the number of pages, however the pages were split
    between processes or the order they were written in."""

    def __init__(self):
        self.links: dict[tuple[str, tuple[str, ...]], list] = {}  # -> [first page, place in it, pages]
        self.pages: set[str] = set()
        self.searchable = 0  # pages marked for the search index

    def add(self, page: str, html: str, siteurl: str = "") -> None:
        self.add_links(page, page_links(page, html, siteurl), "data-pagefind-body" in html)

    def add_links(self, page: str, found, searchable: bool) -> None:
        """A page's page_links() answer (and whether it is searchable), worked out elsewhere."""
        self.pages.add(page)
        self.searchable += searchable
        for place, key in enumerate(found):
            _count(self.links, key, page, place, 1)

    def merge(self, other: LinkTable) -> None:
        self.pages |= other.pages
        self.searchable += other.searchable
        for key, (page, place, pages) in other.links.items():
            _count(self.links, key, page, place, pages)

    def problems(self, existing: set[str], shown_as: str = "output") -> list[Problem]:
        by_target: dict[str, list] = {}
        for (target, candidates), (page, place, pages) in self.links.items():
            if not any(c in existing for c in candidates):
                _count(by_target, target, page, place, pages)
        problems = []
        for target, (page, place, pages) in sorted(by_target.items(), key=lambda kv: (kv[1][0], kv[1][1])):
            more = f" (and on {pages - 1} more page{'s' if pages > 2 else ''})" if pages > 1 else ""
            hint = BROKEN_HINT if pages == 1 else "a link on many pages comes from a template in theme/templates/"
            problems.append(Problem(f"{shown_as}/{page}", None, "link", broken(target) + more, hint))
        return problems


class Remembered:
    """page_links() of pages read back from output/, kept from one build to the
    next in a process that builds again and again (the dev server). Most pages
    come out byte for byte the same after an edit, and reading their links is
    most of the link check.

    A page is known by a digest of its name, the site's address and its bytes,
    so a changed page is always read again. Only the last build's pages are
    kept, and each distinct link is kept once however many pages have it
    (a large site has few distinct links for its pages)."""

    LIMIT = 200_000  # distinct links; past this (many edits to links) all is forgotten

    def __init__(self):
        self.pages = LastBuild()  # digest -> (links, searchable)
        self.keys: dict = {}  # each distinct (link, files) once
        self.files: dict[str, tuple] = {}  # page -> (file state, site address, answer), the last build's
        self.files_now: dict[str, tuple] = {}

    def begin(self) -> None:
        self.pages.begin()
        self.files, self.files_now = self.files_now or self.files, {}
        if len(self.keys) > self.LIMIT:
            self.pages.forget()
            self.keys, self.files = {}, {}

    def links_at(self, page: str, path, siteurl: str = "") -> tuple[tuple, bool]:
        """links() of the page in the file at path, read again only if the file is
        not the one read last time (size, modification time, inode: the dev
        server's rule for pages it need not render again, incremental.py):
        reading every page back was most of the link check."""
        state = file_state(os.fspath(path))
        last = self.files.get(page)
        if state is not None and last is not None and last[0] == state and last[1] == siteurl:
            self.files_now[page] = last
            return last[2]
        with open(path, "rb") as f:
            answer = self.links(page, f.read(), siteurl)
        if state is not None:
            self.files_now[page] = (state, siteurl, answer)
        return answer

    # -- a publish: one build per process, so the answers go to a file between them ----
    def store(self, path) -> None:
        """The answers of the pages read this build, by file state (a publish keeps
        them in the content cache's folder: its copied pages are the same files next
        time, speed/reuse.py). Each distinct link once; written whole or not at all."""
        keys: dict = {}

        def chunks():  # page by page: the whole at once was about 30 MiB more at the build's end (5,000 articles)
            yield b'{"pages":{'
            for number, (page, (state, siteurl, (found, searchable))) in enumerate(self.files_now.items()):
                entry = [list(state), siteurl, [keys.setdefault(k, len(keys)) for k in found], searchable]
                yield (("," if number else "") + json.dumps(page) + ":"
                       + json.dumps(entry, separators=(",", ":"))).encode()
            yield b'},"keys":'  # after the pages, which name them
            yield json.dumps([[target, list(candidates)] for target, candidates in keys],
                             separators=(",", ":")).encode()
            yield b"}"
        write_whole(Path(path), chunks())

    def load(self, path) -> None:
        """What store() wrote, as the last build's pages; nothing if it cannot be read."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            keys = [self.keys.setdefault(k, k) for k in ((str(t), tuple(map(str, c))) for t, c in data["keys"])]
            self.files = {str(page): (tuple(state), str(siteurl), (tuple(keys[i] for i in found), bool(searchable)))
                          for page, (state, siteurl, found, searchable) in data["pages"].items()}
        except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
            self.files = {}
        self.files_now = {}  # the file's answers are the last build's, not what this process read before

    def links(self, page: str, data: bytes, siteurl: str = "") -> tuple[tuple, bool]:
        def read() -> tuple[tuple, bool]:
            html = data.decode("utf-8")
            return (tuple(self.keys.setdefault(k, k) for k in page_links(page, html, siteurl)),
                    "data-pagefind-body" in html)
        return self.pages.get(digest(page.encode(), siteurl.encode(), data), read)


def _count(table: dict, key, page: str, place: int, pages: int) -> None:
    entry = table.get(key)
    if entry is None:
        table[key] = [page, place, pages]
        return
    entry[2] += pages
    if (page, place) < (entry[0], entry[1]):
        entry[0], entry[1] = page, place


_OTHER_SITE = ("http://", "https://", "//")
DEV_SERVER = "/__live"  # what the dev server answers itself (tools/serve.py), not a file of the site


@lru_cache(maxsize=8)
def _netloc(siteurl: str) -> str:
    """The site's host, as _site_path compares it: an address that does not
    contain it names another site."""
    return urlsplit(siteurl).netloc if siteurl else ""


# A site's pages share most of their links (the header, the footer, the same
# related pages), so each address is worked out once per build, not once per
# page. Both functions are pure: their answers depend on their arguments only.
@lru_cache(maxsize=1 << 16)
def _site_path(target: str, siteurl: str) -> str | None:
    """The path a link points to inside this site, or None for another site,
    an anchor, mailto:, tel: and the like."""
    site = urlsplit(siteurl) if siteurl else None
    url = urlsplit(target)
    if url.scheme or url.netloc:
        if not site or url.netloc != site.netloc:
            return None  # another site; not ours to check
        path = url.path
    elif target.startswith(("#", "mailto:", "tel:", "data:", "javascript:", "{", DEV_SERVER)):
        return None  # "{filename}" links are reported at their source line by content_links
    else:
        path = url.path
    if not path:
        return None
    if site and site.path and path.startswith(site.path.rstrip("/") + "/"):
        path = path[len(site.path.rstrip("/")):]
    return path


@lru_cache(maxsize=1 << 16)
def _candidates(path: str, base: str) -> tuple[str, ...]:
    """The files, relative to the output folder, that would answer the link."""
    full = posixpath.normpath(path if path.startswith("/") else posixpath.join(base, path))
    rel = unquote(full.lstrip("/"))
    return (rel, posixpath.join(rel, "index.html")) if rel and rel != "." else ("index.html",)
