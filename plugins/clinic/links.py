"""Links that must lead somewhere.

`content_links` checks Pelican's {filename} and {static} links in a Markdown
body against the content files (with the line of each link); `output_links`
checks every href and src in the built site that points inside it. Both are
pure: text in, problems out.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urlsplit

from .problems import Problem, closest

MD_LINK = re.compile(r"\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_ATTR = re.compile(r"""\b(?:href|src)\s*=\s*["'](?P<target>[^"']+)["']""")
INTERNAL = re.compile(r"^\{(?P<kind>filename|static|attach)\}(?P<path>.*)$")
SRCSET = re.compile(r"""\bsrcset\s*=\s*["'](?P<value>[^"']+)["']""")


def content_links(path: str, body: str, body_line: int, source_dir: str, content_files: set[str]) -> list[Problem]:
    """path: the file as shown; source_dir: its folder relative to content/; content_files: every
    file under content/, relative to it, with '/' separators."""
    problems = []
    for i, line in enumerate(body.split("\n")):
        for m in list(MD_LINK.finditer(line)) + list(HTML_ATTR.finditer(line)):
            target = m.group("target")
            im = INTERNAL.match(target)
            if not im:
                continue
            rel = unquote(im.group("path").split("#")[0].split("?")[0])
            resolved = posixpath.normpath(rel.lstrip("/") if rel.startswith("/") else posixpath.join(source_dir, rel))
            if resolved not in content_files:
                same_folder = {f for f in content_files if posixpath.dirname(f) == posixpath.dirname(resolved)}
                near = closest(resolved, same_folder, 1)
                hint = f"did you mean {{{im.group('kind')}}}/{near[0]}?" if near else \
                    "link to a file in content/, e.g. {filename}/conditions/bunions.md"
                problems.append(Problem(path, body_line + i, "link", f"{target!r} does not exist", hint))
    return problems


def output_links(page: str, html: str, existing: set[str], siteurl: str = "") -> list[Problem]:
    """page: the built file relative to the output folder, e.g. 'conditions/bunions/index.html';
    existing: every file written, relative to the output folder."""
    problems = []
    base = "/" + posixpath.dirname(page)
    site = urlsplit(siteurl) if siteurl else None
    targets = [m.group("target") for m in HTML_ATTR.finditer(html)]
    for m in SRCSET.finditer(html):
        targets += [part.strip().split()[0] for part in m.group("value").split(",") if part.strip()]
    seen = set()
    for target in targets:
        if target in seen:
            continue
        seen.add(target)
        url = urlsplit(target)
        if url.scheme or url.netloc:
            if not site or url.netloc != site.netloc:
                continue  # another site; not ours to check
            path = url.path
        elif target.startswith(("#", "mailto:", "tel:", "data:", "javascript:", "{")):
            continue  # "{filename}" links are reported at their source line by content_links
        else:
            path = url.path
        if not path:
            continue
        if site and site.path and path.startswith(site.path.rstrip("/") + "/"):
            path = path[len(site.path.rstrip("/")):]
        full = posixpath.normpath(path if path.startswith("/") else posixpath.join(base, path))
        rel = unquote(full.lstrip("/"))
        candidates = [rel, posixpath.join(rel, "index.html")] if rel and rel != "." else ["index.html"]
        if not any(c in existing for c in candidates):
            problems.append(Problem(page, None, "link", f"{target!r} leads to no file in the site",
                                    "fix the link in the page's source, or add the missing page"))
    return problems
