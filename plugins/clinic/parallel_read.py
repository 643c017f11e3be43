"""Markdown for most articles in a second process (production builds).

Turning Markdown into HTML is the largest single part of a build, in bare
Pelican too, and Pelican reads one file after another on one core. When the
articles generator starts, this module starts one worker process and hands
it three article files in five, in the order Pelican will read them; the
reader below then takes the worker's HTML for those files instead of
converting them again, while Pelican converts the others itself.

Only the conversion moves: the metadata is still parsed here, by Pelican's
own MarkdownReader code, because its values become Pelican objects tied to
this process's settings. tests/test_site.py checks that a build with the
worker and one without it write the same bytes.

Skipped when Pelican's content cache is loaded (the dev server: cached files
are not read at all) and for sites with fewer articles than
CLINIC_PARALLEL_READ_MIN, where starting a process costs more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor

from markdown import Markdown
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open

_jobs: dict[str, Future] = {}  # absolute source path -> (html, raw metadata)
_pool: ProcessPoolExecutor | None = None
_worker_settings: dict | None = None  # the MARKDOWN setting, inside the worker
stats = {"worker": 0, "fallback": 0}  # this build's files: converted by the worker / read here after it failed


def _init(markdown_settings: dict) -> None:
    global _worker_settings
    _worker_settings = markdown_settings


def convert(path: str, markdown_settings: dict | None = None) -> tuple[str, dict | None]:
    """What MarkdownReader.read does before it parses the metadata."""
    md = Markdown(**(markdown_settings or _worker_settings))
    with pelican_open(path) as text:
        html = md.convert(text)
    return html, getattr(md, "Meta", None)


class PrefetchingMarkdownReader(MarkdownReader):
    def read(self, source_path):
        job = _jobs.pop(source_path, None)
        if job is None:
            return super().read(source_path)
        try:
            html, meta = job.result()
        except Exception:  # noqa: BLE001 - read it here instead, so Pelican reports its own error
            stats["fallback"] += 1
            return super().read(source_path)
        stats["worker"] += 1
        self._source_path = source_path
        self._md = Markdown(**self.settings["MARKDOWN"])  # _parse_metadata uses it, as in read()
        return html, (self._parse_metadata(meta) if meta is not None else {})


def use_reader(readers) -> None:
    """readers_init: our reader for Markdown files, in every build (it only
    differs from Pelican's when a worker has the file)."""
    for ext in MarkdownReader.file_extensions:
        if readers.reader_classes.get(ext) is MarkdownReader:
            readers.reader_classes[ext] = PrefetchingMarkdownReader


def start(generator) -> None:
    """article_generator_init: hand every second article to a worker."""
    stop()
    stats.update(worker=0, fallback=0)
    s = generator.settings
    if not s.get("CLINIC_PARALLEL_READ") or (s.get("CACHE_CONTENT") and s.get("LOAD_CONTENT_CACHE")):
        return
    names = generator.get_files(s["ARTICLE_PATHS"], exclude=s["ARTICLE_EXCLUDES"])
    paths = [os.path.abspath(os.path.join(generator.path, n)) for n in names
             if n.rsplit(".", 1)[-1] in MarkdownReader.file_extensions]
    if len(paths) < s.get("CLINIC_PARALLEL_READ_MIN", 200):
        return
    if threading.active_count() > 1 or "fork" not in multiprocessing.get_all_start_methods():
        # A forked child of a process with other threads can hang on a lock one of
        # them held; spawn would re-import the whole build (about 1 s). Read here.
        return
    global _pool
    # fork: the worker starts at once with Markdown and the settings already loaded
    _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                initializer=_init, initargs=(s["MARKDOWN"],))
    # The worker only converts; Pelican here also parses metadata and makes the
    # Article for every file, so the worker takes three files in five.
    for i, path in enumerate(paths):
        if i % 5 in (1, 2, 4):
            _jobs[path] = _pool.submit(convert, path)


def stop(*_args, **_kwargs) -> None:
    """article_generator_finalized (or a new build): drop what was not used."""
    global _pool
    _jobs.clear()
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None
