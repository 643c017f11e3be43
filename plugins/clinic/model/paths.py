"""Paths as the webmaster knows them, resolved cheaply for many files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable


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
