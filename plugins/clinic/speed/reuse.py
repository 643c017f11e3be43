"""`make publish` copies the pages no edit can have changed from the last publish.

A publish renders every page into a new folder, although after an edit to
one article's text only that article's page can differ. The dev server
already knows which pages an edit can change (incremental.py: each page's
key, made of the site's stamp and the digest of its own source). A publish
keeps, beside Pelican's content cache (content_cache.py, whose folder is
named for the settings, the plugin's code and the libraries, so the keys of
other code are never compared), a record of what it published: the folder,
and for each page its key and the state of its file there (size,
modification time, inode, device). The next publish, before writing,
copies into its new folder each page whose key is the same and whose file in
the published folder is still the one it wrote (not edited, not replaced by
a later build), and renders only the others. A copy is a hard link where the
file system has them: the writer replaces, never writes through, a file
already in the new folder (speed/writer.py), so the live site's files are
never changed by a publish that fails. Its .gz and .br copies come with it
(the compressor, and precompress() at the end, replace a file rather than
write into it, and skip the copied pages). Pelican still does its
bookkeeping for a copied page: the sitemap lists it, the link check reads
its links, Pagefind indexes it.

The site's stamp here takes every file's bytes, not its date (the dev
server's stamp takes the date, for speed), and today's date: a page shows
its review dates, so a publish on another day renders every page.

The record is written only after the new folder was put in place; a
publish that fails or is stopped leaves the record of the site that is
live, whose files it still describes. tests/test_reuse.py checks that a
publish after each kind of edit writes the bytes a publish from an empty
cache writes.

Written by hand: Pelican renders every page of every build, and no
maintained plugin keeps pages between builds.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from ..model.paths import write_whole
from ..model.stamps import digest, file_state
from .incremental import Pages

RECORD = "published.json"


def load(folder: Path) -> dict:
    """The record the last publish left in the content cache's folder ({} if none)."""
    try:
        data = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and isinstance(data.get("pages"), dict) else {}


def link_or_copy(source: str, target: str) -> None:
    """A hard link to the published file (no bytes to copy, and they are already
    on disk), or a copy where the file system has none. The
    writer never writes through such a link: it replaces a file that is
    already in the new folder (speed/writer.py)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def copy_unchanged(pages: Pages, record: dict, also: bytes, compressed: tuple[str, ...] = ()) -> list[str]:
    """Copy into pages.output every page the record's folder holds as the last
    publish wrote it, under the key this build gives it (`also`, the content
    cache's name, is added to the site's stamp: the code and libraries); mark
    each as written, so the writer does not render it. compressed: the endings
    of its compressed copies (".br", ".gz"), copied with it where the last
    publish made them (the same bytes make the same copies). The paths copied."""
    if pages.stamp is None:
        return []
    pages.plan(digest(pages.stamp, also), pages.own)
    source = record.get("output")
    if not source or os.path.realpath(source) == os.path.realpath(pages.output):
        return []
    copied = []
    for name, entry in record["pages"].items():
        try:
            key, state = str(entry[0]), tuple(entry[1])
        except (TypeError, IndexError, KeyError):
            continue  # not what save() writes: rendered instead
        if ".." in Path(name).parts or Path(name).is_absolute():
            continue
        if pages.key(name).hex() != key or file_state(os.path.join(source, name)) != state:
            continue
        target = os.path.join(pages.output, name)
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            for suffix in compressed:
                if os.path.exists(os.path.join(source, name + suffix)):
                    link_or_copy(os.path.join(source, name + suffix), target + suffix)
            link_or_copy(os.path.join(source, name), target)
        except OSError:
            continue  # rendered instead (the compressor replaces any copy made)
        pages.written[name] = (pages.key(name), file_state(target))
        copied.append(target)
    return copied


def save(folder: Path, output: Path, pages: Pages, assets: list[str], search: dict | None = None) -> None:
    """After the new folder was put in place as `output`: what it holds, for the
    next publish (search: its search bundles, speed/search_reuse.py). Written
    whole or not at all (a new file, renamed over the old)."""
    entries = {}
    for name, (key, _) in pages.written.items():
        state = file_state(os.path.join(output, name))
        if key is not None and state is not None:
            entries[name] = [key.hex(), list(state)]
    data = {"output": str(output), "pages": entries, "assets": sorted(assets), "search": search or {}}
    write_whole(folder / RECORD, [json.dumps(data).encode()])  # not written: the next publish renders every page
