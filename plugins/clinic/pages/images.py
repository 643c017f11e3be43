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


def resized_name(rel: str, width: int, suffix: str | None = None) -> str:
    p = Path(rel)
    return p.with_name(f"{p.stem}-{width}w{suffix or p.suffix}").as_posix()


# Photos are also served as AVIF and WebP (a third to a half of the bytes), each
# at the width shown and at half of it, for the browser to choose: one source
# image, copies made by Pillow at the end of the build (outputs/images.py).
MODERN = (("image/avif", ".avif"), ("image/webp", ".webp"))
RASTER = (".png", ".jpg", ".jpeg")
SIZES = "(min-width: 60em) 44em, 100vw"  # the text column's width (site.css --measure)
VIEWBOX = re.compile(r"""viewBox\s*=\s*["']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)""")


def _svg_size(source: Path) -> tuple[int, int] | None:
    found = VIEWBOX.search(source.read_text(encoding="utf-8", errors="replace")[:2000])
    return (round(float(found.group(1))), round(float(found.group(2)))) if found else None


def enhance(html: str, content_dir: Path, siteurl: str, max_width: int) -> tuple[str, list[Resize]]:
    """Each <img> whose file is in content/: width, height (no layout shift), lazy
    loading; a large one pointed at a resized copy; a photo also offered as AVIF
    and WebP with a srcset; one with a title (Markdown's ![alt](src "title"))
    shown as a figure with that caption. The copies are returned as jobs."""
    from markupsafe import escape

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
        suffix = source.suffix.lower()
        try:
            if suffix == ".svg":
                size = _svg_size(source)
                if size is None:
                    return tag
                width, height = size
            else:
                from PIL import Image  # 9 ms to import: only for a page with a photo

                with Image.open(source) as im:
                    width, height = im.size
        except OSError:
            return tag
        url_of = lambda target: src.replace(rel, target) if rel in src else f"{siteurl}/{target}"  # noqa: E731
        new = dict(attrs)
        caption = new.pop("title", "")
        if suffix in RASTER and width > max_width:
            height = round(height * max_width / width)
            width = max_width
            target = resized_name(rel, width)
            jobs.append(Resize(source, target, width, height))
            new["src"] = url_of(target)
        new.setdefault("width", str(width))
        new.setdefault("height", str(height))
        new.setdefault("loading", "lazy")
        new.setdefault("decoding", "async")
        img = "<img " + " ".join(f'{k}="{escape(v)}"' for k, v in new.items()) + ">"
        if suffix in RASTER:
            sources = []
            for kind, ending in MODERN:
                widths = [width] + ([width // 2] if width // 2 >= 320 else [])
                parts = []
                for w in widths:
                    target = resized_name(rel, w, ending)
                    jobs.append(Resize(source, target, w, round(height * w / width)))
                    parts.append(f"{url_of(target)} {w}w")
                sources.append(f'<source type="{kind}" srcset="{escape(", ".join(parts))}" sizes="{SIZES}">')
            img = "<picture>" + "".join(sources) + img + "</picture>"
        if caption:
            img = f'<figure class="clinic-figure">{img}<figcaption>{escape(caption)}</figcaption></figure>'
        return img

    html = IMG.sub(fix, html)
    # a figure cannot sit in a paragraph: Markdown's <p> around an image alone goes
    return FIGURE_IN_P.sub(r"\1", html), jobs


FIGURE_IN_P = re.compile(r"<p>\s*(<figure class=\"clinic-figure\">.*?</figure>)\s*</p>", re.S)
