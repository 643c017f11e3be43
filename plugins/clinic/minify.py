"""Finish each page as Pelican writes it (production builds): minify the HTML,
then hand it to the background compressor.

minify-html is a maintained minifier; closing tags are kept so that every
parser (and every test) sees the same tree as the unminified page.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import minify_html

from .compress import Background


def minify(html: str) -> str:
    return minify_html.minify(html, keep_closing_tags=True, keep_html_and_head_opening_tags=True,
                              minify_css=False, minify_js=False)


# This build's compressor, by output folder. Not kept in the settings: Pelican's
# content cache pickles the settings with every article, and a thread pool
# cannot be pickled.
_compressors: dict[str, Background] = {}


@lru_cache(maxsize=64)
def _key(output) -> str:
    return os.path.realpath(output)


def start(pelican) -> None:
    """A compressor for this build, if it compresses (publishconf.py)."""
    s = pelican.settings
    key = _key(s["OUTPUT_PATH"])
    old = _compressors.pop(key, None)
    if old is not None:  # a build that stopped early; its copies are overwritten anyway
        old.pool.shutdown(wait=True)
    if s.get("CLINIC_PRECOMPRESS"):
        _compressors[key] = Background(s.get("PRECOMPRESS_TEXT_EXTENSIONS", []), s.get("PRECOMPRESS_MIN_SIZE", 512))


def finish(output: Path) -> set[Path]:
    """Wait for the pages handed over during the build; the files compressed."""
    compressor = _compressors.pop(_key(str(output)), None)
    return compressor.wait() if compressor is not None else set()


def on_content_written(path, context):
    minifying = context.get("CLINIC_MINIFY") and str(path).endswith(".html")
    compressor = _compressors.get(_key(context["OUTPUT_PATH"]))
    if not minifying and compressor is None:
        return
    p = Path(path)
    data = p.read_bytes()
    if minifying:
        data = minify(data.decode("utf-8")).encode("utf-8")
        p.write_bytes(data)
    if compressor is not None:
        compressor.submit(p, data)  # the same form of path as precompress() finds (a copy made twice is only slower)
