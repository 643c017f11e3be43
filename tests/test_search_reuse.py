"""`make publish` keeps each search bundle of the last publish made from the same
page files (plugins/clinic/speed/search_reuse.py): Pagefind indexes only the
bundles whose pages changed, the index is what a publish from an empty cache
writes, and no file of the live site is ever written through."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from clinic.outputs import search_index
from clinic.speed import reuse, search_reuse
from conftest import ROOT, published_cleanly, same_as_fresh as fresh_publish_matches

pytestmark = pytest.mark.english_only

PAGE = "conditions/hammertoes/index.html"
EDIT = ("conditions/hammertoes.md", "\n## Overview\n", "\n## Overview\n\nZebra stripes at dawn.\n")


@pytest.fixture
def fs(fixture_site, tmp_path):
    fixture_site.settings["THEME"] = str(ROOT / "theme")
    return fixture_site


@pytest.fixture
def parted(fs):
    """The site indexed in bundles of at most 8 pages, as a large site is."""
    fs.settings["CLINIC_SEARCH_PAGES_PER_INDEX"] = 8
    return fs


@pytest.fixture
def launched(monkeypatch) -> list:
    """The runs each publish gives Pagefind: the whole plan (None) or the bundles
    it indexes again; a publish that indexes nothing adds no entry."""
    seen = []
    original = search_index.SearchIndex._launch

    def spy(self, stderr, only=None, ready=None):
        seen.append(None if only is None else [_glob(run) for run in only])
        return original(self, stderr, only, ready)
    monkeypatch.setattr(search_index.SearchIndex, "_launch", spy)
    return seen


def _glob(run: list[str]) -> str:
    return run[run.index("--glob") + 1]


def bundle_files(output: Path) -> dict[str, int]:
    """Every file of the search index (every bundle), by its inode."""
    return {p.relative_to(output).as_posix(): p.stat().st_ino for p in sorted((output / "pagefind").rglob("*"))
            if p.is_file()}


def same_as_fresh(fs, tmp_path) -> None:
    """conftest's, and the index holds the pages a fresh publish's does."""
    site = fresh_publish_matches(fs, tmp_path)
    assert search_index.indexed_pages(fs.output) == search_index.indexed_pages(site.output) > 0


def hold(output: Path, tmp_path: Path) -> dict[Path, bytes]:
    """Another name for every file of the live search index, and its bytes now: a
    publish that wrote into one of them would change the bytes under that name."""
    held = {}
    keep = tmp_path / f"held-{len(list(tmp_path.glob('held-*')))}"
    for i, name in enumerate(bundle_files(output)):
        keep.mkdir(exist_ok=True)
        os.link(output / name, keep / str(i))
        held[keep / str(i)] = (keep / str(i)).read_bytes()
    assert held
    return held


def test_a_publish_with_nothing_changed_runs_no_pagefind_and_keeps_the_index(fs, launched, tmp_path):
    published_cleanly(fs.publish())
    assert launched == [None], "an empty cache: the whole site is indexed"
    before = bundle_files(fs.output)
    published_cleanly(fs.publish())
    assert launched == [None], "nothing changed: Pagefind is not started"
    assert bundle_files(fs.output) == before, "the live index's own files are in the new site"
    same_as_fresh(fs, tmp_path)


def test_an_edit_indexes_again_the_bundle_that_holds_the_page_and_only_it(parted, launched, tmp_path):
    fs = parted
    published_cleanly(fs.publish())
    before = bundle_files(fs.output)
    assert len(search_index.bundles_in(fs.output)) >= 3
    held = hold(fs.output, tmp_path)
    launched.clear()
    fs.edit(*EDIT)
    published_cleanly(fs.publish())
    ((glob,),) = launched  # one run, for one bundle
    assert PAGE in glob.replace("\\", "")
    after = bundle_files(fs.output)
    kept = {name for name in after if before.get(name) == after[name]}
    indexed_again = {name.split("/")[1] if name.count("/") > 1 and name.split("/")[1].startswith("part-") else ""
                     for name in after if name not in kept}
    assert len(indexed_again) == 1, indexed_again
    assert len(kept) > len(after) / 2, "the other bundles are the live ones"
    assert all(path.read_bytes() == data for path, data in held.items()), "a live file was written through"
    same_as_fresh(fs, tmp_path)
    assert "Zebra stripes at dawn" in (fs.output / PAGE).read_text(encoding="utf-8")


def test_a_bundle_file_changed_by_hand_is_indexed_again_never_written_through(fs, launched, tmp_path):
    published_cleanly(fs.publish())
    fragment = sorted((fs.output / "pagefind" / "fragment").glob("*.pf_fragment"))[0]
    held = hold(fs.output, tmp_path)
    with open(fragment, "ab") as f:  # changed in place: the held name sees it too
        f.write(b"by hand")
    held = {path: path.read_bytes() for path in held}
    launched.clear()
    published_cleanly(fs.publish())
    assert launched == [None], "the bundle is indexed again"
    assert all(path.read_bytes() == data for path, data in held.items()), "a live file was written through"
    same_as_fresh(fs, tmp_path)


def test_a_bundle_file_deleted_by_hand_is_indexed_again(fs, launched, tmp_path):
    published_cleanly(fs.publish())
    (fs.output / "pagefind" / "pagefind-entry.json").unlink()
    launched.clear()
    published_cleanly(fs.publish())
    assert launched == [None]
    same_as_fresh(fs, tmp_path)


def test_another_pagefind_indexes_every_bundle_again(parted, launched, monkeypatch, tmp_path):
    fs = parted
    published_cleanly(fs.publish())
    state = search_reuse.binary()
    assert state is not None
    monkeypatch.setattr(search_reuse, "binary", lambda: state[:-1] + [state[-1] + 1])  # another file
    launched.clear()
    published_cleanly(fs.publish())
    assert launched == [None], "every bundle is indexed again"
    same_as_fresh(fs, tmp_path)


def test_a_bundle_that_cannot_be_linked_whole_is_indexed_again(parted, launched, monkeypatch, tmp_path):
    """A link that fails half-way through a bundle (a full disk, say): the files
    already linked go, so that Pagefind's writes into that bundle make new files."""
    fs = parted
    published_cleanly(fs.publish())
    bundles = len(search_index.bundles_in(fs.output))
    held = hold(fs.output, tmp_path)
    calls = []

    def link_or_copy(source, target):
        calls.append(target)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        reuse.link_or_copy(source, target)
    monkeypatch.setattr(search_reuse, "link_or_copy", link_or_copy)
    before = bundle_files(fs.output)
    launched.clear()
    published_cleanly(fs.publish())
    ((glob,),) = launched
    assert len(calls) > 3 and bundles > 1
    after = bundle_files(fs.output)
    kept_by_bundle: dict[str, set[bool]] = {}
    for name, inode in after.items():
        kept_by_bundle.setdefault(_bundle_of(name), set()).add(before.get(name) == inode)
    assert all(len(kept) == 1 for kept in kept_by_bundle.values()), \
        f"a bundle indexed again holds files of the live site: {kept_by_bundle}"
    assert sorted(kept_by_bundle.values(), key=sorted).count({False}) == 1
    assert all(path.read_bytes() == data for path, data in held.items()), "a live file was written through"
    same_as_fresh(fs, tmp_path)


def _bundle_of(name: str) -> str:
    parts = name.split("/")
    return "/".join(parts[:2]) if len(parts) > 2 and parts[1].startswith(search_index.PART_PREFIX) else parts[0]


def test_a_record_naming_a_file_outside_the_site_indexes_everything_again(fs, launched, tmp_path):
    """A record this code did not write: a bundle file that is not in the live
    site is never linked, nor touched."""
    published_cleanly(fs.publish())
    outside = fs.output.parent / "outside.txt"
    outside.write_text("not the site's")
    (record,) = (fs.base / "cache").glob(f"content/*/{reuse.RECORD}")
    data = json.loads(record.read_text(encoding="utf-8"))
    (made,) = data["search"]["bundles"].values()
    made["files"]["../outside.txt"] = search_reuse._state(str(outside))  # its very state
    record.write_text(json.dumps(data), encoding="utf-8")
    launched.clear()
    published_cleanly(fs.publish())
    assert launched == [None]
    assert outside.read_text() == "not the site's"
    same_as_fresh(fs, tmp_path)


def test_a_page_rendered_again_has_its_bundle_indexed_again(fs, launched, tmp_path):
    """A page written again is a new file, even with the same bytes: the rule is
    the file, never a guess about its bytes."""
    published_cleanly(fs.publish())
    fs.edit("conditions/bunions.md", "Title: Bunions", "Title: Bunions and bunionettes")
    launched.clear()
    published_cleanly(fs.publish())
    assert launched == [None]
    same_as_fresh(fs, tmp_path)
    shutil.rmtree(fs.base / "cache")  # an empty cache: no record, the whole site indexed
    launched.clear()
    published_cleanly(fs.publish())
    assert launched == [None]


@pytest.mark.with_translations
def test_a_site_in_two_languages_keeps_its_index_and_indexes_an_edit_to_a_translation(fs, launched, tmp_path):
    """Pagefind keeps one index per language in the same bundle: an edit to the
    Spanish page indexes the bundle again, and the Spanish index finds it."""
    published_cleanly(fs.publish())
    published_cleanly(fs.publish())
    assert launched == [None], "nothing changed: the bundle of both languages is kept"
    fs.edit("conditions/bunions.es.md", "\n## Información general\n",
            "\n## Información general\n\nRayas de cebra al amanecer.\n")
    published_cleanly(fs.publish())
    assert launched == [None, None]
    same_as_fresh(fs, tmp_path)
