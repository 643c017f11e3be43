"""The one digest and the one file state every memo of the build is keyed by."""

from __future__ import annotations

import hashlib
import os


def digest(*parts: bytes) -> bytes:
    """A short digest of one or more byte strings (joined by NUL, so that
    ("ab", "c") and ("a", "bc") differ)."""
    return hashlib.blake2b(b"\0".join(parts), digest_size=16).digest()


def file_state(path: str) -> tuple | None:
    """What tells a file changed without reading it: size, modification time, inode, device."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev)
