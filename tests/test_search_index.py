"""The search index runs beside the build (plugins/clinic/search_index.py): it must
hold every searchable page, and say so when it does not."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from build import check_output
from clinic.outputs import search_index

PAGE = ('<!doctype html><html lang="en"><head><title>{t}</title></head>'
        '<body><main><article data-pagefind-body><h1>{t}</h1><p>Heel pain in the morning.</p></article></main></body></html>')


def write_pages(folder, *titles):
    for i, title in enumerate(titles):
        (folder / f"p{i}").mkdir(parents=True, exist_ok=True)
        (folder / f"p{i}" / "index.html").write_text(PAGE.format(t=title), encoding="utf-8")


def test_the_built_site_index_holds_every_searchable_page(site):
    counts = {}
    assert check_output(site.output, "https://clinic.test", counts=counts) == []
    searchable = sum("data-pagefind-body" in (site.output / rel).read_text(encoding="utf-8")
                     for rel in site.html_files() if not rel.startswith("pagefind/"))
    assert counts["searchable"] == searchable >= 24
    assert search_index.indexed_pages(site.output) == searchable


def test_a_page_missing_from_the_index_is_an_error(tmp_path):
    write_pages(tmp_path, "Plantar fasciitis")
    search_index.start(tmp_path)
    assert search_index.started(tmp_path)
    problems = search_index.finish(tmp_path, searchable=2)  # the build counted two searchable pages
    assert [p.format() for p in problems] == [
        "search index: pagefind: holds 1 pages but 2 pages are marked searchable "
        "(a searchable page was written after the index started; report this as a build bug)"]
    assert not search_index.started(tmp_path)
    write_pages(tmp_path, "Plantar fasciitis", "Bunions")
    assert search_index.run(tmp_path) == []
    assert search_index.indexed_pages(tmp_path) == 2


def test_pagefind_failing_is_reported_and_a_stopped_build_leaves_no_indexer(tmp_path):
    missing = tmp_path / "no-such-site"
    problems = search_index.run(missing)
    assert len(problems) == 1 and problems[0].path == "search index" and problems[0].severity == "error"
    write_pages(tmp_path, "Bunions")
    search_index.start(tmp_path)
    proc = search_index._running[search_index._key(tmp_path)][0]
    search_index.stop(tmp_path)
    assert proc.poll() is not None and not search_index.started(tmp_path)


def test_pagefind_reads_only_the_folders_that_hold_searchable_pages(tmp_path):
    glob = search_index.searchable_glob(["conditions/bunions/index.html", "conditions/hammertoes/index.html",
                                         "about/index.html", "404.html"])
    assert glob == "{404.html,about/**/*.html,conditions/**/*.html}"
    assert search_index.searchable_glob([]) is None
    # Pagefind takes it: the page under a listed folder is indexed, the browse page is not read
    write_pages(tmp_path / "conditions", "Plantar fasciitis")
    write_pages(tmp_path / "browse", "Heel")
    search_index._globs[search_index._key(tmp_path)] = search_index.searchable_glob(["conditions/p0/index.html"])
    try:
        command = search_index.command(tmp_path)
        assert "--glob" in command
        # Pagefind's own binary, not `python -m pagefind` (a Python start-up per run, only to find it)
        assert Path(command[0]).name == "pagefind" and os.access(command[0], os.X_OK)
        assert search_index.run(tmp_path) == []
        assert search_index.indexed_pages(tmp_path) == 1
    finally:
        search_index._globs.clear()


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
    key = search_index._key(tmp_path)
    search_index._plans[key] = search_index.plan([f"conditions/p{i}/index.html" for i in range(5)], per_index=2)
    try:
        assert len(search_index.commands(tmp_path)) == 3
        assert search_index.run(tmp_path) == []
        assert search_index.indexed_pages(tmp_path) == 5
        assert sorted(p.name for p in (tmp_path / "pagefind").glob("part-*")) == ["part-2", "part-3"]
        assert search_index.part_urls(tmp_path, "https://clinic.test") == [
            "https://clinic.test/pagefind/part-2/", "https://clinic.test/pagefind/part-3/"]
        # indexed again (the dev server): the parts are written over, not deleted and made again
        marker = tmp_path / "pagefind" / "part-2" / "kept"
        marker.write_text("")
        assert search_index.run(tmp_path) == [] and marker.exists()
        assert search_index.indexed_pages(tmp_path) == 5
        # one part's pages gone: Pagefind fails on that part, and the problem says which
        (tmp_path / "conditions" / "p4" / "index.html").unlink()
        (tmp_path / "conditions" / "p4").rmdir()
        (problem,) = search_index.run(tmp_path)
        assert problem.path == "search index" and "part 3 of 3" in problem.message, problem.format()
        # a site that shrinks to one part leaves no old part behind
        search_index._plans.pop(key)
        assert search_index.run(tmp_path) == [] and not list((tmp_path / "pagefind").glob("part-*"))
    finally:
        search_index._plans.pop(key, None)


def test_stopping_an_index_in_parts_ends_the_pagefind_it_started(tmp_path):
    import os
    import time
    for i in range(40):
        write_pages(tmp_path / f"f{i}", *[f"Page {i} {j}" for j in range(20)])
    key = search_index._key(tmp_path)
    search_index._plans[key] = search_index.plan(
        [f"f{i}/p{j}/index.html" for i in range(40) for j in range(20)], per_index=100)
    try:
        search_index.start(tmp_path)
        runner = search_index._running[key][0]
        time.sleep(0.5)
        group = os.getpgid(runner.pid)
        search_index.stop(tmp_path)
        time.sleep(0.2)
        alive = [pid for pid in map(int, filter(str.isdigit, os.listdir("/proc")))
                 if _group_of(pid) == group]
        assert alive == [] and runner.poll() is not None
    finally:
        search_index._plans.pop(key, None)


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
    key = search_index._key(tmp_path)
    pages = [f"conditions/p{i}/index.html" for i in range(6)]
    search_index._plans[key] = search_index.plan(pages, per_index=2)  # p0 p1 | p2 p3 | p4 p5
    page = tmp_path / "conditions" / "p0" / "index.html"
    try:
        def index_now() -> dict[str, int]:
            assert search_index.run(tmp_path, background=True) == []
            search_index.wait_for_background()
            return _entries(tmp_path)

        first = index_now()
        assert sorted(first) == ["pagefind", "pagefind/part-2", "pagefind/part-3"]
        assert search_index.indexed_pages(tmp_path) == 6

        # nothing changed: Pagefind is not started at all
        assert search_index.run(tmp_path, background=True) == [] and search_index._background == []
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
        assert "pagefind/part-2" not in search_index._made[key]
        for name in ("p2", "p3"):
            shutil.move(tmp_path / name, tmp_path / "conditions" / name)
        fixed = index_now()
        assert [b for b in sorted(fixed) if fixed[b] != again[b]] == ["pagefind/part-2"]
        assert search_index.indexed_pages(tmp_path) == 6

        # a new plan (pages added, bundles of another size): every bundle again, none left over
        write_pages(tmp_path / "conditions", *titles, "Gout")
        search_index._plans[key] = search_index.plan(pages + ["conditions/p6/index.html"], per_index=4)
        replanned = index_now()
        assert sorted(replanned) == ["pagefind", "pagefind/part-2"]
        assert all(replanned[b] != fixed[b] for b in replanned)
        assert search_index.indexed_pages(tmp_path) == 7
    finally:
        search_index._plans.pop(key, None)
        search_index._made.pop(key, None)
