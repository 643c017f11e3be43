"""Put a freshly built site in place of output/ in one step.

Written by hand because no library does this: on Linux, renameat2() with
RENAME_EXCHANGE swaps two directories atomically, so a web server or an
upload never sees a half-written or missing output/. Elsewhere (or on file
systems without it) two renames are used, which leaves a gap of microseconds.
After the call, `staging` holds the previous site (or nothing), for the
caller to delete: retire() deletes it in a process of its own, so that
`make publish` is done as soon as the new site is in place (deleting a large
site's files takes seconds). What a deletion that was stopped leaves behind (a hidden
`.output.retired-*` folder beside output/), the next publish deletes first.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import subprocess
import sys
import tempfile
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


def _retired_prefix(output: Path) -> str:
    return f".{Path(output).name}.retired-"


def retire(old_site: Path, output: Path) -> Path | None:
    """Delete a replaced site in the background; the hidden name it has until then."""
    old_site = Path(old_site)
    if not old_site.exists():
        return None
    hidden = Path(tempfile.mkdtemp(prefix=_retired_prefix(output), dir=Path(output).parent))
    hidden.rmdir()
    os.rename(old_site, hidden)
    try:
        subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)",
                          str(hidden)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        shutil.rmtree(hidden, ignore_errors=True)
    return hidden


def clear_retired(output: Path) -> None:
    """Before a publish: delete what an earlier retire() could not finish."""
    for left in Path(output).parent.glob(_retired_prefix(output) + "*"):
        shutil.rmtree(left, ignore_errors=True)
