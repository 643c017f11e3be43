"""Write .gz and .br copies of text files, so hosts that support it serve them
compressed without compressing on every request.

Written here instead of using pelican-precompress because that plugin fixes
brotli at its maximum quality (11), which costs many times the CPU of quality
5 for files only slightly smaller. The plugin's other settings names
(PRECOMPRESS_TEXT_EXTENSIONS, PRECOMPRESS_MIN_SIZE) are kept.

Pages are compressed as Pelican writes them, on a second thread (zlib and
brotli release the GIL, so it runs on the second core while Pelican renders
the next page); precompress() then does the files written later (assets,
the search index) and skips the ones already done.
"""

from __future__ import annotations

import gzip
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import brotli

BROTLI_QUALITY = 5
GZIP_LEVEL = 9


COPIES = (".br", ".gz")


def write_copies(path: Path, data: bytes) -> None:
    for suffix, packed in ((".br", brotli.compress(data, quality=BROTLI_QUALITY)),
                           (".gz", gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))):
        target = path.with_name(path.name + suffix)
        # a new file, and none if it would not be smaller: one already there may be a
        # hard link to the live site's copy of a page rendered again (speed/reuse.py)
        target.unlink(missing_ok=True)
        if len(packed) < len(data):
            target.write_bytes(packed)


def _compress(path: Path) -> None:
    write_copies(path, path.read_bytes())


class Background:
    """Compresses pages handed to it while the build goes on. It keeps only the
    paths done and the first error, not a Future per page (a large site's
    Futures held megabytes)."""

    def __init__(self, extensions, min_size: int = 512):
        self.extensions, self.min_size = set(extensions), min_size
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="precompress")
        self.done: set[str] = set()  # handed over here, or compressed by the build's other process
        self.error: BaseException | None = None

    def _write(self, path: Path, data: bytes) -> None:
        try:
            write_copies(path, data)
        except BaseException as exc:  # noqa: BLE001 - raised by wait(), in the build's own thread
            if self.error is None:
                self.error = exc

    def submit(self, path: Path, data: bytes) -> None:
        if path.suffix in self.extensions and len(data) >= self.min_size:
            self.done.add(str(path))
            self.pool.submit(self._write, path, data)

    def quiesce(self) -> None:
        """Finish the pages handed over so far and let the thread end; the next
        submit() starts a new one (before a fork: parallel_write.py)."""
        self.pool.shutdown(wait=True)
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="precompress")

    def wait(self) -> set[str]:
        """The files compressed (as strings); raises the first error (OSError: disk full, say)."""
        self.pool.shutdown(wait=True)
        if self.error is not None:
            raise self.error
        return self.done


def precompress(output: Path, extensions, min_size: int = 512, workers: int = 2, done=frozenset()) -> int:
    """Compress every text file at least min_size bytes that is not in `done`
    (absolute paths as strings, as Pelican names the files it writes);
    returns how many were compressed here."""
    extensions = tuple(extensions)
    files = []
    for folder, _, names in os.walk(os.path.abspath(output)):  # strings: a Path each for 30,000 files was 14 MiB
        for name in names:
            if name.endswith(extensions):
                path = os.path.join(folder, name)
                if path not in done and os.path.getsize(path) >= min_size:
                    files.append(Path(path))
    with ThreadPoolExecutor(max_workers=workers) as pool:  # zlib and brotli release the GIL
        list(pool.map(_compress, files))
    return len(files)
