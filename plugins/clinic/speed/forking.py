"""Whether this build may fork a helper process (parallel_read.py, parallel_write.py)."""

from __future__ import annotations

import multiprocessing
import threading


def fork_is_safe() -> bool:
    """Fork only from a process with no other thread: a forked child of a process
    with other threads can hang on a lock one of them held. Spawning instead
    would re-import the whole build (about 1 s), more than it saves."""
    return threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
