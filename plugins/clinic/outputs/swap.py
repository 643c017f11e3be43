"""Put a freshly built site in place of output/ in one step.

Written by hand because no library does this: on Linux, renameat2() with
RENAME_EXCHANGE swaps two directories atomically, so a web server or an
upload never sees a half-written or missing output/. Elsewhere (or on file
systems without it) two renames are used, which leaves a gap of microseconds.
After the call, `staging` holds the previous site (or nothing), for the
caller to delete: retire() deletes it in a process of its own, so that
`make publish` is done as soon as the new site is in place (deleting a large
site's files takes seconds). What a deletion that was stopped leaves behind (a hidden
`.output.retired-*` folder beside output/), the next publish deletes first (and says so).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import subprocess
import sys
import tempfile
import time
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


def _syncfs(folder: Path) -> bool:
    """Linux's syncfs(2): everything written to the file system that holds
    `folder`, on disk, in one call. False where there is no syncfs; an error
    writing raises OSError (Linux reports such errors from syncfs since 5.8)."""
    if not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return False
    try:
        syncfs = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).syncfs
    except (OSError, AttributeError):
        return False
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if syncfs(fd) == 0:
            return True
        err = ctypes.get_errno()
        if err == errno.ENOSYS:
            return False
        raise OSError(err, os.strerror(err), str(folder))
    finally:
        os.close(fd)


def durable(folder: Path) -> None:
    """Every file and folder of `folder` on disk, not only in the page cache, so
    that a power cut after the swap cannot leave a page renamed into place but
    empty. One syncfs where Linux has it, several times faster than a call
    for each file; elsewhere an fsync of each file and folder, in a few threads
    (fsync releases the GIL)."""
    if _syncfs(folder):
        return
    from concurrent.futures import ThreadPoolExecutor
    files, folders = [], []
    for top, _, names in os.walk(folder):
        folders.append(top)
        files += [os.path.join(top, name) for name in names]

    def sync(path: str, flags: int = os.O_RDONLY) -> None:
        fd = os.open(path, flags)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(sync, files))
        list(pool.map(lambda d: sync(d, os.O_RDONLY | os.O_DIRECTORY), folders))


def swap_into_place(staging: Path, output: Path) -> None:
    staging, output = Path(staging), Path(output)
    durable(staging)
    if not output.exists():
        os.rename(staging, output)
    elif not _exchange(staging, output):
        old = output.with_name(output.name + ".previous-" + str(os.getpid()))
        os.rename(output, old)
        os.rename(staging, output)
        os.rename(old, staging)
    fd = os.open(output.parent, os.O_RDONLY | os.O_DIRECTORY)  # the exchange itself, on disk
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
    deleter = hidden.with_name(hidden.name + ".pid")  # which process is deleting it (clear_leftovers)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", "import os, shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True); "
             "os.unlink(sys.argv[2])", str(hidden), str(deleter)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deleter.write_text(str(proc.pid))
    except OSError:
        shutil.rmtree(hidden, ignore_errors=True)
    return hidden


def staging_prefix(output: Path) -> str:
    return f"{Path(output).name}.staging-"


def clear_leftovers(output: Path) -> list[str]:
    """Before a publish, under its lock (so no other run is using them): delete
    what an earlier run left beside output/, a site it was building when it was
    stopped, or an old site it was deleting. Their names, for the message."""
    parent = Path(output).parent
    left = sorted(parent.glob(staging_prefix(output) + "*"))
    for old in sorted(parent.glob(_retired_prefix(output) + "*")):
        if old.suffix == ".pid":
            continue
        deleter = old.with_name(old.name + ".pid")
        try:
            if _running(int(deleter.read_text())):
                continue  # an old site its publish is still deleting
        except (OSError, ValueError):
            pass
        left.append(old)
        deleter.unlink(missing_ok=True)
    for folder in left:
        shutil.rmtree(folder, ignore_errors=True)
    return [folder.name for folder in left]


class FolderLock:
    """One build of an output folder at a time: `make publish` twice, or while
    the dev server rebuilds. The second waits, saying so in one line. The lock
    is the kernel's (flock), so a run that was killed holds it no more; the
    process number it wrote says who that was, for the line about it."""

    def __init__(self, output: Path, say):
        self.name = Path(output).name
        self.path = Path(output).parent / f".{self.name}.lock"
        self.say = say
        self.fd: int | None = None

    def __enter__(self):
        import fcntl
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = self._holder()
            # the holder writes its number just after it takes the lock: a run that
            # asks in between would name no one (seen once in a full test run)
            for _ in range(50):
                if holder:
                    break
                time.sleep(0.01)
                holder = self._holder()
            self.say(f"Waiting for another build of {self.name}/ to finish"
                     + (f" (process {holder})" if holder else "") + "...")
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        else:
            holder = self._holder()
            if holder and holder != os.getpid() and not _running(holder):
                self.say(f"An earlier build (process {holder}) stopped before it finished; continuing without it.")
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, f"{os.getpid()}\n".encode(), 0)
        return self

    def _holder(self) -> int | None:
        try:
            return int(os.pread(self.fd, 32, 0).decode().strip() or 0) or None
        except ValueError:
            return None

    def __exit__(self, *exc):
        os.ftruncate(self.fd, 0)  # a clean end leaves no process number behind
        os.close(self.fd)  # and with it the lock


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
