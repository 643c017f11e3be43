"""Markdown on two cores (plugins/clinic/speed/parallel_read.py) and article pages
written by two processes (plugins/clinic/speed/parallel_write.py) must not change a
byte of the site, nor any message about a broken file, and a failure in the
second process must fail the build cleanly.

The builds run in a fresh process, as `make publish` does: the workers are
only forked from a process without other threads, and the test process has
some (the browser tests' servers)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys

from pelican.readers import MarkdownReader
from pelican.settings import read_settings

import benchgen
from clinic.speed import parallel_read
from clinic.checks import readability, validate
from clinic.outputs import search_index
from conftest import ARTICLE_FOLDERS, CONTENT, ROOT, pages_in, published, published_articles, tree_hash

ON = {"CLINIC_PARALLEL_READ": True, "CLINIC_PARALLEL_READ_MIN": 0,
      "CLINIC_PARALLEL_WRITE": True, "CLINIC_PARALLEL_WRITE_MIN": 0}
OFF = {"CLINIC_PARALLEL_READ": False, "CLINIC_PARALLEL_WRITE": False}

BUILD = """
import io, json, sys
sys.path[:0] = [{tools!r}, {plugins!r}, {tests!r}]
from pathlib import Path
from conftest import run_build
from clinic.speed import parallel_read, parallel_write, writer
forks = []  # pages the second process wrote, for each time the work was shared
sharings = []  # the build's PageSharing
_begin = parallel_write.PageSharing.begin
def begin(self, *args):
    sharings.append(self)
    shared = _begin(self, *args)
    if shared and self.split["role"] == "parent":
        forks.append(len(self.split["theirs"]))
    return shared
parallel_write.PageSharing.begin = begin
workers = []  # the build's ReadWorker
_worker_init = parallel_read.ReadWorker.__init__
def worker_init(self, *args):
    workers.append(self)
    _worker_init(self, *args)
parallel_read.ReadWorker.__init__ = worker_init
from clinic.checks import readability
measured = []  # reading levels measured in this process (a forked worker counts in its own)
for name in ("_measure", "_measure_es"):
    def counting(self, *args, _f=getattr(readability.ReadingLevels, name)):
        measured.append(1)
        return _f(self, *args)
    setattr(readability.ReadingLevels, name, counting)
events = []  # what a patch notes
{patch}
site = run_build("publish", Path({content!r}), Path({output!r}), settings_override={override!r})
print(json.dumps({{"status": site.status, "log": site.log, "stats": workers[-1].stats, "forks": forks,
                  "measured_here": len(measured), "events": events}}))
"""

# When the sources are checked: how many files Pelican had read, whether the worker was converting.
SOURCES_CHECKED = """
from clinic import state
_read_here = parallel_read.PrefetchingMarkdownReader.read
read_here = []
def read_counted(self, path):
    read_here.append(path)
    return _read_here(self, path)
parallel_read.PrefetchingMarkdownReader.read = read_counted
_check_content = state.check_content
def check_content(build, settings):
    events.append({"read": len(read_here), "worker": build.reader.pool is not None})
    return _check_content(build, settings)
state.check_content = check_content
"""


# Pelican's side reads slowly, so the worker (which takes each block of files
# from its end while Pelican reads from its start) gets to most of them.
SLOW_HERE = """
import time
_read = parallel_read.PrefetchingMarkdownReader.read
def read(self, path):
    time.sleep(0.05)
    return _read(self, path)
parallel_read.PrefetchingMarkdownReader.read = read
"""


def publish(content, output, override, patch="") -> dict:
    code = BUILD.format(tools=str(ROOT / "tools"), plugins=str(ROOT / "plugins"), tests=str(ROOT / "tests"),
                        content=str(content), output=str(output), override=override, patch=patch)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def site_files(folder):
    """Every file by its bytes, except what differs between any two builds:
    Pagefind names some files by a hash that changes from run to run (so
    pagefind/ and the _headers rule naming its .pf_meta file are left out)."""
    found = {}
    for p in folder.rglob("*"):
        rel = p.relative_to(folder).as_posix()
        if not p.is_file() or rel.startswith("pagefind/"):
            continue
        data = p.read_bytes()
        if rel == "_headers":
            data = b"\n".join(line for line in data.split(b"\n") if b"/pagefind/pagefind." not in line)
        found[rel] = hashlib.sha256(data).hexdigest()
    return found


def shipped_counts() -> tuple[int, int]:
    """The shipped site's articles and topic (term) pages, whatever the clinic has written:
    the pages in the site's language, which the two processes share (their
    translations, and the topic pages under /es/, are written by the first)."""
    import yaml
    articles = published_articles()
    facets = yaml.safe_load((CONTENT / "taxonomy.yaml").read_text(encoding="utf-8"))["facets"]
    return articles, sum(len(f["terms"]) for f in facets.values())


def test_the_worker_writes_the_same_site(tmp_path):
    # each with a cache folder of its own (beside its output): nothing measured before
    serial = publish(CONTENT, tmp_path / "serial" / "output", OFF)
    # blocks of 4: the worker is given a block at a time as Pelican reads on
    parallel = publish(CONTENT, tmp_path / "parallel" / "output", ON,
                       SLOW_HERE + "parallel_read.BLOCK = 4\n" + SOURCES_CHECKED)
    assert serial["status"] == parallel["status"] == 0, parallel["log"]
    # the sources were checked once, while the worker converted, before Pelican read a file
    assert parallel["events"] == [{"read": 0, "worker": True}]
    assert serial["stats"]["worker"] == 0 and serial["forks"] == []
    # the second process wrote every second article and every second topic page
    articles, terms = shipped_counts()
    assert parallel["forks"] == [articles // 2, terms // 2]
    assert parallel["stats"]["worker"] >= articles // 2  # most articles (blocks of 4) went through the worker
    # every reading level the serial build measured, the worker measured instead (English and
    # Spanish), and none of it changed a byte (below)
    assert serial["stats"]["readings"] == 0 and serial["measured_here"] > 0
    assert parallel["stats"]["readings"] == serial["measured_here"] and parallel["measured_here"] == 0
    assert site_files(tmp_path / "serial" / "output") == site_files(tmp_path / "parallel" / "output")
    # the index holds every page in both languages (the Spanish ones in a language of their own)
    assert search_index.indexed_pages(tmp_path / "serial" / "output") == \
        search_index.indexed_pages(tmp_path / "parallel" / "output") >= \
        published_articles() + len(published("pages")) + sum(len(published(f, lang="es")) for f in ARTICLE_FOLDERS + ("pages",))


def test_broken_files_get_the_same_messages_with_the_worker(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    # invalid UTF-8 in every article, so some land in the worker whatever order
    # the file system lists them in
    broken = sorted(p for folder in ("conditions", "procedures", "treatments", "guides")
                    for p in (content / folder).glob("*.md"))
    for path in broken:
        path.write_bytes(path.read_bytes().replace(b"\n## ", b"\n## \xff\xfe", 1))
    serial = publish(content, tmp_path / "serial" / "output", OFF)
    parallel = publish(content, tmp_path / "parallel" / "output", ON, SLOW_HERE)
    assert parallel["stats"]["fallback"] >= 9  # the worker failed on them; they were read again here
    assert serial["status"] == parallel["status"] == 1
    # The same lines. Pelican reads files in an order that changes from process
    # to process and logs only its first few "Unable to find" lines, so which
    # of those appear differs even between two builds without the worker.
    ours = lambda log: sorted(line for line in log.splitlines() if "Unable to find" not in line)  # noqa: E731
    assert ours(parallel["log"]) == ours(serial["log"])
    assert all(f"content/{p.parent.name}/{p.name}:" in parallel["log"] for p in broken)
    assert not (tmp_path / "parallel" / "output").exists()


def test_the_reader_gives_what_pelicans_own_gives(tmp_path):
    """One Markdown instance reused for every file (reset between them) and no
    Markdown built just to parse metadata: the same HTML and metadata as
    Pelican's MarkdownReader, which builds a new instance for each file."""
    benchgen.generate(tmp_path / "gen", 6, seed=5)
    files = sorted((CONTENT).rglob("*.md")) + sorted((tmp_path / "gen" / "content").rglob("*.md"))
    settings = read_settings(str(ROOT / "pelicanconf.py"))
    worker = parallel_read.ReadWorker(readability.ReadingLevels(), False, 0, False, None)  # no worker process
    ours, pelicans = worker.reader_class()(settings), MarkdownReader(settings)
    assert len(files) > 30
    for path in files:
        assert ours.read(str(path)) == pelicans.read(str(path)), path


def test_a_reading_measured_in_the_worker_is_the_one_measured_here(tmp_path):
    """The worker measures the visible text the check would measure and the
    reading is stored under every key the check looks it up under; a page
    known already is not sent, and a word a reader sees makes a new key."""
    path = CONTENT / "conditions" / "bunions.md"
    parallel_read._init(read_settings(str(ROOT / "pelicanconf.py"))["MARKDOWN"], True, None)
    html, _ = parallel_read.convert(str(path))
    text, _ = validate.decode(str(path), path.read_bytes())
    levels = readability.ReadingLevels()
    visible, keys = levels.to_measure(lambda: html, text, "<p>unresolved</p>")
    assert visible == readability.visible_text(html) and len(keys) == 3
    [reading] = parallel_read.measure_texts([(visible, text, "en")])
    assert reading == readability.ReadingLevels().measure(html, text)
    levels.measured_elsewhere(keys, reading)
    assert levels.to_measure(lambda: html, text, "<p>unresolved</p>") is None
    measured = []
    levels._measure = lambda *args: measured.append(args)
    assert levels.measure_unresolved("<p>unresolved</p>", text, lambda: html) == reading
    assert levels.measure(html, text) == reading and measured == []
    # a link's address is not what a reader sees; a word is
    assert levels.to_measure(lambda: html.replace('href="', 'href="x'), text) is None
    assert levels.to_measure(lambda: html.replace("</p>", " more</p>", 1), text) is not None


# In the second page writer only: log a warning for its first page, or fail on it.
IN_CHILD = """
import logging
_exit = writer._MinifyOnClose.__exit__
_first = []
def __exit__(self, *exc):
    if sharings and sharings[-1].in_child and not _first:
        _first.append(self.file.name)
        {action}
    return _exit(self, *exc)
writer._MinifyOnClose.__exit__ = __exit__
"""


def test_the_second_writers_messages_reach_the_report(tmp_path):
    warn = IN_CHILD.format(action='logging.getLogger("pelican.writers").warning("Odd thing on a page")')
    result = publish(CONTENT, tmp_path / "output", ON, patch=warn)
    assert result["forks"][0] == shipped_counts()[0] // 2
    # a Pelican warning fails a production build: reported once, from the second process
    assert result["status"] == 1
    assert result["log"].count("Odd thing on a page") == 1


def test_a_failure_in_the_second_writer_fails_the_build_and_keeps_the_site(tmp_path):
    output = tmp_path / "output"
    good = publish(CONTENT, output, OFF)
    assert good["status"] == 0
    before = tree_hash(output)
    fail = IN_CHILD.format(action='raise OSError(28, "No space left on device")')
    result = publish(CONTENT, output, ON, patch=fail)
    assert result["forks"][0] == shipped_counts()[0] // 2
    assert result["status"] == 1
    assert ("build: pages: the second process writing pages failed: "
            "OSError: [Errno 28] No space left on device") in result["log"]
    assert "Publish failed" in result["log"]
    assert tree_hash(output) == before
    assert not list(tmp_path.glob("output.staging-*"))


GATHERED = """
import build
_check_output = build.check_output
def check_output(output, siteurl, shown_as="output", counts=None, table=None, remembered=None):
    with open({record!r}, "a") as f:
        f.write(f"{{len(table.pages) if table else 0}}\\n")
    return _check_output(output, siteurl, shown_as, counts, table, remembered)
build.check_output = check_output
"""


def test_broken_links_get_the_same_messages_from_the_pages_as_written(tmp_path):
    # The link check of a production build takes each page's links as the page
    # is written, in either writing process (outputs/minify.py, Finisher); a build that
    # does not (make html) reads every page back. The same lines either way.
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    articles = [p for folder in ARTICLE_FOLDERS for p in pages_in(content / folder)]
    translations = [p for folder in ARTICLE_FOLDERS for p in pages_in(content / folder, "es")]
    assert translations
    for path in articles + translations:  # one broken link on every article page, in both languages, one on a single page
        path.write_text(path.read_text().replace("\n## ", "\n[More](/no-such-page/)\n\n## ", 1))
    articles[3].write_text(articles[3].read_text().replace("\n## ", "\n[Old](/conditions/gone/)\n\n## ", 1))
    record = tmp_path / "gathered.txt"
    parallel = publish(content, tmp_path / "parallel" / "output", ON, GATHERED.format(record=str(record)))
    serial = publish(content, tmp_path / "serial" / "output", OFF)
    read_back = subprocess.run(
        [sys.executable, str(ROOT / "tools/build.py"), "html", "--content", str(content),
         "--output", str(tmp_path / "html" / "output")], capture_output=True, text=True, cwd=ROOT, timeout=300)
    link_lines = lambda log: [line for line in log.splitlines() if ": link: " in line]  # noqa: E731
    assert parallel["forks"], "the second process wrote some of the pages"
    # the last table taken is the link check's, with every page of both processes
    assert int(record.read_text().split()[-1]) >= 70, "the pages' links were gathered as they were written"
    assert link_lines(parallel["log"]) == link_lines(serial["log"]) == link_lines(read_back.stdout) == [
        f"output/{articles[0].parent.name}/{articles[0].stem}/index.html: link: '/no-such-page/' leads to no file "
        f"in the site (and on {len(articles) + len(translations) - 1} more pages) "
        "(a link on many pages comes from a template in theme/templates/)",
        f"output/{articles[3].parent.name}/{articles[3].stem}/index.html: link: '/conditions/gone/' leads to no "
        "file in the site (fix the link in the page's source, or add the missing page)"]
    assert parallel["status"] == serial["status"] == 1
