"""A publish keeps each search bundle of the last publish that was made from
the same page files, instead of asking Pagefind to index those pages again.

Pagefind has no incremental mode, so every publish indexed every searchable
page: 0.1 s of the clinic's half-second publish, about 2 s at 1,000
articles. Yet the upload commands (make rsync_upload, s3_upload, github)
publish again before they upload, most often with nothing changed since the
`make publish` the webmaster just checked; and an edit no searchable page
shows (a topic page's description) changes no bundle either.

The record (speed/reuse.py keeps it in published.json, written once the new
site is live) names, for each bundle: the Pagefind command that made it (its
site folder left out), the state of the Pagefind binary, its pages with the
state of each page's file, and every file of the bundle with its state
(file_state: size, modification time, inode, device). The next publish links
a bundle's files from the live site into its new folder only if all of these
hold:
- the plan gives the bundle the same pages, made by the same command and binary;
- each of its pages in the new folder is the live file itself, which
  reuse.copy_unchanged() linked there (a page rendered again is a new file,
  so its bundle is indexed again, even if its bytes are the same);
- each file of the bundle in the live site is still the one recorded.
Any doubt, and the bundle is indexed as before; finish() in
outputs/search_index.py still checks that the index holds every searchable page.

A linked file is never written through: Pagefind runs only for the other
bundles, each into a folder of its own, and precompress() skips the linked
files, whose .gz and .br copies are linked with them.

Written by hand: no Pelican plugin or Pagefind option keeps an index between
builds.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..model.stamps import file_state
from ..outputs.search_index import PART_PREFIX, executable
from .reuse import link_or_copy


def binary() -> list | None:
    """The state of the Pagefind binary: another version, another index."""
    try:
        return _state(executable())
    except (ImportError, OSError):
        return None


def _command(command: list[str]) -> list[str]:
    """A Pagefind command without its site folder (each publish builds in a new one)."""
    found = list(command)
    if "--site" in found:
        found[found.index("--site") + 1] = ""
    return found


def _state(path: str) -> list | None:
    state = file_state(path)
    return list(state) if state is not None else None


def bundle_files(output: str, folder: str) -> list[str]:
    """Every file of one bundle (relative to output, with /): the first bundle's
    folder holds the others (pagefind/part-2, ...), which are not its own."""
    root = os.path.join(output, folder)
    found = []
    for where, dirs, names in os.walk(root):
        if where == root and folder == "pagefind":
            dirs[:] = [d for d in dirs if not d.startswith(PART_PREFIX)]
        for name in names:
            found.append(os.path.relpath(os.path.join(where, name), output).replace(os.sep, "/"))
    return sorted(found)


def record(output: str, folders: list[str], parts: list[list[str]], commands: list[list[str]],
           binary: list | None) -> dict:
    """What the live site's bundles were made from, for the next publish."""
    if binary is None or len(parts) != len(commands):
        return {}
    made = {}
    for folder, pages, command in zip(folders, parts, commands):
        made[folder] = {"command": _command(command),
                        "pages": {page: _state(os.path.join(output, page)) for page in pages},
                        "files": {name: _state(os.path.join(output, name)) for name in bundle_files(output, folder)}}
    return {"binary": binary, "bundles": made}


def _still_made(made, pages: list[str], command: list[str], live: str, output: str) -> bool:
    if not isinstance(made, dict) or made.get("command") != _command(command):
        return False
    recorded, files = made.get("pages"), made.get("files")
    if not isinstance(recorded, dict) or not isinstance(files, dict) or not files \
            or sorted(recorded) != sorted(pages):
        return False
    if any(recorded[page] is None or _state(os.path.join(output, page)) != recorded[page] for page in pages):
        return False
    return all(isinstance(name, str) and ".." not in name.split("/") and not os.path.isabs(name)
               and state is not None and _state(os.path.join(live, name)) == state
               for name, state in files.items())


def link_unchanged(last: dict | None, live: str | None, output: str, folders: list[str],
                   parts: list[list[str]], commands: list[list[str]], binary: list | None) -> tuple[set[int], set[str]]:
    """Link into output each bundle of the live site (folder `live`) that was made
    from these very page files; (the numbers of the bundles linked, the paths of
    the files linked). Called once every searchable page is in output."""
    kept, linked = set(), set()
    if not last or not live or binary is None or last.get("binary") != binary or len(parts) != len(commands) \
            or os.path.realpath(live) == os.path.realpath(output):
        return kept, linked
    bundles_made = last.get("bundles") if isinstance(last.get("bundles"), dict) else {}
    for number, (folder, pages, command) in enumerate(zip(folders, parts, commands)):
        made = bundles_made.get(folder)
        if not _still_made(made, pages, command, live, output):
            continue
        these = []
        try:
            for name in made["files"]:
                target = os.path.join(output, name)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                link_or_copy(os.path.join(live, name), target)
                these.append(target)
        except OSError:
            for target in these:  # Pagefind writes this bundle: none of its files may be a link
                Path(target).unlink(missing_ok=True)
            continue
        kept.add(number)
        linked.update(these)
    return kept, linked
