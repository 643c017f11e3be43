"""What the plugins that keep state for each build (minify.py, search_index.py,
sitemap.py) key it by: the build's output folder, as its real path, so that a
build into output/ and one into a staging folder never share it."""

from __future__ import annotations

import os
from functools import lru_cache


@lru_cache(maxsize=64)  # asked for every page written (content_written)
def key(output) -> str:
    return os.path.realpath(output)
