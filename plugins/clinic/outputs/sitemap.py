"""output/sitemap.xml: every page a visitor can land on, and for each page that
has one, the date its content last changed (its last change or review).

Written here instead of by pelican-sitemap, which the site used until now:
that plugin gives every page without a date of its own (the listings, the
home page, About, Privacy) the time of the build as its <lastmod>. So every
publish told search engines that all of those pages had just changed, and
no two builds of the same content were alike (the sitemap differed, and with
it its .gz and .br copies). The plugin has no setting to leave the date out.
The sitemaps.org protocol makes <lastmod> optional, so a page without a date
gets none. <changefreq> and <priority> are not written: Google ignores them.

The core (entries, sitemap_xml) is pure; Sitemap, at the bottom, collects
what one build writes and writes the file when the build is done.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.request import pathname2url


NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"  # Google's way of naming a page's other languages in a sitemap


def lastmod(obj) -> dt.date | dt.datetime | None:
    """The date a page's content last changed: Pelican's `modified` (the plugin
    sets it to the last change or review), else its `date`; None for a page
    without either and for a page that is not content (a listing)."""
    if obj is None:
        return None
    return getattr(obj, "modified", None) or getattr(obj, "date", None)


def w3c(when: dt.date | dt.datetime) -> str:
    """A W3C datetime, as sitemaps want it. A date and time without a time zone
    is given as the day alone rather than with a made-up zone."""
    if isinstance(when, dt.datetime):
        return when.isoformat(timespec="seconds") if when.tzinfo else when.date().isoformat()
    return when.isoformat()


def entries(written: list[tuple[str, object]], output_path: str, exclude=()) -> list[tuple[str, object]]:
    """(url, lastmod) for each page written, sorted by URL, once each: the URL
    relative to the site root without a trailing index.html. `written` holds
    (file path, the article or page it shows, or None) in the order Pelican
    wrote them. Left out: files that are not pages, drafts and hidden pages,
    and URLs matching one of the `exclude` patterns (regular expressions)."""
    patterns = [re.compile(p) for p in exclude]
    found = {}
    for path, obj in written:
        if not path.endswith(".html"):
            continue
        if obj is not None and getattr(obj, "status", "published") != "published":
            continue
        url = obj.url if obj is not None else pathname2url(os.path.relpath(path, output_path))
        url = re.sub(r"(?:^|(?<=/))index\.html$", "", url)
        if any(p.search(url) for p in patterns):
            continue
        found[url] = lastmod(obj)
    return sorted(found.items())


def sitemap_xml(siteurl: str, pages: list[tuple[str, object]], alternates=None, default_lang: str = "en") -> bytes:
    """The sitemap of these (url, lastmod) pairs, serialised by ElementTree
    (URLs with & or < are escaped). alternates: url -> {lang: url} of the pages
    that exist in more than one language; each lists all of them, itself
    included, and the site's language as x-default (hreflang in sitemaps)."""
    ET.register_namespace("", NS)
    ET.register_namespace("xhtml", XHTML)
    root = ET.Element(f"{{{NS}}}urlset")
    for url, when in pages:
        entry = ET.SubElement(root, f"{{{NS}}}url")
        ET.SubElement(entry, f"{{{NS}}}loc").text = f"{siteurl}/{url}"
        if when is not None:
            ET.SubElement(entry, f"{{{NS}}}lastmod").text = w3c(when)
        group = (alternates or {}).get(url)
        if group and default_lang in group:
            for lang, other in [*sorted(group.items()), ("x-default", group[default_lang])]:
                ET.SubElement(entry, f"{{{XHTML}}}link", rel="alternate", hreflang=lang, href=f"{siteurl}/{other}")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# -- one build's sitemap ------------------------------------------------------------
class Sitemap:
    """The pages one build wrote, or accounted for (the dev server's pages not
    rendered again, the other process's pages), in the order Pelican wrote them."""

    def __init__(self):
        self.written: list[tuple[str, object]] = []

    def add(self, path, context) -> None:
        if context.get("clinic_redirect"):
            return  # an old address: search engines follow it to the page, which the sitemap lists
        self.written.append((str(path), context.get("article") or context.get("page")))

    def write(self, output: str, siteurl: str, exclude=(), alternates=None, default_lang: str = "en") -> None:
        """output/sitemap.xml, once the build is done."""
        pages = entries(self.written, output, exclude)
        Path(output, "sitemap.xml").write_bytes(sitemap_xml(siteurl, pages, alternates, default_lang))
