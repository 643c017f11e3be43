"""Markdown on two cores (plugins/clinic/parallel_read.py) must not change a byte
of the site, nor any message about a broken file.

The builds run in a fresh process, as `make publish` does: the worker is only
forked from a process without other threads, and the test process has some
(the browser tests' servers)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys

from clinic import search_index
from conftest import ROOT

ON = {"CLINIC_PARALLEL_READ": True, "CLINIC_PARALLEL_READ_MIN": 0}
OFF = {"CLINIC_PARALLEL_READ": False}

BUILD = """
import io, json, sys
sys.path[:0] = [{tools!r}, {plugins!r}, {tests!r}]
from pathlib import Path
from conftest import run_build
from clinic import parallel_read
site = run_build("publish", Path({content!r}), Path({output!r}), settings_override={override!r})
print(json.dumps({{"status": site.status, "log": site.log, "stats": parallel_read.stats}}))
"""


def publish(content, output, override) -> dict:
    code = BUILD.format(tools=str(ROOT / "tools"), plugins=str(ROOT / "plugins"), tests=str(ROOT / "tests"),
                        content=str(content), output=str(output), override=override)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def site_files(folder):
    """Every file by its bytes, except what differs between any two builds:
    Pagefind names some files by a hash that changes from run to run (so
    pagefind/ and the _headers rule naming its .pf_meta file are left out), and
    the sitemap gives pages without a date the time of the build."""
    found = {}
    for p in folder.rglob("*"):
        rel = p.relative_to(folder).as_posix()
        if not p.is_file() or rel.startswith(("pagefind/", "sitemap.xml.")):
            continue
        data = p.read_bytes()
        if rel == "_headers":
            data = b"\n".join(line for line in data.split(b"\n") if b"/pagefind/pagefind." not in line)
        if rel == "sitemap.xml":
            data = re.sub(rb"<lastmod>[^<]*</lastmod>", b"", data)
        found[rel] = hashlib.sha256(data).hexdigest()
    return found


def test_the_worker_writes_the_same_site(tmp_path):
    serial = publish(ROOT / "content", tmp_path / "serial", OFF)
    parallel = publish(ROOT / "content", tmp_path / "parallel", ON)
    assert serial["status"] == parallel["status"] == 0, parallel["log"]
    assert serial["stats"]["worker"] == 0
    assert parallel["stats"]["worker"] >= 10  # three articles in five went through the worker
    assert site_files(tmp_path / "serial") == site_files(tmp_path / "parallel")
    assert search_index.indexed_pages(tmp_path / "serial") == search_index.indexed_pages(tmp_path / "parallel") >= 24


def test_broken_files_get_the_same_messages_with_the_worker(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    broken = sorted((content / "conditions").glob("*.md"))
    for path in broken:  # invalid UTF-8 in every condition, so some land in the worker
        path.write_bytes(path.read_bytes().replace(b"## Overview", b"## Overview \xff\xfe", 1))
    serial = publish(content, tmp_path / "serial" / "output", OFF)
    parallel = publish(content, tmp_path / "parallel" / "output", ON)
    assert parallel["stats"]["fallback"] >= 2  # the worker failed on them; they were read again here
    assert serial["status"] == parallel["status"] == 1
    # The same lines. Pelican reads files in an order that changes from process
    # to process and logs only its first few "Unable to find" lines, so which
    # of those appear differs even between two builds without the worker.
    ours = lambda log: sorted(line for line in log.splitlines() if "Unable to find" not in line)  # noqa: E731
    assert ours(parallel["log"]) == ours(serial["log"])
    assert all(f"content/conditions/{p.name}:" in parallel["log"] for p in broken)
    assert not (tmp_path / "parallel" / "output").exists()
