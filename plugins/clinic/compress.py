"""Write .gz and .br copies of text files, so hosts that support it serve them
compressed without compressing on every request.

Written here instead of using pelican-precompress because that plugin fixes
brotli at its maximum quality (11): on 1,000 articles it spent about 25 s of
CPU for a result only 12 % smaller than quality 5, which takes a fraction of
a second (measured with tools/bench.py). The plugin's other settings names
(PRECOMPRESS_TEXT_EXTENSIONS, PRECOMPRESS_MIN_SIZE) are kept.

Pages are compressed as Pelican writes them, on a second thread (zlib and
brotli release the GIL, so it runs on the second core while Pelican renders
the next page); precompress() then does the files written later (assets,
the search index) and skips the ones already done.
"""

from __future__ import annotations

import gzip
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import brotli

BROTLI_QUALITY = 5
GZIP_LEVEL = 9


def write_copies(path: Path, data: bytes) -> None:
    for suffix, packed in ((".br", brotli.compress(data, quality=BROTLI_QUALITY)),
                           (".gz", gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))):
        if len(packed) < len(data):
            path.with_name(path.name + suffix).write_bytes(packed)


def _compress(path: Path) -> None:
    write_copies(path, path.read_bytes())


class Background:
    """Compresses pages handed to it while the build goes on."""

    def __init__(self, extensions, min_size: int = 512):
        self.extensions, self.min_size = set(extensions), min_size
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="precompress")
        self.jobs: dict[Path, Future] = {}
        self.done_elsewhere: set[Path] = set()  # compressed by the build's other process

    def submit(self, path: Path, data: bytes) -> None:
        if path.suffix in self.extensions and len(data) >= self.min_size:
            self.jobs[path] = self.pool.submit(write_copies, path, data)

    def quiesce(self) -> None:
        """Finish the pages handed over so far and let the thread end; the next
        submit() starts a new one (before a fork: parallel_write.py)."""
        self.pool.shutdown(wait=True)
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="precompress")

    def wait(self) -> set[Path]:
        """The files compressed; raises the first error (OSError: disk full, say)."""
        self.pool.shutdown(wait=True)
        for job in self.jobs.values():
            job.result()
        return set(self.jobs) | self.done_elsewhere


def precompress(output: Path, extensions, min_size: int = 512, workers: int = 2, done: set[Path] = frozenset()) -> int:
    """Compress every text file at least min_size bytes that is not in `done`;
    returns how many were compressed here."""
    extensions = set(extensions)
    files = [p for p in output.rglob("*") if p.suffix in extensions and p not in done
             and p.is_file() and p.stat().st_size >= min_size]
    with ThreadPoolExecutor(max_workers=workers) as pool:  # zlib and brotli release the GIL
        list(pool.map(_compress, files))
    return len(files)
