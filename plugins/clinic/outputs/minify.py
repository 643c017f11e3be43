"""Finish each page as Pelican writes it (production builds): minify the HTML
before it is written (writer.py), then hand it to the background compressor.

minify-html is a maintained minifier; closing tags are kept so that every
parser (and every test) sees the same tree as the unminified page.
"""

from __future__ import annotations

from pathlib import Path

import minify_html

from .compress import Background
from .folders import key as _key


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
    key = _key(s["OUTPUT_PATH"])
    old = _compressors.pop(key, None)
    if old is not None:  # a build that stopped early; its copies are overwritten anyway
        old.pool.shutdown(wait=True)
    if s.get("CLINIC_PRECOMPRESS"):
        _compressors[key] = _compressor(s)


def _compressor(settings) -> Background:
    return Background(settings.get("PRECOMPRESS_TEXT_EXTENSIONS", []), settings.get("PRECOMPRESS_MIN_SIZE", 512))


def compressing(output) -> bool:
    return _key(str(output)) in _compressors


def finish(output: Path) -> set[str]:
    """Wait for the pages handed over during the build; the files compressed."""
    compressor = _compressors.pop(_key(str(output)), None)
    return compressor.wait() if compressor is not None else set()


_finished: dict[str, bytes] = {}  # path -> the bytes writer.py just wrote there
_elsewhere: set[str] = set()  # pages the build's other process writes (parallel_write.py)


def written(path: str, data: bytes) -> None:
    """writer.py wrote these bytes to path: the compressor takes them from here."""
    _finished[path] = data


def written_elsewhere(path: str) -> None:
    """The build's other process writes and compresses this page."""
    _elsewhere.add(path)


def restart_compressor(output, settings) -> None:
    """In a forked process: a compressor of its own (the parent's thread did not come along)."""
    key = _key(str(output))
    if key in _compressors:
        _compressors[key] = _compressor(settings)


def quiesce(output) -> None:
    """Let the compressor finish what it has, and its thread end, before a fork.
    A new thread starts with the next page handed to it."""
    compressor = _compressors.get(_key(str(output)))
    if compressor is not None:
        compressor.quiesce()


def add_compressed(output, paths) -> None:
    """Pages the other process compressed: not to be compressed again at the end."""
    compressor = _compressors.get(_key(str(output)))
    if compressor is not None:
        compressor.done.update(str(p) for p in paths)


def on_content_written(path, context):
    data = _finished.pop(str(path), None)
    if str(path) in _elsewhere:  # the other process writes and compresses it
        _elsewhere.discard(str(path))
        return
    compressor = _compressors.get(_key(context["OUTPUT_PATH"]))
    if compressor is None:
        return
    p = Path(path)
    if data is None:  # written by someone else's writer
        data = p.read_bytes()
    compressor.submit(p, data)  # the same form of path as precompress() finds (a copy made twice is only slower)
