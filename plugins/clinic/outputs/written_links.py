"""The links of each page as it is written, for the build's link check
(tools/build.py, check_output), instead of reading every page back once the
build is done: about 0.7 s after the last page of a 1,000-article build,
on one core, moved into the writing, which runs on two (parallel_write.py).

Only the pages that writer.py writes are gathered here (production builds);
the link check reads any other page back from output/. The second writing
process gathers its own pages and sends them to the first with the rest of
its report.
"""

from __future__ import annotations

import os

from ..checks.links import LinkTable
from .minify import _key

_tables: dict[str, tuple[LinkTable, str]] = {}  # output folder -> its pages' links, the site's address


def start(pelican) -> None:
    """initialized: an empty table for this build's output folder."""
    restart(pelican.settings["OUTPUT_PATH"], pelican.settings.get("SITEURL", ""))


def restart(output, siteurl: str) -> None:
    """Also in the second writing process, which must send only its own pages."""
    _tables[_key(str(output))] = (LinkTable(), siteurl)


def gathering(output) -> bool:
    return _key(str(output)) in _tables


def record(output, path: str, html: str) -> None:
    """writer.py wrote this page (path: the file, html: what it holds)."""
    found = _tables.get(_key(str(output)))
    if found is not None:
        table, siteurl = found
        table.add(os.path.relpath(path, output).replace(os.sep, "/"), html, siteurl)


def add(output, table: LinkTable | None) -> None:
    """The pages the other writing process wrote."""
    found = _tables.get(_key(str(output)))
    if found is not None and table is not None:
        found[0].merge(table)


def take(output) -> LinkTable | None:
    """The table gathered for this output folder, which is then forgotten."""
    found = _tables.pop(_key(str(output)), None)
    return found[0] if found is not None else None
