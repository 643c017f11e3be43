"""HTML in a page's text that would break the site's promises (issue 21), and
an image a screen reader could not describe (issue 20).

Pages are written by trusted staff, but a snippet pasted from another site
can carry a script, a tracking image or an embedded video. The site promises
patients that it runs only its own scripts and loads nothing from another
site, so `make publish` refuses such HTML in Markdown, one line each.

Checked on the HTML Markdown made of the page (what a browser would get), so
text inside a code block, which Markdown escapes, is not mistaken for a tag;
each problem points at the first line of the source that holds it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from ..model.problems import Problem

# Elements that run code, embed another page or document, send a form, or
# change how the page loads: none has a place in a page's text.
REFUSED_TAGS = {
    "script": "runs a script", "noscript": "holds markup for when scripts do not run",
    "iframe": "embeds another page", "frame": "embeds another page", "frameset": "embeds other pages",
    "object": "embeds a plug-in or another document", "embed": "embeds a plug-in or another document",
    "applet": "runs a plug-in", "form": "sends what a patient types", "input": "asks for input",
    "button": "asks for input", "textarea": "asks for input", "select": "asks for input",
    "style": "changes the look of the site", "link": "loads a file into the page",
    "meta": "changes how the page behaves", "base": "changes where every link of the page leads",
    "svg": "can run scripts", "math": "can hide markup the checks cannot see",
}
REFUSED_HINT = "remove it; the theme gives every page what it needs, and a developer can add a feature to it"
# Elements that load a file when the page is shown, and the attributes that name it.
LOADS = {"img": ("src", "srcset"), "source": ("src", "srcset"), "audio": ("src",), "video": ("src", "poster"),
         "track": ("src",), "picture": (), "image": ("href", "xlink:href"), "use": ("href", "xlink:href")}
LINK_ATTRIBUTES = ("href", "src", "action", "formaction", "cite", "background", "poster", "data")
BAD_SCHEMES = ("javascript", "data", "vbscript", "file")


class _Finder(HTMLParser):
    def __init__(self, own_host: str):
        super().__init__(convert_charrefs=True)
        self.own_host = own_host
        self.found: list[tuple[str, str, str, str]] = []  # (field, message, hint, what to look for in the source)

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _check(self, tag, attrs):
        if tag == "img" and not (dict(attrs).get("alt") or "").strip():
            src = dict(attrs).get("src") or ""
            self.found.append(("image", f"{src[:60]!r} has no alt text, so a screen reader cannot say what it shows",
                               "write what the picture shows between the brackets: ![A bunion at the base of the "
                               "big toe](...)", src[:40] or "<img"))
        if tag in REFUSED_TAGS:
            self.found.append(("html", f"<{tag}> is not allowed in a page: it {REFUSED_TAGS[tag]}",
                               REFUSED_HINT, f"<{tag}"))
            return
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.found.append(("html", f"the {name}= attribute on <{tag}> is not allowed: it runs a script",
                                   "remove it; pages run no scripts of their own", f"{name}="))
            elif name == "style":
                self.found.append(("html", f"a style= attribute on <{tag}> is not allowed",
                                   "remove it; the look of every page comes from the theme", "style="))
            elif name in LINK_ATTRIBUTES or name in ("srcset", "xlink:href"):
                for url in _urls(name, value):
                    scheme = urlsplit(url.strip()).scheme.lower()
                    if scheme in BAD_SCHEMES:
                        self.found.append(("link", f"{url[:60]!r} is not allowed: a {scheme}: address",
                                           "link to a page of the site or to an address starting with https://",
                                           url[:40]))
                    elif tag in LOADS and name in LOADS[tag] and _foreign(url, self.own_host):
                        self.found.append((
                            "image" if tag in ("img", "picture", "source", "image", "use") else "media",
                            f"{url[:80]!r} would load from another site when the page is shown",
                            "save the file in content/images/ and use {static}/images/<name>; "
                            "the site loads nothing from other sites", url[:60]))


def _urls(name: str, value: str) -> list[str]:
    if name == "srcset":
        return [part.strip().split()[0] for part in value.split(",") if part.strip()]
    return [value]


def _foreign(url: str, own_host: str) -> bool:
    """An address on another site (scheme and host, or //host)."""
    parts = urlsplit(url.strip())
    return bool(parts.netloc) and parts.netloc.lower() != own_host


# What most pages are made of, in the one form Markdown writes it: these
# elements, with these attributes, double-quoted, with no character reference
# in a value and no address that could name a scheme but the plain ones.
PLAIN_ELEMENTS = frozenset(
    "p h1 h2 h3 h4 h5 h6 ul ol li a strong em b i code pre blockquote hr br table thead tbody tfoot tr th td "
    "caption div span sup sub dl dt dd abbr section aside small mark figure figcaption details summary kbd".split())
PLAIN_ATTRIBUTES = frozenset("id class title colspan rowspan align scope start reversed lang dir role open "
                             "hreflang rel".split())
_PLAIN_TAG = re.compile(r'<(?:/([a-z][a-z0-9]*)\s*|([a-z][a-z0-9]*)((?:\s+[a-z][a-z-]*(?:="[^"<>&]*")?)*)\s*/?)>')
_PLAIN_ATTRIBUTE = re.compile(r'\s+([a-z][a-z-]*)(?:="([^"]*)")?')
_PLAIN_HREF = re.compile(r"(?:#|/|https?://|mailto:|tel:)[^\s\x00-\x1f]*|[^:\s\x00-\x1f]*")


def plainly_safe(html: str) -> bool:
    """Whether every tag of the HTML is one of PLAIN_ELEMENTS with only
    PLAIN_ATTRIBUTES, aria-* and a plain href: then the parse below could find
    nothing. Any other tag, a comment, a '<' that starts no such tag, and the
    whole page is parsed. Parsing every page with html.parser was 0.5 s of a
    publish of 1,000 articles; most pages hold nothing else.
    tests/test_hostile_content.py checks that no page this passes gives a problem."""
    tags = 0
    for found in _PLAIN_TAG.finditer(html):
        tags += 1
        name = found.group(2)
        if name is None:  # an end tag: the parse below looks only at start tags
            continue
        if name not in PLAIN_ELEMENTS:
            return False
        for attribute, value in _PLAIN_ATTRIBUTE.findall(found.group(3)):
            if attribute == "href":
                if name != "a" or not _PLAIN_HREF.fullmatch(value):
                    return False
            elif attribute not in PLAIN_ATTRIBUTES and not attribute.startswith("aria-"):
                return False
    return tags == html.count("<")


def unsafe(path: str, html: str, source: str, own_address: str = "") -> list[Problem]:
    """The problems of a page's HTML (Markdown's output), each at the first line
    of `source` (the file's text) that holds what it found."""
    if plainly_safe(html):
        return []
    finder = _Finder(urlsplit(own_address).netloc.lower())
    finder.feed(html)
    finder.close()
    lines = source.split("\n")
    problems, seen = [], set()
    for field, message, hint, needle in finder.found:
        if (field, message) in seen:
            continue
        seen.add((field, message))
        line = next((i for i, text in enumerate(lines, 1) if needle.lower() in text.lower()), None)
        problems.append(Problem(path, line, field, message, hint))
    return problems
