"""Give the memory a build has let go back to the system.

A build's peak memory is what the machine that publishes must have (issue
22: under 250 MiB at 5,000 articles). Python frees an object's memory to
its allocator, and glibc's malloc keeps freed blocks in the middle of its
heap for reuse: the source texts and the checks' work let go once the
articles are decorated (pages/generator.py, finish()) stayed counted in the
process's memory to the end. malloc_trim(0) hands those pages back.
Measured on 5,000 generated articles, published a second time (copied
pages): a peak of 288 MiB before, 254 MiB after (and 238 MiB once
incremental.scan() kept each file's header instead of its text). A first
publish also gives back, without a collection, what writing the article
pages and then the topic pages left, once the reading tables are let go
(checks/readability.py): on 1,000 articles 162 MiB before, 143 MiB after.

Written by hand: there is no library for one call to the C library, and on
a system without glibc (macOS, musl) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import lru_cache


@lru_cache(maxsize=1)
def _trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def give_back(collect: bool = True) -> None:
    """Collect the garbage the build left (unless collect is False: only memory
    freed already, as pages are written), and hand freed memory back to the system."""
    if collect:
        gc.collect()
    trim = _trim()
    if trim is not None:
        trim(0)


TRIM_EVERY = 500  # pages


class Trimmer:
    """A publish's handing back, as its pages are written (page_written(): every
    `every` pages) and at the points the build knows much was let go (now()).
    The dev server builds again and again and keeps much of what a build made
    (speed/quick.py, the session's memos): its Trimmer is off and does nothing.

    A page's rendering frees what it made once the page is on disk, but glibc
    keeps the freed blocks, and the next page's, of other sizes, seldom fit
    them: on 5,000 generated articles a first publish's memory crept up by
    about 25 MiB over the article pages and again over the topic pages, and
    the largest page (A to Z, 2 MB) came on top. A trim costs a few milliseconds."""

    def __init__(self, on: bool = True, every: int | None = None):
        self.on, self.every, self.count = on, every or TRIM_EVERY, 0

    def page_written(self) -> None:
        self.count += 1
        if self.on and self.count % self.every == 0:
            give_back(collect=False)

    def now(self, collect: bool = True) -> None:
        if self.on:
            give_back(collect)
