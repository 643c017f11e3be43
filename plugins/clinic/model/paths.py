"""Paths as the webmaster knows them, resolved cheaply for many files."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable, Iterable


class RealPaths:
    """os.path.realpath for many files in a few folders, with the same answers:
    each folder is resolved once, and each file costs one lstat (is it a link
    itself?) instead of one for every part of its path. One per build."""

    def __init__(self):
        self._folders: dict[str, str] = {}

    def __call__(self, path: str | os.PathLike) -> str:
        path = os.fspath(path)
        folder, name = os.path.split(os.path.abspath(path))
        if not name or name in (".", "..") or ".." in path.replace("\\", "/").split("/"):
            return os.path.realpath(path)  # not a plain file name: the general rule
        real = self._folders.get(folder)
        if real is None:
            real = self._folders[folder] = os.path.realpath(folder)
        full = os.path.join(real, name)
        return os.path.realpath(full) if os.path.islink(full) else full


def display_paths(content: str | os.PathLike, real: RealPaths) -> Callable[[str | os.PathLike], str]:
    """A source path as the webmaster knows it: relative to the project folder
    (the one holding content/), e.g. content/conditions/bunions.md."""
    base = Path(os.path.realpath(Path(content).parent))

    def shown(path: str | os.PathLike) -> str:
        try:
            return str(Path(real(path)).relative_to(base))
        except ValueError:
            return str(path)
    return shown


def display_path(content: str | os.PathLike, path: str | os.PathLike) -> str:
    return display_paths(content, RealPaths())(path)


def files_under(root: Path) -> set[str]:
    """Every file below root, as paths relative to it with forward slashes
    (os.walk: several times faster than Path.rglob on a few thousand files)."""
    found = set()
    for folder, _, names in os.walk(root):
        rel = os.path.relpath(folder, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        found.update(prefix + n for n in names)
    return found


def write_whole(path: Path, chunks: Iterable[bytes]) -> bool:
    """Write a cache file whole or not at all: into a new file beside it (.tmp-...),
    renamed over it, so a build stopped half-way leaves the old file, never half of
    one. False if it could not be written (a full or read-only disk, a file where
    its folder should be); nothing is left behind. The build's caches (compiled
    templates, reading levels, languages' names, the record of a publish) all
    write this way, and a cache that cannot be written only costs the next build time."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
        os.replace(tmp, path)
        return True
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False
