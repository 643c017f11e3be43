"""The search index runs beside the build (plugins/clinic/search_index.py): it must
hold every searchable page, and say so when it does not."""

from __future__ import annotations

from build import check_output
from clinic import search_index

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
        assert "--glob" in search_index.command(tmp_path)
        assert search_index.run(tmp_path) == []
        assert search_index.indexed_pages(tmp_path) == 1
    finally:
        search_index._globs.clear()
