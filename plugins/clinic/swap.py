"""Put a freshly built site in place of output/ in one step.

Written by hand because no library does this: on Linux, renameat2() with
RENAME_EXCHANGE swaps two directories atomically, so a web server or an
upload never sees a half-written or missing output/. Elsewhere (or on file
systems without it) two renames are used, which leaves a gap of microseconds.
After the call, `staging` holds the previous site (or nothing), for the
caller to delete.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from pathlib import Path

AT_FDCWD = -100
RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    if not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0


def swap_into_place(staging: Path, output: Path) -> None:
    staging, output = Path(staging), Path(output)
    if not output.exists():
        os.rename(staging, output)
        return
    if _exchange(staging, output):
        return
    old = output.with_name(output.name + ".previous-" + str(os.getpid()))
    os.rename(output, old)
    os.rename(staging, output)
    os.rename(old, staging)
