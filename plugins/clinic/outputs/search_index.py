"""The Pagefind search index (pagefind[bin] ships the binary).

A production build starts Pagefind as soon as the last searchable page is
written (Pelican's page_writer_finalized: articles and pages are the only
pages with data-pagefind-body), so that it indexes on the second core while
Pelican writes the browse pages and the build checks the links. The build
then waits for it (finish) and checks that the index holds every page that
asks to be searchable, so a page written too late cannot silently go
missing from search.

The dev server indexes after the build instead, in the background
(background=True): the pages are shown at once, search a moment later. It
indexes again only the bundles that need it (stale()): after an edit to one
article, one bundle of a large site instead of all of them.

A large site is indexed in parts (plan()): Pagefind holds about 280 KB of
memory for every page it indexes, too much for thousands of pages in one
run. Each part of at most
CLINIC_SEARCH_PAGES_PER_INDEX pages is a bundle of its own (pagefind/ and
pagefind/part-2/, part-3/, ...), indexed one after another by one runner
(pagefind_runs.py, which runs every indexing and puts each bundle in a
fixed order, so the same pages give the same files) so that only one
Pagefind is in memory at a time. The
search page lists the other bundles and search.js merges them into the
first with Pagefind's mergeIndex: results and filters come from all of
them, at the cost of a few more small requests per search on such a site.
A site of fewer pages than that (the clinic's own) has one bundle, as before.

A publish keeps the bundles of the last publish made from the same page
files (keep, set by the build: speed/search_reuse.py) and starts Pagefind
only for the others, or not at all.
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
import weakref
from functools import lru_cache, partial
from pathlib import Path

from ..model.problems import Problem
from ..model.stamps import digest, file_state

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


def plan_languages(save_as: list[str], per_index: int, languages=(), max_glob: int = MAX_GLOB) \
        -> tuple[list[list[str]], dict[str, list[int]]]:
    """plan(), for a site in several languages (a translation's page is under
    es/): each language's pages in their own bundles, since a search page
    merges the bundles of its language only (Pagefind would search a bundle
    without that language in another one). The first bundle, which every
    search page loads, holds the first part of every language. Returns the
    bundles and, for each language ("" = the site's), the numbers of the
    others it merges."""
    by_lang: dict[str, list[str]] = {}
    for page in sorted({p.replace("\\", "/") for p in save_as}):
        top = page.split("/", 1)[0]
        by_lang.setdefault(top if top in languages and "/" in page else "", []).append(page)
    if len(by_lang) <= 1 or sum(map(len, by_lang.values())) <= per_index:
        parts = plan(save_as, per_index, max_glob)  # one bundle holds every language's own index
        return parts, {lang: list(range(1, len(parts))) for lang in by_lang}
    # The first bundle stays within per_index: one page of each other language is
    # enough for it to hold that language's index, and the site's own language
    # keeps the rest of the room (each bundle ranks its own pages).
    first, rest = [], []
    for lang, pages in sorted(by_lang.items()):
        share = max(1, per_index - (len(by_lang) - 1)) if lang == "" else 1
        first += pages[:share]
        rest += [(lang, part) for part in plan(pages[share:], per_index, max_glob)]
    merged = {lang: [i for i, (owner, _) in enumerate(rest, start=1) if owner == lang] for lang in by_lang}
    return [sorted(first)] + [part for _, part in rest], merged


@lru_cache(maxsize=1)
def executable() -> str:
    """The Pagefind binary that pagefind[bin] installs, started directly:
    `python -m pagefind` only finds this file and runs it, after starting Python
    and importing asyncio, at the end of the build where nothing else is left to do."""
    from pagefind_bin import get_executable
    return str(get_executable().resolve())


def _pagefind(output: Path) -> list[str]:
    return [executable(), "--site", str(output), "--quiet"]


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


ENTRY = "pagefind-entry.json"  # Pagefind writes it last, in every bundle


def searchable_pages(context) -> list[str]:
    """The pages search indexes: the articles and pages, and their translations
    (Pagefind keeps one index per language, by each page's <html lang>)."""
    objects = [obj for key in ("articles", "pages", "hidden_pages") for obj in context.get(key, []) or []]
    objects += [t for obj in objects for t in getattr(obj, "translations", None) or [] if t.status == obj.status]
    return [save_as for obj in objects
            if (save_as := getattr(obj, "save_as", None))]  # once each: Pelican works it out on every use


def _page_now(path: str, last: tuple | None) -> tuple:
    """(file state, digest of its bytes) of a page; the digest is read again only
    when the state is not the one last seen (a page rendered again, often to the
    same bytes: after a title edit, every page is rendered but few change)."""
    state = file_state(path)
    if last is not None and last[0] == state:
        return last
    try:
        with open(path, "rb") as f:
            return state, digest(f.read())
    except OSError:
        return state, None


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            proc.kill()
    proc.wait()


def _runner() -> list[str]:
    return [sys.executable, str(Path(__file__).with_name("pagefind_runs.py"))]


class _ReadyRunner:
    """A runner started ahead of its runs, waiting on its standard input (a pipe).
    The build forks (speed/parallel_read.py, parallel_write.py): a forked
    process closes its copy of the pipe at once, or the runner would wait for
    the end of its input until that process ended too. Each runner registers
    its own hook (Python cannot remove one), holding it only weakly: one
    publish, one small hook."""

    def __init__(self):
        self.err = tempfile.TemporaryFile()  # a file, not a pipe: a long message cannot block Pagefind
        self.proc = subprocess.Popen(_runner(), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self.err,
                                     start_new_session=True)
        os.register_at_fork(after_in_child=partial(_close_input, weakref.ref(self)))

    def close(self, keep_err: bool = False) -> None:
        """Never given its runs: it ends (and the pipe with it)."""
        _close_input(weakref.ref(self))
        _kill(self.proc)
        if not keep_err:
            self.err.close()


def _close_input(ref) -> None:
    ready = ref()
    if ready is not None:
        try:
            ready.proc.stdin.close()
        except (OSError, ValueError):
            pass


class SearchMemory:
    """The dev server's indexing, kept between rebuilds: the runs still going in
    the background, and for each output folder and bundle the pages a run that
    ended well made it from, each page's file state and bytes' digest when the
    run started, and the state of the entry file it left. Written by hand:
    Pagefind has no incremental mode, and indexing every bundle of a large site
    again after each one-sentence edit kept a core busy for seconds."""

    def __init__(self):
        self.background: list[tuple[subprocess.Popen, str, dict[str, tuple]]] = []
        self.made: dict[str, dict[str, tuple[tuple[str, ...], dict[str, tuple], tuple | None]]] = {}
        # what must follow the index, once it is on disk (tools/build.py: the host
        # files, which name its metadata file)
        self.then: list = []

    def wait(self) -> None:
        """Let the background indexing end; the bundles of a run that ended well
        count as made (a run that failed, or was stopped, is made again next time)."""
        ended_well = True
        for proc, key, making in self.background:
            if proc.wait() == 0:
                made = self.made.setdefault(key, {})
                for folder, (pages, pages_now) in making.items():
                    made[folder] = (pages, pages_now, file_state(os.path.join(key, folder, ENTRY)))
            else:
                ended_well = False
        self.background.clear()
        then, self.then = self.then, []
        if ended_well:
            for step in then:
                step()

    def poll(self) -> None:
        """wait(), if the background indexing has ended: the dev server asks while
        it watches for the next change, so it need not wait before watching."""
        if (self.background or self.then) and all(proc.poll() is not None for proc, _, _ in self.background):
            self.wait()


class SearchIndex:
    """One build's search index: which files can hold searchable pages (the
    glob), how they are split into bundles (the plan), and the Pagefind run
    started for it."""

    def __init__(self, output, per_index: int, memory: SearchMemory):
        self.output = Path(output)
        self.key = os.path.realpath(output)
        self.per_index = per_index
        self.memory = memory
        self.glob: str | None = None
        self.parts: list[list[str]] = []
        self.merged: dict[str, list[int]] = {}  # language -> the bundles its search page merges
        self.running: tuple[subprocess.Popen | None, object] | None = None  # None: every bundle was kept
        self.ready: _ReadyRunner | None = None  # a runner started ahead (prepare())
        # a publish: puts in place the bundles of the last publish made from the same page
        # files (speed/search_reuse.py); (folders, parts, commands) -> (their numbers, files)
        self.keep = None
        self.kept: set[int] = set()  # the bundles put in place, not indexed
        self.linked: set[str] = set()  # their files (with their .gz and .br copies)

    # -- the plan, from Pelican's context --------------------------------------------
    def plan_bundles(self, context, siteurl: str, languages=()) -> dict[str, list[str]]:
        """Before any page is written: how many bundles the index will have; for
        each language ("" = the site's), the addresses of the others its search
        page merges (clinic_search_parts)."""
        self.parts, self.merged = plan_languages(searchable_pages(context), self.per_index, languages)
        return {lang: self.part_urls(siteurl, lang) for lang in self.merged}

    def part_urls(self, siteurl: str, lang: str = "") -> list[str]:
        folders = bundles(len(self.parts))
        wanted = self.merged.get(lang, range(1, len(folders))) if self.merged else range(1, len(folders))
        return [f"{siteurl}/{folders[i]}/" for i in wanted]

    def pages_written(self, context, start: bool) -> None:
        """Every searchable page is on disk: Pagefind may read only their folders,
        and, in a production build, start at once."""
        self.glob = searchable_glob(searchable_pages(context))
        if start:
            self.start()

    # -- the runs ----------------------------------------------------------------------
    def command(self) -> list[str]:
        """Pagefind on the whole site, in one run (one bundle)."""
        return _pagefind(self.output) + (["--glob", self.glob] if self.glob else [])

    def commands(self) -> list[list[str]]:
        """One Pagefind run for each bundle of this site."""
        if len(self.parts) > 1:
            return part_commands(self.output, self.parts)
        return [self.command()]

    def stale(self) -> list[tuple[str, list[str], tuple[str, ...] | None, dict[str, tuple]]]:
        """The bundles the dev server must index again, as (folder, Pagefind command,
        its pages, their _page_now()): each one some page of which is not what the
        bundle was made from, or whose pages (the plan) changed, or whose entry
        file is not the one its run left (deleted, or written by another run). A
        site without a plan (no Pelican build) is always indexed whole."""
        runs = self.commands()
        folders = bundles(len(runs))
        made = self.memory.made.setdefault(self.key, {})
        for gone in set(made) - set(folders):
            del made[gone]
        todo = []
        for i, (folder, command) in enumerate(zip(folders, runs)):
            last = made.pop(folder, None)  # put back below only if the bundle is up to date
            if len(self.parts) != len(runs):
                todo.append((folder, command, None, {}))
                continue
            pages = tuple(self.parts[i])
            before = last[1] if last is not None and last[0] == pages else {}
            pages_now = {page: _page_now(os.path.join(self.key, page), before.get(page)) for page in pages}
            same = all(pages_now[page][1] is not None and pages_now[page][1] == before[page][1]
                       for page in pages) if before else False  # the bytes, whatever the file's times
            if same and last[2] is not None and last[2] == file_state(os.path.join(self.key, folder, ENTRY)):
                made[folder] = (pages, pages_now, last[2])  # the new file states: no reading next time
            else:
                todo.append((folder, command, pages, pages_now))
        return todo

    def _launch(self, stderr, only: list[list[str]] | None = None,
                ready: _ReadyRunner | None = None) -> subprocess.Popen:
        """Start indexing through the runner (pagefind_runs.py), which also puts each
        bundle in a fixed order. Its own process group, so that stop() also ends
        the Pagefind the runner started. ready: a runner started ahead
        (prepare()), given the runs instead of starting another.
        only: the runs to start, of commands() (the dev server's stale bundles)."""
        runs = self.commands()
        # A part this plan has no more (the dev server's site got smaller) goes; the
        # others are written over, as Pagefind does with its files: deleting and
        # making them all again on every rebuild costs hundreds of files, and on
        # some file systems files made just after others were deleted cost
        # several times more (tools/bench.py).
        wanted = {self.output / folder for folder in bundles(len(runs))}
        for old in bundles_in(self.output)[1:]:
            if old not in wanted:
                shutil.rmtree(old, ignore_errors=True)
        runs = runs if only is None else only
        listing = json.dumps(runs).encode("utf-8")
        if ready is not None:
            try:
                with ready.proc.stdin as pipe:  # closed: the runner reads to its end
                    pipe.write(listing)
                return ready.proc
            except OSError:  # it ended (killed, say): a new runner, as below
                ready.close(keep_err=True)
        with tempfile.TemporaryFile() as file:
            file.write(listing)
            file.seek(0)
            return subprocess.Popen(_runner(), stdin=file, stdout=subprocess.DEVNULL, stderr=stderr,
                                    start_new_session=True)

    def prepare(self) -> None:
        """A production build, at its start: the runner starts now and waits for its
        runs, so that its start (a Python process: about 30 ms, measured with
        /usr/bin/time on an empty list) is over before the pages are written,
        instead of between the last searchable page and Pagefind."""
        if self.ready is None:
            self.ready = _ReadyRunner()

    def start(self) -> None:
        self.memory.wait()
        if self.running is not None:
            self.stop()
        ready, self.ready = self.ready, None
        # a file, not a pipe: a long message cannot block Pagefind
        err = ready.err if ready is not None else tempfile.TemporaryFile()
        runs = self.commands()
        if self.keep is not None:
            self.kept, self.linked = self.keep(bundles(len(runs)), self.parts, runs)
        if self.kept and len(self.kept) == len(runs):
            if ready is not None:
                ready.close(keep_err=True)
            self.running = (None, err)
            return
        only = [run for number, run in enumerate(runs) if number not in self.kept] if self.kept else None
        self.running = (self._launch(err, only, ready=ready), err)

    @property
    def started(self) -> bool:
        return self.running is not None

    def stop(self) -> None:
        """Kill an index still running (a build that failed)."""
        found, self.running = self.running, None
        if found is not None:
            proc, err = found
            if proc is not None:
                _kill(proc)
            err.close()
        ready, self.ready = self.ready, None
        if ready is not None:  # never given its runs (the build failed before its pages)
            ready.close()

    def finish(self, searchable: int | None = None) -> list[Problem]:
        """Wait for the index started; its problems. `searchable` is the number of
        pages marked data-pagefind-body in the built site."""
        (proc, err), self.running = self.running, None
        status = proc.wait() if proc is not None else 0
        err.seek(0)
        message = err.read().decode("utf-8", "replace").strip()
        err.close()
        if status != 0:
            return [Problem("search index", None, "pagefind", (message or f"exit status {status}")[:300],
                            "run `make html` and read Pagefind's message")]
        if searchable is not None:
            indexed = indexed_pages(self.output)
            if indexed != searchable:
                return [Problem("search index", None, "pagefind",
                                f"holds {indexed} pages but {searchable} pages are marked searchable",
                                "a searchable page was written after the index started; report this as a build bug")]
        return []

    def run(self, background: bool = False) -> list[Problem]:
        """Index a finished site now (or in the background, for the dev server)."""
        self.memory.wait()
        if background:
            todo = self.stale()
            if todo:
                making = {folder: (pages, pages_now) for folder, _, pages, pages_now in todo if pages is not None}
                proc = self._launch(subprocess.DEVNULL, [command for _, command, _, _ in todo])
                self.memory.background.append((proc, self.key, making))
            return []
        self.start()
        return self.finish()
