"""The search index runs beside the build (plugins/clinic/outputs/search_index.py): it must
hold every searchable page, and say so when it does not."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from build import check_output
from clinic.outputs import pagefind_runs, search_index
from conftest import CONTENT, files_of, published, published_articles, published_cleanly, run_build

PAGE = ('<!doctype html><html lang="en"><head><title>{t}</title></head>'
        '<body><main><article data-pagefind-body><h1>{t}</h1><p>Heel pain in the morning.</p></article></main></body></html>')


def index_of(folder, parts=None) -> search_index.SearchIndex:
    """A build's search index for `folder`, with its own dev-server memory."""
    index = search_index.SearchIndex(folder, 600, search_index.SearchMemory())
    index.parts = parts or []
    return index


def write_pages(folder, *titles):
    for i, title in enumerate(titles):
        (folder / f"p{i}").mkdir(parents=True, exist_ok=True)
        (folder / f"p{i}" / "index.html").write_text(PAGE.format(t=title), encoding="utf-8")


def test_the_built_site_index_holds_every_searchable_page(site):
    counts = {}
    assert check_output(site.output, "https://clinic.test", counts=counts) == []
    searchable = sum("data-pagefind-body" in (site.output / rel).read_text(encoding="utf-8")
                     for rel in site.html_files() if not rel.startswith("pagefind/"))
    assert counts["searchable"] == searchable >= published_articles() + len(published("pages"))
    assert search_index.indexed_pages(site.output) == searchable


def test_a_page_missing_from_the_index_is_an_error(tmp_path):
    write_pages(tmp_path, "Plantar fasciitis")
    index = index_of(tmp_path)
    index.start()
    assert index.started
    problems = index.finish(searchable=2)  # the build counted two searchable pages
    assert [p.format() for p in problems] == [
        "search index: pagefind: holds 1 pages but 2 pages are marked searchable "
        "(a searchable page was written after the index started; report this as a build bug)"]
    assert not index.started
    write_pages(tmp_path, "Plantar fasciitis", "Bunions")
    assert index.run() == []
    assert search_index.indexed_pages(tmp_path) == 2


def test_pagefind_failing_is_reported_and_a_stopped_build_leaves_no_indexer(tmp_path):
    missing = tmp_path / "no-such-site"
    problems = index_of(missing).run()
    assert len(problems) == 1 and problems[0].path == "search index" and problems[0].severity == "error"
    write_pages(tmp_path, "Bunions")
    index = index_of(tmp_path)
    index.start()
    proc = index.running[0]
    index.stop()
    assert proc.poll() is not None and not index.started


def test_pagefind_reads_only_the_folders_that_hold_searchable_pages(tmp_path):
    glob = search_index.searchable_glob(["conditions/bunions/index.html", "conditions/hammertoes/index.html",
                                         "about/index.html", "404.html"])
    assert glob == "{404.html,about/**/*.html,conditions/**/*.html}"
    assert search_index.searchable_glob([]) is None
    # Pagefind takes it: the page under a listed folder is indexed, the browse page is not read
    write_pages(tmp_path / "conditions", "Plantar fasciitis")
    write_pages(tmp_path / "browse", "Heel")
    index = index_of(tmp_path)
    index.glob = search_index.searchable_glob(["conditions/p0/index.html"])
    command = index.command()
    assert "--glob" in command
    # Pagefind's own binary, not `python -m pagefind` (a Python start-up per run, only to find it)
    assert Path(command[0]).name == "pagefind" and os.access(command[0], os.X_OK)
    assert index.run() == []
    assert search_index.indexed_pages(tmp_path) == 1


def test_a_large_site_is_planned_in_even_parts_each_with_a_glob_pagefind_can_take():
    pages = [f"conditions/c{i:04d}/index.html" for i in range(1300)] + ["about/index.html"]
    parts = search_index.plan(pages, per_index=600)
    assert [len(p) for p in parts] == [434, 434, 433]
    assert sorted(sum(parts, [])) == sorted(pages)
    assert search_index.plan(pages[:600], per_index=600) == [sorted(pages[:600])]
    assert search_index.plan([], per_index=600) == []
    # a glob too long for one argument: more, smaller parts
    parts = search_index.plan(pages, per_index=600, max_glob=10_000)
    assert all(len(search_index.file_glob(p)) <= 10_000 for p in parts) and len(parts) > 3
    assert search_index.bundles(3) == ["pagefind", "pagefind/part-2", "pagefind/part-3"]
    assert search_index.file_glob(["a/b{1}/index.html", "c,d/x.html"]) == r"{a/b\{1\}/index.html,c\,d/x.html}"


def test_an_index_in_parts_holds_every_page_and_a_failing_part_is_named(tmp_path):
    write_pages(tmp_path / "conditions", "Plantar fasciitis", "Bunions", "Hammertoes", "Heel spur", "Arthritis")
    index = index_of(tmp_path, search_index.plan([f"conditions/p{i}/index.html" for i in range(5)], per_index=2))
    assert len(index.commands()) == 3
    assert index.run() == []
    assert search_index.indexed_pages(tmp_path) == 5
    assert sorted(p.name for p in (tmp_path / "pagefind").glob("part-*")) == ["part-2", "part-3"]
    assert index.part_urls("https://clinic.test") == [
        "https://clinic.test/pagefind/part-2/", "https://clinic.test/pagefind/part-3/"]
    # indexed again (the dev server): the parts are written over, not deleted and made again
    marker = tmp_path / "pagefind" / "part-2" / "kept"
    marker.write_text("")
    assert index.run() == [] and marker.exists()
    assert search_index.indexed_pages(tmp_path) == 5
    # one part's pages gone: Pagefind fails on that part, and the problem says which
    (tmp_path / "conditions" / "p4" / "index.html").unlink()
    (tmp_path / "conditions" / "p4").rmdir()
    (problem,) = index.run()
    assert problem.path == "search index" and "part 3 of 3" in problem.message, problem.format()
    # a site that shrinks to one part leaves no old part behind
    index.parts = []
    assert index.run() == [] and not list((tmp_path / "pagefind").glob("part-*"))


def test_stopping_an_index_in_parts_ends_the_pagefind_it_started(tmp_path):
    import os
    import time
    for i in range(40):
        write_pages(tmp_path / f"f{i}", *[f"Page {i} {j}" for j in range(20)])
    index = index_of(tmp_path, search_index.plan(
        [f"f{i}/p{j}/index.html" for i in range(40) for j in range(20)], per_index=100))
    index.start()
    runner = index.running[0]
    time.sleep(0.5)
    group = os.getpgid(runner.pid)
    index.stop()
    time.sleep(0.2)
    alive = [pid for pid in map(int, filter(str.isdigit, os.listdir("/proc")))
             if _group_of(pid) == group]
    assert alive == [] and runner.poll() is not None


def _group_of(pid: int):
    """The process group of a running process (a zombie has ended: None)."""
    import os
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return None if state in ("Z", "X") else os.getpgid(pid)
    except OSError:
        return None


def _entries(folder) -> dict[str, int]:
    """Each bundle's entry file (Pagefind writes it in every run) by its modification time."""
    return {b.relative_to(folder).as_posix(): (b / search_index.ENTRY).stat().st_mtime_ns
            for b in search_index.bundles_in(folder)}


def _bundle_text(bundle) -> str:
    import gzip
    return "".join(gzip.decompress(f.read_bytes()).decode("utf-8", "replace")
                   for f in (bundle / "fragment").glob("*.pf_fragment"))


def test_the_dev_server_indexes_again_only_the_bundles_whose_pages_changed(tmp_path):
    titles = ["Plantar fasciitis", "Bunions", "Hammertoes", "Heel spur", "Arthritis", "Ankle sprain"]
    write_pages(tmp_path / "conditions", *titles)
    pages = [f"conditions/p{i}/index.html" for i in range(6)]
    memory = search_index.SearchMemory()  # the dev server's, across rebuilds

    def rebuild(parts) -> search_index.SearchIndex:  # each rebuild has an index of its own
        index = search_index.SearchIndex(tmp_path, 600, memory)
        index.parts = parts
        return index

    plan = search_index.plan(pages, per_index=2)  # p0 p1 | p2 p3 | p4 p5
    page = tmp_path / "conditions" / "p0" / "index.html"
    def index_now() -> dict[str, int]:
        assert rebuild(plan).run(background=True) == []
        memory.wait()
        return _entries(tmp_path)

    first = index_now()
    assert sorted(first) == ["pagefind", "pagefind/part-2", "pagefind/part-3"]
    assert search_index.indexed_pages(tmp_path) == 6

    # nothing changed: Pagefind is not started at all
    assert rebuild(plan).run(background=True) == [] and memory.background == []
    assert _entries(tmp_path) == first

    # one page's text: only its bundle is indexed again, and holds the new words
    page.write_text(page.read_text().replace("Heel pain in the morning.", "Zebra stripes at dawn."))
    after = index_now()
    assert [b for b in after if after[b] != first[b]] == ["pagefind"]
    assert "Zebra stripes at dawn" in _bundle_text(tmp_path / "pagefind")
    assert search_index.indexed_pages(tmp_path) == 6

    # a page written again with the same bytes (a title edit renders every page): nothing to index
    other = tmp_path / "conditions" / "p3" / "index.html"
    other.write_bytes(other.read_bytes())
    assert index_now() == after

    # a bundle deleted by hand is made again
    shutil.rmtree(tmp_path / "pagefind" / "part-3")
    again = index_now()
    assert [b for b in sorted(again) if again[b] != after.get(b)] == ["pagefind/part-3"]

    # a run that fails leaves its bundle to be made again, even with nothing changed since
    # (Pagefind fails on a bundle none of whose pages it finds)
    for name in ("p2", "p3"):
        shutil.move(tmp_path / "conditions" / name, tmp_path / name)
    index_now()
    assert "pagefind/part-2" not in memory.made[os.path.realpath(tmp_path)]
    for name in ("p2", "p3"):
        shutil.move(tmp_path / name, tmp_path / "conditions" / name)
    fixed = index_now()
    assert [b for b in sorted(fixed) if fixed[b] != again[b]] == ["pagefind/part-2"]
    assert search_index.indexed_pages(tmp_path) == 6

    # a new plan (pages added, bundles of another size): every bundle again, none left over
    write_pages(tmp_path / "conditions", *titles, "Gout")
    plan = search_index.plan(pages + ["conditions/p6/index.html"], per_index=4)
    replanned = index_now()
    assert sorted(replanned) == ["pagefind", "pagefind/part-2"]
    assert all(replanned[b] != fixed[b] for b in replanned)
    assert search_index.indexed_pages(tmp_path) == 7



def test_two_builds_of_the_same_content_are_the_same_bytes(site, parted_site, tmp_path):
    """Reproducible builds (issue 19): every file, the search index, its
    compressed copies and the host files included, for one index and for an
    index in parts. Pagefind alone would name its filter and metadata files
    differently on every run."""
    again = run_build("publish", CONTENT, tmp_path / "again")
    assert again.status == 0, again.log
    first, second = files_of(site.output), files_of(again.output)
    assert list(first) == list(second)
    assert [rel for rel in first if first[rel] != second[rel]] == []
    assert any(rel.startswith("pagefind/filter/") for rel in first) and "_headers" in first
    parted = run_build("html", CONTENT, tmp_path / "parted", settings_override={"CLINIC_SEARCH_PAGES_PER_INDEX": 8})
    assert parted.status == 0, parted.log
    first, second = files_of(parted_site.output), files_of(parted.output)
    assert list(first) == list(second) and [rel for rel in first if first[rel] != second[rel]] == []


def test_settle_puts_any_order_of_pagefind_output_in_one_and_removes_what_is_left_over(site, tmp_path):
    bundle = tmp_path / "pagefind"
    shutil.copytree(site.output / "pagefind", bundle, ignore=shutil.ignore_patterns("*.gz", "*.br"))
    settled = files_of(bundle)
    # Pagefind's HashMap order: each filter's values reversed, under the file's old name
    for path in (bundle / "filter").glob("*.pf_filter"):
        label, values = pagefind_runs._read(path)
        path.write_bytes(pagefind_runs._pack([label, values[::-1]]))
        path.rename(path.with_name(path.stem[:-1] + "0.pf_filter"))
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    # one index per language (English, and the Spanish pages by their <html lang>), each with its metadata
    assert sorted(entry["languages"]) == ["en", "es"]
    for lang in entry["languages"].values():
        meta_path = bundle / f"pagefind.{lang['hash']}.pf_meta"
        meta = pagefind_runs._read(meta_path)
        meta[3] = [[name, file[:-1] + "0"] for name, file in meta[3][::-1]]
        meta_path.write_bytes(pagefind_runs._pack(meta))
    # the languages in the entry file in the other order (a HashMap's too)
    entry["languages"] = dict(reversed(list(entry["languages"].items())))
    (bundle / "pagefind-entry.json").write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
    # left by an earlier index in the same folder
    (bundle / "fragment" / "en_0000000.pf_fragment").write_bytes(b"old")
    (bundle / "pagefind.en_0000000000.pf_meta").write_bytes(b"old")
    (bundle / "pagefind.es_0000000000.pf_meta").write_bytes(b"old")
    # Pagefind's ready-made interfaces, which the site's search page does not load
    for name in pagefind_runs.UNUSED:
        (bundle / name).write_bytes(b"/* Pagefind's own search interface */")
    assert files_of(bundle) != settled
    pagefind_runs.settle(bundle)
    assert files_of(bundle) == settled


def test_the_published_index_holds_what_the_search_page_loads_and_nothing_it_does_not(site):
    """pagefind.js and what it loads stay (the browser tests search with them);
    Pagefind's ready-made interfaces, which no page loads, are not published."""
    bundle = site.output / "pagefind"
    names = {p.name for p in bundle.iterdir()}
    assert {"pagefind.js", "pagefind-worker.js", "pagefind-entry.json"} <= names
    assert any(n.startswith("wasm.") for n in names)
    assert not names & {n + suffix for n in pagefind_runs.UNUSED for suffix in ("", ".gz", ".br")}
    pages = "".join((site.output / rel).read_text(encoding="utf-8") for rel in site.html_files())
    scripts = "".join(p.read_text(encoding="utf-8") for p in (site.output / "theme").rglob("*.js"))
    assert not any(n in pages + scripts for n in pagefind_runs.UNUSED)


def test_the_dev_server_finishes_the_index_in_the_background_while_it_watches(tmp_path):
    """SearchMemory.poll(), called while the dev server waits for a change: once the
    background run has ended, its bundles count as made and the host files follow;
    before, nothing is waited for."""
    import subprocess
    import sys
    memory = search_index.SearchMemory()
    done: list[int] = []
    release = tmp_path / "release"
    proc = subprocess.Popen([sys.executable, "-c", "import os, time\n"
                             f"while not os.path.exists({str(release)!r}): time.sleep(0.01)"])
    memory.background.append((proc, str(tmp_path), {}))
    memory.then.append(lambda: done.append(1))
    memory.poll()
    assert done == [] and memory.background, "still indexing: not waited for"
    release.touch()
    proc.wait()
    memory.poll()
    assert done == [1] and not memory.background and not memory.then
    memory.poll()
    assert done == [1], "once"


def test_a_runner_started_ahead_indexes_when_given_its_runs_even_with_a_fork_alive(tmp_path):
    """A publish starts Pagefind's runner at its start (prepare()); the build then
    forks (parallel reading and writing). The runner must index as soon as it
    is given its runs, not when the last forked process has ended."""
    import time
    index = index_of(tmp_path)
    index.prepare()
    runner = index.ready.proc
    child = os.fork()
    if child == 0:  # a forked process of the build that lives on (its copy of the pipe is closed)
        time.sleep(20)
        os._exit(0)
    try:
        write_pages(tmp_path, "Plantar fasciitis", "Bunions")
        index.start()
        assert index.running[0] is runner  # the runner started ahead, not a new one
        assert index.finish(searchable=2) == []
        assert os.waitpid(child, os.WNOHANG) == (0, 0)  # done while the forked process still lives
        assert search_index.indexed_pages(tmp_path) == 2 and runner.poll() == 0
    finally:
        try:
            os.kill(child, 9)
            os.waitpid(child, 0)
        except (ProcessLookupError, ChildProcessError):  # ended, and waited for, above
            pass


def test_a_runner_started_ahead_ends_with_a_build_that_fails_before_its_pages(tmp_path):
    index = index_of(tmp_path)
    index.prepare()
    runner = index.ready.proc
    index.stop()  # Build.close(): the build stopped before any page was written
    assert runner.poll() is not None and index.ready is None and not index.started


def test_a_runner_that_ended_before_its_runs_is_replaced(tmp_path):
    write_pages(tmp_path, "Achilles tendinopathy")
    index = index_of(tmp_path)
    index.prepare()
    index.ready.proc.kill()
    index.ready.proc.wait()
    index.start()
    assert index.finish(searchable=1) == [] and search_index.indexed_pages(tmp_path) == 1


def test_a_publish_starts_the_runner_before_its_pages_are_written(tmp_path, monkeypatch):
    """The runner is started at the build's start and given its runs once the
    searchable pages are written; the published index holds them all."""
    events = []
    prepare, launch = search_index.SearchIndex.prepare, search_index.SearchIndex._launch

    def prepared(self):
        events.append(("prepare", any(self.output.rglob("*.html")) if self.output.exists() else False))
        prepare(self)

    def launched(self, stderr, only=None, ready=None):
        events.append(("launch", ready is not None))
        return launch(self, stderr, only, ready)

    monkeypatch.setattr(search_index.SearchIndex, "prepare", prepared)
    monkeypatch.setattr(search_index.SearchIndex, "_launch", launched)
    site = run_build("publish", CONTENT, tmp_path / "out")
    published_cleanly(site)
    assert events == [("prepare", False), ("launch", True)]
    counts = {}
    assert check_output(tmp_path / "out", "https://clinic.test", counts=counts) == []
    assert search_index.indexed_pages(tmp_path / "out") == counts["searchable"] > 0
