"""The Pagefind search index (pagefind[bin] ships the binary).

A production build starts Pagefind as soon as the last searchable page is
written (Pelican's page_writer_finalized: articles and pages are the only
pages with data-pagefind-body), so that it indexes on the second core while
Pelican writes the browse pages and the build checks the links. The build
then waits for it (finish) and checks that the index holds every page that
asks to be searchable, so a page written too late cannot silently go
missing from search.

The dev server indexes after the build instead, in the background
(background=True): the pages are shown at once, search a moment later.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from .problems import Problem

_running: dict[str, tuple[subprocess.Popen, object]] = {}  # by output folder
_background: list[subprocess.Popen] = []  # dev-server indexing still running


def _key(output) -> str:
    return str(Path(output).resolve())


_globs: dict[str, str] = {}  # by output folder: the files that can hold searchable pages


def command(output: Path) -> list[str]:
    glob = _globs.get(_key(output))
    return [sys.executable, "-m", "pagefind", "--site", str(output), "--quiet"] + (["--glob", glob] if glob else [])


def searchable_glob(save_as: list[str]) -> str | None:
    """A Pagefind --glob for the top-level folders (and files) that hold these pages.

    Only articles and pages carry data-pagefind-body; Pagefind would otherwise
    parse every browse page too, only to skip it (about a third of its work
    on a large site). finish() still checks the index holds every searchable page."""
    parts = set()
    for path in save_as:
        top, sep, _ = path.replace("\\", "/").partition("/")
        parts.add(f"{top}/**/*.html" if sep else top)
    return "{" + ",".join(sorted(parts)) + "}" if parts else None


def wait_for_background() -> None:
    for proc in _background:
        proc.wait()
    _background.clear()


def start(output: Path) -> None:
    wait_for_background()
    stop(output)
    err = tempfile.TemporaryFile()  # a file, not a pipe: a long message cannot block Pagefind
    _running[_key(output)] = (subprocess.Popen(command(output), stdout=subprocess.DEVNULL, stderr=err), err)


def started(output: Path) -> bool:
    return _key(output) in _running


def stop(output: Path) -> None:
    """Kill an index still running for this folder (a build that failed)."""
    found = _running.pop(_key(output), None)
    if found is not None:
        proc, err = found
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        err.close()


def finish(output: Path, searchable: int | None = None) -> list[Problem]:
    """Wait for the index started for this folder; its problems. `searchable`
    is the number of pages marked data-pagefind-body in the built site."""
    proc, err = _running.pop(_key(output))
    status = proc.wait()
    err.seek(0)
    message = err.read().decode("utf-8", "replace").strip()
    err.close()
    if status != 0:
        return [Problem("search index", None, "pagefind", (message or f"exit status {status}")[:300],
                        "run `make html` and read Pagefind's message")]
    if searchable is not None:
        indexed = indexed_pages(output)
        if indexed != searchable:
            return [Problem("search index", None, "pagefind",
                            f"holds {indexed} pages but {searchable} pages are marked searchable",
                            "a searchable page was written after the index started; report this as a build bug")]
    return []


def run(output: Path, background: bool = False) -> list[Problem]:
    """Index a finished site now (or in the background, for the dev server)."""
    wait_for_background()
    if background:
        _background.append(subprocess.Popen(command(output), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        return []
    start(output)
    return finish(output)


def indexed_pages(output: Path) -> int:
    """Pages in the index, from Pagefind's own entry file."""
    try:
        entry = json.loads((Path(output) / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
        return sum(lang.get("page_count", 0) for lang in entry.get("languages", {}).values())
    except (OSError, ValueError, AttributeError):
        return -1


def forget(pelican) -> None:
    """initialized: a new build works out its own glob (a build that stopped early left one)."""
    _globs.pop(_key(pelican.output_path), None)


def on_pages_written(generator, writer=None) -> None:
    """page_writer_finalized: every searchable page is on disk."""
    ctx = generator.context
    pages = [obj.save_as for key in ("articles", "pages", "hidden_pages") for obj in ctx.get(key, []) or []
             if getattr(obj, "save_as", None)]
    glob = searchable_glob(pages)
    if glob:  # forget() cleared the last build's
        _globs[_key(generator.output_path)] = glob
    if generator.settings.get("CLINIC_SEARCH_INDEX_EARLY"):
        start(Path(generator.output_path))
