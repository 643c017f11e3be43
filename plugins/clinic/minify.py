"""Finish each page as Pelican writes it (production builds): minify the HTML,
then hand it to the background compressor.

minify-html is a maintained minifier; closing tags are kept so that every
parser (and every test) sees the same tree as the unminified page.
"""

from __future__ import annotations

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


def start(pelican) -> None:
    """A compressor for this build, if it compresses (publishconf.py)."""
    s = pelican.settings
    key = str(Path(s["OUTPUT_PATH"]).resolve())
    old = _compressors.pop(key, None)
    if old is not None:  # a build that stopped early; its copies are overwritten anyway
        old.pool.shutdown(wait=True)
    if s.get("CLINIC_PRECOMPRESS"):
        _compressors[key] = Background(s.get("PRECOMPRESS_TEXT_EXTENSIONS", []), s.get("PRECOMPRESS_MIN_SIZE", 512))


def finish(output: Path) -> set[Path]:
    """Wait for the pages handed over during the build; the files compressed."""
    compressor = _compressors.pop(str(Path(output).resolve()), None)
    return compressor.wait() if compressor is not None else set()


def on_content_written(path, context):
    minifying = context.get("CLINIC_MINIFY") and str(path).endswith(".html")
    compressor = _compressors.get(str(Path(context["OUTPUT_PATH"]).resolve()))
    if not minifying and compressor is None:
        return
    p = Path(path)
    data = p.read_bytes()
    if minifying:
        data = minify(data.decode("utf-8")).encode("utf-8")
        p.write_bytes(data)
    if compressor is not None:
        compressor.submit(p.resolve(), data)
