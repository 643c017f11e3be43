"""Images in articles: width and height (no layout shift), lazy loading, and
large files pointed at a resized copy (outputs/images.py writes it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

IMG = re.compile(r"<img\b[^>]*>", re.I)
ATTR = re.compile(r"""\s([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")


@dataclass(frozen=True)
class Resize:
    source: Path
    target: str  # relative to the output folder
    width: int
    height: int


def resized_name(rel: str, width: int) -> str:
    p = Path(rel)
    return p.with_name(f"{p.stem}-{width}w{p.suffix}").as_posix()


def enhance(html: str, content_dir: Path, siteurl: str, max_width: int) -> tuple[str, list[Resize]]:
    """Add width, height, loading and decoding to each <img> whose file is in content/;
    point large ones at a resized copy (returned as jobs for the end of the build)."""
    from PIL import Image

    jobs: list[Resize] = []

    def fix(match: re.Match) -> str:
        tag = match.group(0)
        attrs = {m.group(1).lower(): (m.group(2) or m.group(3) or m.group(4) or "") for m in ATTR.finditer(tag[4:])}
        src = attrs.get("src", "")
        path = urlsplit(src).path
        prefix = urlsplit(siteurl).path.rstrip("/") if siteurl else ""
        if siteurl and src.startswith(siteurl):
            path = urlsplit(src[len(siteurl):]).path
        elif prefix and path.startswith(prefix + "/"):
            path = path[len(prefix):]
        rel = unquote(path.lstrip("/"))
        source = content_dir / rel
        if not rel or not source.is_file():
            return tag
        try:
            with Image.open(source) as im:
                width, height = im.size
        except OSError:
            return tag
        new = dict(attrs)
        if width > max_width:
            height = round(height * max_width / width)
            width = max_width
            target = resized_name(rel, width)
            jobs.append(Resize(source, target, width, height))
            new["src"] = src.replace(rel, target) if rel in src else f"{siteurl}/{target}"
        new.setdefault("width", str(width))
        new.setdefault("height", str(height))
        new.setdefault("loading", "lazy")
        new.setdefault("decoding", "async")
        from markupsafe import escape
        return "<img " + " ".join(f'{k}="{escape(v)}"' for k, v in new.items()) + ">"

    return IMG.sub(fix, html), jobs
