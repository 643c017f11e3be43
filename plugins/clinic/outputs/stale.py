"""What a build into a folder an earlier build filled must remove.

`make html` and the dev server build into output/ in place (`make publish`
builds into a new folder). A page deleted or renamed since the last build, an
image no longer in content/, the .gz and .br copies and feeds of pages that
are gone: left there, a host would serve them as if they were current, and
the search index would count a page the site no longer has.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

# The search index keeps its own folder in order (pagefind_runs.settle).
KEPT_FOLDERS = ("pagefind/",)
# Written after the sweep (tools/build.py writes them once the search index is done).
HOST_FILES = ("_headers", ".htaccess")
COPY_ENDINGS = (".gz", ".br")


def stale_files(existing: Iterable[str], made: set[str], copies_follow: bool) -> list[str]:
    """The files of `existing` (relative to the output folder, with /) that
    this build did not make. copies_follow: the build writes .gz and .br copies
    of what it made after this sweep, so those copies stay."""
    existing = set(existing)
    stale = []
    for rel in existing:
        if rel in made or rel in HOST_FILES:
            continue
        base, ending = os.path.splitext(rel)
        if ending in COPY_ENDINGS:  # a copy stays only if compression writes it again
            if copies_follow and base in existing and (base in made or base.startswith(KEPT_FOLDERS)):
                continue
        elif rel.startswith(KEPT_FOLDERS):
            continue
        stale.append(rel)
    return sorted(stale)


def theme_files(theme: Path, static_paths: Iterable[str], static_dir: str) -> set[str]:
    """The files Pelican copies from the theme (its StaticGenerator's _copy_paths),
    as paths in the output folder."""
    out = set()
    for path in static_paths:
        source = theme / path
        if source.is_file():
            out.add(f"{static_dir}/{source.name}")
            continue
        for folder, _, names in os.walk(source):
            for name in names:
                rel = os.path.relpath(os.path.join(folder, name), source).replace(os.sep, "/")
                out.add(f"{static_dir}/{rel}")
    return out


def remove(output: Path, stale: list[str]) -> None:
    """Delete the stale files, then the folders they leave empty."""
    folders = set()
    for rel in stale:
        path = output / rel
        path.unlink(missing_ok=True)
        folders.update(p for p in path.parents if p != output and output in p.parents)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        try:
            folder.rmdir()
        except OSError:
            pass  # not empty
