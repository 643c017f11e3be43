"""What a host must serve for each file of the site, written by hand (not taken
from the code under test), for the upload and web-server tests."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

# Theme files named with 10 hex digits of their content, and Pagefind's hashed index files, in
# the first bundle (pagefind/) or in any other part of an index in parts (pagefind/part-2/: a
# larger site's, and a site in two languages, whose search pages each merge their own language's).
FINGERPRINT = re.compile(r"^theme/.+\.[0-9a-f]{10}\.(css|js)$|^pagefind/(part-\d+/)?(fragment|index|filter)/|\.pf_meta$")
TEXT = "; charset=utf-8"
EXPECTED_TYPES = {
    "html": "text/html" + TEXT, "css": "text/css" + TEXT, "js": "text/javascript" + TEXT,
    "json": "application/json" + TEXT, "xml": "application/xml" + TEXT, "txt": "text/plain" + TEXT,
    "svg": "image/svg+xml" + TEXT, "png": "image/png", "pagefind": "application/octet-stream",
    "pf_fragment": "application/octet-stream", "pf_index": "application/octet-stream",
    "pf_filter": "application/octet-stream", "pf_meta": "application/octet-stream",
}


def expected_type(rel: str) -> str:
    ext = rel.rsplit(".", 1)[-1]
    assert ext in EXPECTED_TYPES, f"{rel}: a new kind of file; add its type to EXPECTED_TYPES"
    return EXPECTED_TYPES[ext]


def need(program: str, path: str | None = None) -> str:
    """The program's path; under CI=true a missing program fails the test, elsewhere it skips."""
    found = shutil.which(program) or (path if path and Path(path).exists() else None)
    if found is None:
        message = f"{program} is missing: apt-get install {program}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found
