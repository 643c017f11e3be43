"""Markdown and reading levels on the second core (production builds).

Turning Markdown into HTML is the largest single part of a build, in bare
Pelican too, and Pelican reads one file after another on one core. When the
articles generator starts, this module forks one worker process and offers it
every article file (BLOCK, below, says in which order); the reader below
takes the worker's HTML for the files it converted, and converts the ones
it has not started itself. Once the pages are decided (their shared blocks,
the clinic's number and their figures filled in), the worker also measures
their reading levels: the build hands it each page's visible text while it
checks the pages' HTML (pages/generator.py, finish()), so the readability
check finds each result already measured. It measured the Markdown's own
HTML before: that is not what a patient reads (every callout ends with the
clinic's number, filled in later), so no reading it made was ever used.

Only the conversion and the measuring move: the metadata is still parsed
here, by Pelican's own MarkdownReader code, because its values become
Pelican objects tied to this process's settings. A reading is stored under
the keys the readability check looks it up under (ReadingLevels.to_measure),
so a page measured there is never measured here. tests/test_parallel_read.py checks
that a build with the worker and one without it write the same bytes and the
same messages, and that this reader gives what Pelican's own gives.

Skipped when Pelican's content cache is loaded (the dev server, and a
publish after one that finished with the same settings and code: the files
it holds are not read at all, speed/content_cache.py) and for sites with fewer articles than
CLINIC_PARALLEL_READ_MIN, where starting a process costs more than it saves.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import types
from concurrent.futures import Future, ProcessPoolExecutor

from markdown import Markdown
from pelican import signals
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open

from ..checks import readability
from .forking import fork_is_safe

# Every article file is offered to the worker, in blocks of this many, each
# block last file first, while Pelican reads them first file first: a file
# the worker has not started when Pelican gets to it is converted here
# instead (its job is cancelled). So the two meet in the middle of each
# block whatever either one's speed, and neither waits for the other for
# more than a file or two (a fixed share left one of them idle, the one or the
# other depending on the machine's load). A block's finished pages wait
# here until Pelican reads them: about 50 at a time. A block is handed over
# when Pelican starts reading the one before it, so that the jobs waiting
# (a Future each) stay a few hundred on a site of any size.
BLOCK = 100

# The worker process's own Markdown and whether it measures, set once by _init
# when it starts: a process pool gives a worker no other place for them. The
# worker lives for one build, so this never outlives it.
_worker: dict = {}
# The worker measures pages in batches of this many, at most MEASURE_AHEAD
# batches handed over at a time: the texts wait here until they are sent, and
# on 5,000 articles all of them at once would be tens of MiB at the build's peak.
MEASURE_BATCH = 50
MEASURE_AHEAD = 2

# What _parse_metadata needs of a Markdown instance when no field is formatted:
# only to take the meta preprocessor out. Building a real one for that costs
# about 1.5 ms a file, as long as converting a short page.
_NO_FORMATTED_FIELDS = types.SimpleNamespace(
    preprocessors=types.SimpleNamespace(deregister=lambda name, strict=True: None))


def _init(markdown_settings: dict, measure: bool, data_dir: str | None) -> None:
    _worker["md"] = Markdown(**markdown_settings)
    _worker["measure"] = measure
    if measure:
        _worker["levels"] = readability.ReadingLevels(data_dir)
        _worker["levels"].table()


def convert(path: str) -> tuple[str, dict | None]:
    """In the worker: what MarkdownReader.read does before it parses the metadata."""
    md = _worker["md"]
    md.reset()
    with pelican_open(path) as text:
        html = md.convert(text)
    return html, getattr(md, "Meta", None)


def measure_texts(batch: list[tuple[str, str, str]]) -> list:
    """In the worker: the reading level of each (visible text, source, language)."""
    levels = _worker["levels"]
    return [levels.measure_text(text, source, lang=lang) for text, source, lang in batch]


class PrefetchingMarkdownReader(MarkdownReader):
    """Pelican's MarkdownReader, converting with one Markdown instance per
    reader (reset between files, as Markdown is meant to be reused) and taking
    the worker's HTML where it has it. ReadWorker.reader_class() makes one bound
    to a build's worker."""

    worker: "ReadWorker"

    def read(self, source_path):
        self._source_path = source_path
        html = self.worker.take(source_path)
        if html is not None:
            return html[0], self._metadata(html[1])
        md = getattr(self, "_converter", None)
        if md is None:
            md = self._converter = Markdown(**self.settings["MARKDOWN"])
        md.reset()
        with pelican_open(source_path) as text:
            html = md.convert(text)
        meta = getattr(md, "Meta", None)
        return html, self._metadata(meta)

    def _metadata(self, meta):
        if meta is None:
            return {}
        # _parse_metadata converts formatted fields with self._md (and takes
        # its meta preprocessor out, so the instance cannot convert a page again)
        self._md = Markdown(**self.settings["MARKDOWN"]) if self.settings["FORMATTED_FIELDS"] else _NO_FORMATTED_FIELDS
        return self._parse_metadata(meta)


class ReadWorker:
    """One build's Markdown worker: the jobs offered to it, in blocks, and the
    reading levels it measured, handed to `levels` (the build's ReadingLevels).
    Its three receivers are connected for the life of the build (connect(),
    disconnect()): Pelican's readers_init and article generator signals carry
    only the settings, so no other way leads from them to this build."""

    def __init__(self, levels: readability.ReadingLevels, enabled: bool, minimum: int, measure: bool,
                 data_dir: str | None):
        self.levels, self.enabled, self.minimum, self.measure, self.data_dir = \
            levels, enabled, minimum, measure, data_dir
        self.jobs: dict[str, Future] = {}  # absolute source path -> (html, raw metadata)
        self.blocks: list[list[str]] = []  # every block of article files, in Pelican's order
        self.block_of: dict[str, int] = {}  # article file -> its block's place in blocks
        self.handed = 0  # how many blocks the worker has been given
        self.readings: list[tuple[Future, list]] = []  # batches handed to the worker, with their pages' keys
        self.ahead = None  # the pages still to hand over: (visible text, keys, source, language)
        self.pool: ProcessPoolExecutor | None = None
        self.measuring = False  # this build checks reading levels (and the worker measures them)
        # files converted there / read here after it failed / readings measured there
        self.stats = {"worker": 0, "fallback": 0, "readings": 0}
        self._reader = type("BuildMarkdownReader", (PrefetchingMarkdownReader,), {"worker": self})

    def reader_class(self) -> type[PrefetchingMarkdownReader]:
        """Pelican's MarkdownReader bound to this worker."""
        return self._reader

    # -- Pelican's signals, for this build only --------------------------------------
    def connect(self) -> None:
        signals.readers_init.connect(self.use_reader)
        signals.article_generator_finalized.connect(self.files_read)

    def disconnect(self) -> None:
        signals.readers_init.disconnect(self.use_reader)
        signals.article_generator_finalized.disconnect(self.files_read)
        self.stop()

    def use_reader(self, readers) -> None:
        """readers_init: this build's reader for Markdown files."""
        for ext in MarkdownReader.file_extensions:
            if readers.reader_classes.get(ext) is MarkdownReader:
                readers.reader_classes[ext] = self._reader

    def start(self, generator) -> None:
        """article_generator_init (the Build calls it, then checks the sources while the
        worker converts): fork the worker and hand it its share of the articles."""
        self.stop()
        s = generator.settings
        if not self.enabled:
            return
        names = generator.get_files(s["ARTICLE_PATHS"], exclude=s["ARTICLE_EXCLUDES"])
        paths = [os.path.abspath(os.path.join(generator.path, n)) for n in names
                 if n.rsplit(".", 1)[-1] in MarkdownReader.file_extensions]
        if len(paths) < self.minimum:
            return
        if not fork_is_safe():
            return  # read here
        self.measuring = self.measure
        # fork: the worker starts at once with Markdown and the settings already loaded
        self.pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                        initializer=_init, initargs=(s["MARKDOWN"], self.measure, self.data_dir))
        self.blocks[:] = [paths[i:i + BLOCK] for i in range(0, len(paths), BLOCK)]
        self.block_of.update((path, i // BLOCK) for i, path in enumerate(paths))
        self._hand_over(2)

    def _hand_over(self, blocks: int) -> None:
        """Give the worker the blocks before this place in blocks, each last file first."""
        while self.handed < min(blocks, len(self.blocks)) and self.pool is not None:
            for path in reversed(self.blocks[self.handed]):
                self.jobs[path] = self.pool.submit(convert, path)
            self.handed += 1

    def take(self, source_path: str) -> tuple[str, dict | None] | None:
        """The worker's (HTML, raw metadata) for this file, or None: convert it here."""
        block = self.block_of.pop(source_path, None)
        if block is not None:
            self._hand_over(block + 2)  # this block and the next are the worker's already
        job = self.jobs.pop(source_path, None)
        if job is None or job.cancel():  # the worker had not started it
            return None
        try:
            html, meta = job.result()
        except Exception:  # noqa: BLE001 - read it here instead, so Pelican reports its own error
            self.stats["fallback"] += 1
            return None
        self.stats["worker"] += 1
        return html, meta

    def _forget_blocks(self) -> None:
        self.blocks.clear()
        self.block_of.clear()
        self.handed = 0

    def files_read(self, *_args, **_kwargs) -> None:
        """article_generator_finalized: conversions Pelican did not ask for are dropped;
        the worker waits for the pages to measure (measure_ahead())."""
        for job in self.jobs.values():
            job.cancel()
        self.jobs.clear()
        self._forget_blocks()
        if not self.measuring:
            self.stop()

    def measure_ahead(self, pages) -> bool:
        """The readability check's pages to measure, as (visible text, keys, source,
        language) from an iterator the build goes through as the worker takes
        them (pump()); False when there is no worker to measure them."""
        if self.pool is None or not self.measuring:
            return False
        self.ahead = iter(pages)
        self.pump()
        return True

    def pump(self) -> None:
        """Keep MEASURE_AHEAD batches with the worker, storing those it has measured
        (called by the build between the pages it checks meanwhile)."""
        while self.readings and self.readings[0][0].done():
            self._store(*self.readings.pop(0))
        while self.ahead is not None and len(self.readings) < MEASURE_AHEAD:
            batch = list(itertools.islice(self.ahead, MEASURE_BATCH))
            if len(batch) < MEASURE_BATCH:
                self.ahead = None
            if batch:
                job = self.pool.submit(measure_texts, [(text, source, lang) for text, _, source, lang in batch])
                self.readings.append((job, [keys for _, keys, _, _ in batch]))

    def _store(self, job: Future, keys: list) -> None:
        try:
            readings = job.result()
        except Exception:  # noqa: BLE001 - the check measures those pages itself
            return
        for page_keys, reading in zip(keys, readings):
            self.levels.measured_elsewhere(page_keys, reading)
            self.stats["readings"] += 1

    def collect_readings(self) -> None:
        """Before the readability check: store every reading the worker measured, then stop it."""
        while self.readings or self.ahead is not None:
            if self.readings:
                self._store(*self.readings.pop(0))
            self.pump()
        self.stop()

    def stop(self, *_args, **_kwargs) -> None:
        """At the end of a build (or the start of the next): drop what was not used."""
        self.jobs.clear()
        self._forget_blocks()
        self.readings.clear()
        self.ahead = None
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
