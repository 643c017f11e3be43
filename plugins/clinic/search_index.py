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

A large site is indexed in parts (plan()): Pagefind holds about 280 KB of
memory for every page it indexes (measured: 286 MB for 1,013 pages), so
5,000 articles took 1.4 GB in one run. Each part of at most
CLINIC_SEARCH_PAGES_PER_INDEX pages is a bundle of its own (pagefind/ and
pagefind/part-2/, part-3/, ...), indexed one after another by one runner
(pagefind_runs.py) so that only one Pagefind is in memory at a time. The
search page lists the other bundles and search.js merges them into the
first with Pagefind's mergeIndex: results and filters come from all of
them, at the cost of a few more small requests per search on such a site.
A site of fewer pages than that (the clinic's own) has one bundle, as before.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from .problems import Problem

_running: dict[str, tuple[subprocess.Popen, object]] = {}  # by output folder
_background: list[subprocess.Popen] = []  # dev-server indexing still running


def _key(output) -> str:
    return str(Path(output).resolve())


_globs: dict[str, str] = {}  # by output folder: the files that can hold searchable pages
_plans: dict[str, list[list[str]]] = {}  # by output folder: the pages of each bundle, when there are several

PART_PREFIX = "part-"
MAX_GLOB = 100_000  # characters; one argument may be at most 128 KiB on Linux
_GLOB_SPECIAL = re.compile(r"([\\*?\[\]{},!])")


def bundles(count: int) -> list[str]:
    """The folders (relative to output/) of `count` bundles: pagefind, pagefind/part-2, ..."""
    return ["pagefind"] + [f"pagefind/{PART_PREFIX}{i}" for i in range(2, count + 1)]


def file_glob(paths: list[str]) -> str:
    """A Pagefind --glob that matches exactly these files."""
    return "{" + ",".join(_GLOB_SPECIAL.sub(r"\\\1", p) for p in paths) + "}"


def plan(save_as: list[str], per_index: int, max_glob: int = MAX_GLOB) -> list[list[str]]:
    """The searchable pages in bundles of at most per_index pages, as even as can
    be, each one's glob short enough to pass to Pagefind. One bundle (or none)
    means the site is indexed in one run."""
    pages = sorted({p.replace("\\", "/") for p in save_as})
    if not pages:
        return []
    count = max(1, math.ceil(len(pages) / max(1, per_index)))
    while True:
        size = math.ceil(len(pages) / count)
        parts = [pages[i:i + size] for i in range(0, len(pages), size)]
        if len(parts) == 1 or all(len(file_glob(part)) <= max_glob for part in parts):
            return parts
        count += 1


@lru_cache(maxsize=1)
def executable() -> str:
    """The Pagefind binary that pagefind[bin] installs, started directly:
    `python -m pagefind` only finds this file and runs it, after starting Python
    and importing asyncio (about 0.1 s of CPU per run, two runs at 1,000
    articles, at the end of the build, where nothing else is left to do)."""
    from pagefind_bin import get_executable
    return str(get_executable().resolve())


def _pagefind(output: Path) -> list[str]:
    return [executable(), "--site", str(output), "--quiet"]


def command(output: Path) -> list[str]:
    """Pagefind on the whole site, in one run (one bundle)."""
    glob = _globs.get(_key(output))
    return _pagefind(output) + (["--glob", glob] if glob else [])


def commands(output: Path) -> list[list[str]]:
    """One Pagefind run for each bundle of this site."""
    parts = _plans.get(_key(output))
    if parts and len(parts) > 1:
        return part_commands(output, parts)
    return [command(output)]


def part_commands(output: Path, parts: list[list[str]], into: str | None = None) -> list[list[str]]:
    """One Pagefind run for each part of a plan(); into: a folder of output/ to
    write the bundles under instead (tools/bench.py, which indexes a built site again)."""
    runs = []
    for folder, part in zip(bundles(len(parts)), parts):
        subdir = f"{into}/{folder}" if into else (None if folder == "pagefind" else folder)
        runs.append(_pagefind(output) + ["--glob", file_glob(part)] + (["--output-subdir", subdir] if subdir else []))
    return runs


def bundles_in(output: Path) -> list[Path]:
    """The bundles on disk: output/pagefind, then its parts (pagefind/part-2, ...)."""
    return [Path(output) / "pagefind"] + sorted(Path(output).glob(f"pagefind/{PART_PREFIX}*"))


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


def _launch(output: Path, stderr) -> subprocess.Popen:
    """Start indexing: Pagefind itself for one bundle, the runner for several.
    Its own process group, so that stop() also ends a Pagefind the runner started."""
    runs = commands(output)
    # A part this plan has no more (the dev server's site got smaller) goes; the
    # others are written over, as Pagefind does with its files: deleting and
    # making them all again on every rebuild cost 578 files at 1,000 articles,
    # and on some file systems files made just after others were deleted cost
    # several times more (tools/bench.py).
    wanted = {Path(output) / folder for folder in bundles(len(runs))}
    for old in bundles_in(output)[1:]:
        if old not in wanted:
            shutil.rmtree(old, ignore_errors=True)
    if len(runs) == 1:
        return subprocess.Popen(runs[0], stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
    listing = tempfile.TemporaryFile()
    listing.write(json.dumps(runs).encode("utf-8"))
    listing.seek(0)
    runner = Path(__file__).with_name("pagefind_runs.py")
    try:
        return subprocess.Popen([sys.executable, str(runner)], stdin=listing, stdout=subprocess.DEVNULL,
                                stderr=stderr, start_new_session=True)
    finally:
        listing.close()


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            proc.kill()
    proc.wait()


def start(output: Path) -> None:
    wait_for_background()
    stop(output)
    err = tempfile.TemporaryFile()  # a file, not a pipe: a long message cannot block Pagefind
    _running[_key(output)] = (_launch(output, err), err)


def started(output: Path) -> bool:
    return _key(output) in _running


def stop(output: Path) -> None:
    """Kill an index still running for this folder (a build that failed)."""
    found = _running.pop(_key(output), None)
    if found is not None:
        proc, err = found
        _kill(proc)
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
        _background.append(_launch(output, subprocess.DEVNULL))
        return []
    start(output)
    return finish(output)


def indexed_pages(output: Path) -> int:
    """Pages in the index (every bundle of it), from Pagefind's own entry files."""
    total = 0
    for folder in bundles_in(output):
        try:
            entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
            total += sum(lang.get("page_count", 0) for lang in entry.get("languages", {}).values())
        except (OSError, ValueError, AttributeError):
            return -1
    return total


def part_urls(output: Path, siteurl: str) -> list[str]:
    """The addresses of this build's other bundles, for the search page to merge."""
    parts = _plans.get(_key(output)) or []
    return [f"{siteurl}/{folder}/" for folder in bundles(len(parts))[1:]]


def forget(pelican) -> None:
    """initialized: a new build works out its own glob and plan (a build that stopped early left them)."""
    _globs.pop(_key(pelican.output_path), None)
    _plans.pop(_key(pelican.output_path), None)


def _searchable(context) -> list[str]:
    return [save_as for key in ("articles", "pages", "hidden_pages") for obj in context.get(key, []) or []
            if (save_as := getattr(obj, "save_as", None))]  # once each: Pelican works it out on every use


def plan_bundles(generators) -> None:
    """all_generators_finalized, before any page is written: how many bundles the
    index will have, so the search page can name them (clinic_search_parts)."""
    if not generators:
        return
    g = generators[0]
    parts = plan(_searchable(g.context), g.settings.get("CLINIC_SEARCH_PAGES_PER_INDEX", 600))
    _plans[_key(g.output_path)] = parts
    g.context["clinic_search_parts"] = part_urls(Path(g.output_path), g.settings.get("SITEURL", ""))


def on_pages_written(generator, writer=None) -> None:
    """page_writer_finalized: every searchable page is on disk."""
    pages = _searchable(generator.context)
    glob = searchable_glob(pages)
    if glob:  # forget() cleared the last build's
        _globs[_key(generator.output_path)] = glob
    if generator.settings.get("CLINIC_SEARCH_INDEX_EARLY"):
        start(Path(generator.output_path))
