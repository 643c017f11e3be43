"""Pelican's content cache, in a folder that names everything it depends on.

With CACHE_CONTENT and LOAD_CONTENT_CACHE on, Pelican keeps each Markdown
file's HTML and metadata in the cache folder, and the next build converts
again only the files whose contents changed (CHECK_MODIFIED_METHOD). That is
most of the time a build spends reading. But Pelican checks only the file:
not the settings (MARKDOWN's extensions), not the code of the plugin's
Markdown extensions, not the versions of Python, Pelican, Markdown and
Pygments that made the HTML. Its documentation leaves that to whoever runs
it (`pelican --ignore-cache`); a webmaster cannot be expected to know when.

So every build that asks for the content cache keeps it in a folder named
for all of these (stamp()): cache/content/<stamp>/. A change to any of them
starts from an empty folder, and nothing made by other code or settings is
ever read. The dev server and `make publish` have different settings, so
each keeps its own.

Pelican writes its cache file in place: a build stopped while writing it
(killed, or the power cut) would leave half a file for the next build to
fail on. So a folder's cache is kept only if the last build that used it
finished: the file `complete` is removed when a build starts and written
when it ends (finished()); a folder without it is emptied first.

Written by hand: Pelican's cache has no such check, and no maintained plugin
adds one.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import sys
from pathlib import Path

from .incremental import settings_text

# Settings that name this run's own folders or switch the cache itself: they
# do not change what reading a file gives.
NOT_IN_STAMP = ("OUTPUT_PATH", "CACHE_PATH", "CACHE_CONTENT", "LOAD_CONTENT_CACHE", "GZIP_CACHE")
# The libraries whose versions change the HTML Pelican reads Markdown into, and
# (for the pages a publish copies from the last one, reuse.py) the pages' HTML:
# templates, dates and languages' names, minifying, images' sizes, .br copies.
LIBRARIES = ("pelican", "markdown", "pygments", "jinja2", "markupsafe", "babel", "minify-html", "pillow", "brotli")
KEEP = 4  # folders kept: the dev server's, make publish's and a few before a change
COMPLETE = "complete"
SUBFOLDER = "content"


def code_digest(package: Path) -> str:
    """A digest of every Python file of the plugin (its Markdown extensions among them)."""
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def library_versions() -> str:
    versions = []
    for name in LIBRARIES:
        try:
            versions.append(f"{name}={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name}=?")
    return " ".join(versions)


def markdown_as_read(markdown: dict) -> dict:
    """MARKDOWN as Pelican's MarkdownReader completes it (in place, the first
    time it reads): every configured extension listed, and the meta one. So
    the stamp is the same before that and after, as in a dev server's second
    build."""
    extensions = list(markdown.get("extensions") or [])
    for name in [*(markdown.get("extension_configs") or {}), "markdown.extensions.meta"]:
        if name not in extensions:
            extensions.append(name)
    return {**markdown, "extensions": extensions}


def stamp(settings: dict, settings_files: list[tuple[str, str]], code: str, versions: str,
          python: str = sys.version) -> str:
    """What a cached reading depends on besides the file itself, as one name:
    the plain settings (but the run's folders), the settings files' text (a
    value that is not plain data), the plugin's code, the libraries' versions
    and Python's."""
    h = hashlib.blake2b(digest_size=12)
    kept = {k: v for k, v in settings.items() if k not in NOT_IN_STAMP}
    if isinstance(kept.get("MARKDOWN"), dict):
        kept["MARKDOWN"] = markdown_as_read(kept["MARKDOWN"])
    h.update(settings_text(kept).encode())
    for name, text in sorted(settings_files):
        h.update(f"\0{name}\0{text}".encode())
    h.update(f"\0{code}\0{versions}\0{python}".encode())
    return h.hexdigest()


class ContentCache:
    """One build's folder of Pelican's content cache."""

    def __init__(self, root: Path, name: str):
        self.folder = Path(root) / SUBFOLDER / name
        self.loaded = False  # whether this build loads what the folder holds

    def open(self, settings: dict) -> bool:
        """Point Pelican at this folder and mark it in use. What it holds is
        kept only if the build that last used it finished; otherwise it is
        emptied, and Pelican starts from an empty cache (its first run's way).
        Whether this build loads a cache (self.loaded)."""
        complete = self.folder / COMPLETE
        trusted = complete.is_file()
        self.folder.mkdir(parents=True, exist_ok=True)
        complete.unlink(missing_ok=True)
        if not trusted:
            for left in self.folder.iterdir():
                if left.is_file():
                    left.unlink()
        os.utime(self.folder)  # most recently used: kept by prune()
        settings["CACHE_PATH"] = str(self.folder)
        self.loaded = trusted and bool(settings.get("LOAD_CONTENT_CACHE"))
        self.prune()
        return self.loaded

    def finished(self) -> None:
        """The build ended: Pelican's cache file in this folder is whole."""
        try:
            (self.folder / COMPLETE).touch()
        except OSError:
            pass  # not marked: the next build empties the folder and reads every file

    def prune(self, keep: int = KEEP) -> None:
        """Remove the folders of all but the `keep` most recently used stamps."""
        others = [p for p in self.folder.parent.iterdir() if p.is_dir()]
        others.sort(key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in others[keep:]:
            if old != self.folder:
                shutil.rmtree(old, ignore_errors=True)


def for_build(settings: dict, settings_files: list[tuple[str, str]]) -> ContentCache | None:
    """The content cache of a build that asks for one (CACHE_CONTENT), set up
    in the settings before Pelican makes its readers; None otherwise."""
    if not settings.get("CACHE_CONTENT"):
        return None
    name = stamp(settings, settings_files, code_digest(Path(__file__).resolve().parents[1]), library_versions())
    cache = ContentCache(Path(settings["CACHE_PATH"]), name)
    try:
        cache.open(settings)
    except OSError:
        # a folder this build cannot keep (not writable, a file in its way), like
        # the build's other caches: every file is read and nothing is cached
        settings["CACHE_CONTENT"] = settings["LOAD_CONTENT_CACHE"] = False
        return None
    return cache
