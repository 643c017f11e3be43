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

Skipped when Pelican's content cache is loaded (the dev server: cached files
are not read at all) and for sites with fewer articles than
CLINIC_PARALLEL_READ_MIN, where starting a process costs more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import types
from concurrent.futures import Future, ProcessPoolExecutor

from markdown import Markdown
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open

from ..checks import readability, validate
from .forking import fork_is_safe

# Every article file is offered to the worker, in blocks of this many, each
# block last file first, while Pelican reads them first file first: a file
# the worker has not started when Pelican gets to it is converted here
# instead (its job is cancelled). So the two meet in the middle of each
# block whatever either one's speed, and neither waits for the other for
# more than a file or two. (A fixed share was measured to leave one of them
# idle for 0.3-0.7 s of a 1,000-article build on this shared machine, the
# one or the other depending on the moment.) A block's finished pages wait
# here until Pelican reads them: about 50 at a time. A block is handed over
# when Pelican starts reading the one before it, so that the jobs waiting
# (a Future each) stay a few hundred on a site of any size.
BLOCK = 100

_jobs: dict[str, Future] = {}  # absolute source path -> (html, raw metadata, reading)
_blocks: list[list[str]] = []  # every block of article files, in Pelican's order
_block_of: dict[str, int] = {}  # article file -> its block's place in _blocks
_handed = 0  # how many blocks the worker has been given
_readings: list[Future] = []  # reading levels of files converted here
_reading_articles = False  # between article_generator_init and _finalized (pages need no reading level)
_to_measure: list[tuple[str, str]] = []  # (path, HTML) of files converted here, for the worker to measure
# The worker measures the files converted here only once every file is read,
# in batches of this many: measured as they came, they kept it from the
# conversions, and Pelican's process then converted four files in five (at
# 5,000 articles) while the worker measured.
MEASURE_BATCH = 50
_pool: ProcessPoolExecutor | None = None
_worker: dict = {}  # inside the worker: its Markdown and whether to measure
_measuring = False  # this build checks reading levels (and the worker measures them)
stats = {"worker": 0, "fallback": 0, "readings": 0}  # this build: files converted there / read here after it failed / readings stored

# What _parse_metadata needs of a Markdown instance when no field is formatted:
# only to take the meta preprocessor out. Building a real one for that costs
# about 1.5 ms a file, as long as converting a short page.
_NO_FORMATTED_FIELDS = types.SimpleNamespace(
    preprocessors=types.SimpleNamespace(deregister=lambda name, strict=True: None))


def _init(markdown_settings: dict, measure: bool, data_dir: str | None) -> None:
    _worker["md"] = Markdown(**markdown_settings)
    _worker["measure"] = measure
    if measure:
        readability.syllable_table(data_dir)


def _reading(path: str, html: str):
    """(key, Reading) for one article, as the build's readability check would measure it."""
    if not _worker.get("measure"):
        return None
    with open(path, "rb") as f:
        text, _ = validate.decode(path, f.read())
    if text is None:
        return None
    return readability.measure_keyed(html, text)


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
    the worker's HTML where it has it."""

    def read(self, source_path):
        self._source_path = source_path
        block = _block_of.pop(source_path, None)
        if block is not None:
            _hand_over(block + 2)  # this block and the next are the worker's already
        job = _jobs.pop(source_path, None)
        if job is not None and not job.cancel():  # the worker has it, or has done it
            try:
                html, meta, reading = job.result()
            except Exception:  # noqa: BLE001 - read it here instead, so Pelican reports its own error
                stats["fallback"] += 1
            else:
                stats["worker"] += 1
                _store(reading)
                return html, self._metadata(meta)
        md = getattr(self, "_converter", None)
        if md is None:
            md = self._converter = Markdown(**self.settings["MARKDOWN"])
        md.reset()
        with pelican_open(source_path) as text:
            html = md.convert(text)
        meta = getattr(md, "Meta", None)
        if _pool is not None and _measuring and _reading_articles:
            _to_measure.append((source_path, html))
        return html, self._metadata(meta)

    def _metadata(self, meta):
        if meta is None:
            return {}
        # _parse_metadata converts formatted fields with self._md (and takes
        # its meta preprocessor out, so the instance cannot convert a page again)
        self._md = Markdown(**self.settings["MARKDOWN"]) if self.settings["FORMATTED_FIELDS"] else _NO_FORMATTED_FIELDS
        return self._parse_metadata(meta)


def _store(reading) -> None:
    if reading is not None:
        readability.remember(*reading)
        stats["readings"] += 1


def use_reader(readers) -> None:
    """readers_init: our reader for Markdown files, in every build."""
    for ext in MarkdownReader.file_extensions:
        if readers.reader_classes.get(ext) is MarkdownReader:
            readers.reader_classes[ext] = PrefetchingMarkdownReader


def start(generator) -> None:
    """article_generator_init: fork the worker and hand it its share of the articles."""
    stop()
    stats.update(worker=0, fallback=0, readings=0)
    s = generator.settings
    if not s.get("CLINIC_PARALLEL_READ") or (s.get("CACHE_CONTENT") and s.get("LOAD_CONTENT_CACHE")):
        return
    names = generator.get_files(s["ARTICLE_PATHS"], exclude=s["ARTICLE_EXCLUDES"])
    paths = [os.path.abspath(os.path.join(generator.path, n)) for n in names
             if n.rsplit(".", 1)[-1] in MarkdownReader.file_extensions]
    if len(paths) < s.get("CLINIC_PARALLEL_READ_MIN", 200):
        return
    if not fork_is_safe():
        return  # read here
    measure = s.get("CLINIC_READABILITY_TARGET") is not None
    data_dir = readability.data_dir_of(s)
    global _pool, _measuring, _reading_articles
    _measuring = _reading_articles = measure
    # fork: the worker starts at once with Markdown and the settings already loaded
    _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                initializer=_init, initargs=(s["MARKDOWN"], measure, data_dir))
    _blocks[:] = [paths[i:i + BLOCK] for i in range(0, len(paths), BLOCK)]
    _block_of.update((path, i // BLOCK) for i, path in enumerate(paths))
    _hand_over(2)


def _hand_over(blocks: int) -> None:
    """Give the worker the blocks before this place in _blocks, each last file first."""
    global _handed
    while _handed < min(blocks, len(_blocks)) and _pool is not None:
        for path in reversed(_blocks[_handed]):
            _jobs[path] = _pool.submit(convert, path)
        _handed += 1


def _forget_blocks() -> None:
    global _handed
    _blocks.clear()
    _block_of.clear()
    _handed = 0


def files_read(*_args, **_kwargs) -> None:
    """article_generator_finalized: conversions Pelican did not ask for are dropped;
    the worker goes on measuring reading levels."""
    global _reading_articles
    _reading_articles = False
    for job in _jobs.values():
        job.cancel()
    _jobs.clear()
    _forget_blocks()
    if _pool is not None and _measuring:
        for i in range(0, len(_to_measure), MEASURE_BATCH):
            _readings.append(_pool.submit(measure_batch, _to_measure[i:i + MEASURE_BATCH]))
    _to_measure.clear()
    if not _measuring:
        stop()


def collect_readings() -> None:
    """Before the readability check: store every reading the worker measured, then stop it."""
    for job in _readings:
        try:
            for reading in job.result():
                _store(reading)
        except Exception:  # noqa: BLE001 - the check measures those pages itself
            pass
    stop()


def stop(*_args, **_kwargs) -> None:
    """At the end of a build (or the start of the next): drop what was not used."""
    global _pool, _reading_articles
    _reading_articles = False
    _jobs.clear()
    _forget_blocks()
    _readings.clear()
    _to_measure.clear()
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None
