"""Markdown and reading levels on the second core (production builds).

Turning Markdown into HTML is the largest single part of a build, in bare
Pelican too, and Pelican reads one file after another on one core. When the
articles generator starts, this module forks one worker process and offers it
every article file (BLOCK, below, says in which order); the reader below
takes the worker's HTML for the files it converted, and converts the ones
it has not started itself. The worker also measures the reading level of
every article (the files converted here, once all are read: their HTML is
sent to it while this process checks the metadata), so the build's
readability check finds each result already measured.

Only the conversion and the measuring move: the metadata is still parsed
here, by Pelican's own MarkdownReader code, because its values become
Pelican objects tied to this process's settings. A reading is stored under
a digest of the visible text and source it was measured from
(readability.key), so a page whose text changed after reading is simply
measured again, while a link's new address ({filename}) changes nothing. tests/test_parallel_read.py checks
that a build with the worker and one without it write the same bytes and the
same messages, and that this reader gives what Pelican's own gives.

Skipped when Pelican's content cache is loaded (the dev server, and a
publish after one that finished with the same settings and code: the files
it holds are not read at all, speed/content_cache.py) and for sites with fewer articles than
CLINIC_PARALLEL_READ_MIN, where starting a process costs more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import types
from concurrent.futures import Future, ProcessPoolExecutor

from markdown import Markdown
from pelican import signals
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open

from ..checks import readability, validate
from ..model.rules import language_of
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
# The worker measures the files converted here only once every file is read,
# in batches of this many: measured as they came, they kept it from the
# conversions, and Pelican's process ended up converting most files itself.
MEASURE_BATCH = 50

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


def _reading(path: str, html: str):
    """(key, Reading) for one article, as the build's readability check would measure it."""
    if not _worker.get("measure"):
        return None
    with open(path, "rb") as f:
        text, _ = validate.decode(path, f.read())
    if text is None:
        return None
    # a translation (bunions.es.md) is measured in its language, as the build measures it
    lang = language_of(os.path.basename(path)) or "en"
    if lang not in readability.LANGUAGES:
        return None
    return _worker["levels"].measure_keyed(html, text, lang=lang)


def convert(path: str) -> tuple[str, dict | None, tuple | None]:
    """In the worker: what MarkdownReader.read does before it parses the metadata, and the reading level."""
    md = _worker["md"]
    md.reset()
    with pelican_open(path) as text:
        html = md.convert(text)
    return html, getattr(md, "Meta", None), _reading(path, html)


def measure_converted(path: str, html: str):
    """In the worker: the reading level of a file converted in the main process."""
    return _reading(path, html)


def measure_batch(batch: list[tuple[str, str]]) -> list:
    return [measure_converted(path, html) for path, html in batch]


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
        self.worker.converted_here(source_path, html)
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
        self.jobs: dict[str, Future] = {}  # absolute source path -> (html, raw metadata, reading)
        self.blocks: list[list[str]] = []  # every block of article files, in Pelican's order
        self.block_of: dict[str, int] = {}  # article file -> its block's place in blocks
        self.handed = 0  # how many blocks the worker has been given
        self.readings: list[Future] = []  # reading levels of files converted here
        self.reading_articles = False  # between article_generator_init and _finalized (pages need none)
        self.to_measure: list[tuple[str, str]] = []  # (path, HTML) of files converted here, for the worker
        self.pool: ProcessPoolExecutor | None = None
        self.measuring = False  # this build checks reading levels (and the worker measures them)
        # files converted there / read here after it failed / readings stored
        self.stats = {"worker": 0, "fallback": 0, "readings": 0}
        self._reader = type("BuildMarkdownReader", (PrefetchingMarkdownReader,), {"worker": self})

    def reader_class(self) -> type[PrefetchingMarkdownReader]:
        """Pelican's MarkdownReader bound to this worker."""
        return self._reader

    # -- Pelican's signals, for this build only --------------------------------------
    def connect(self) -> None:
        signals.readers_init.connect(self.use_reader)
        signals.article_generator_init.connect(self.start)
        signals.article_generator_finalized.connect(self.files_read)

    def disconnect(self) -> None:
        signals.readers_init.disconnect(self.use_reader)
        signals.article_generator_init.disconnect(self.start)
        signals.article_generator_finalized.disconnect(self.files_read)
        self.stop()

    def use_reader(self, readers) -> None:
        """readers_init: this build's reader for Markdown files."""
        for ext in MarkdownReader.file_extensions:
            if readers.reader_classes.get(ext) is MarkdownReader:
                readers.reader_classes[ext] = self._reader

    def start(self, generator) -> None:
        """article_generator_init: fork the worker and hand it its share of the articles."""
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
        self.measuring = self.reading_articles = self.measure
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
            html, meta, reading = job.result()
        except Exception:  # noqa: BLE001 - read it here instead, so Pelican reports its own error
            self.stats["fallback"] += 1
            return None
        self.stats["worker"] += 1
        self._store(reading)
        return html, meta

    def converted_here(self, source_path: str, html: str) -> None:
        if self.pool is not None and self.measuring and self.reading_articles:
            self.to_measure.append((source_path, html))

    def _store(self, reading) -> None:
        if reading is not None:
            self.levels.remember(*reading)
            self.stats["readings"] += 1

    def _forget_blocks(self) -> None:
        self.blocks.clear()
        self.block_of.clear()
        self.handed = 0

    def files_read(self, *_args, **_kwargs) -> None:
        """article_generator_finalized: conversions Pelican did not ask for are dropped;
        the worker goes on measuring reading levels."""
        self.reading_articles = False
        for job in self.jobs.values():
            job.cancel()
        self.jobs.clear()
        self._forget_blocks()
        if self.pool is not None and self.measuring:
            for i in range(0, len(self.to_measure), MEASURE_BATCH):
                self.readings.append(self.pool.submit(measure_batch, self.to_measure[i:i + MEASURE_BATCH]))
        self.to_measure.clear()
        if not self.measuring:
            self.stop()

    def collect_readings(self) -> None:
        """Before the readability check: store every reading the worker measured, then stop it."""
        for job in self.readings:
            try:
                for reading in job.result():
                    self._store(reading)
            except Exception:  # noqa: BLE001 - the check measures those pages itself
                pass
        self.stop()

    def stop(self, *_args, **_kwargs) -> None:
        """At the end of a build (or the start of the next): drop what was not used."""
        self.reading_articles = False
        self.jobs.clear()
        self._forget_blocks()
        self.readings.clear()
        self.to_measure.clear()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
