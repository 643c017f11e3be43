"""`make publish` keeps Pelican's content cache (plugins/clinic/speed/content_cache.py):
a publish converts again only the Markdown files whose text changed, and writes
exactly what a publish from an empty cache writes. A cache made by other
settings, other code or other libraries is never read, nor one that a stopped
build may have left half written."""

from __future__ import annotations

import os
import shutil

import pytest

from clinic.speed import content_cache, parallel_read
from conftest import files_of, published_cleanly, record_calls

pytestmark = pytest.mark.english_only

EDITED = "conditions/hammertoes.md"


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The Markdown files each build converts, by their path under content/."""
    return record_calls(monkeypatch, parallel_read.PrefetchingMarkdownReader, "read",
                        lambda reader, path, _: os.path.relpath(path, reader.settings["PATH"]).replace(os.sep, "/"))


def test_a_second_publish_converts_only_the_edited_file_and_writes_the_same_bytes(fixture_site, reads, tmp_path):
    first = fixture_site.publish()
    published_cleanly(first)
    converted_first = set(reads)
    assert converted_first >= {EDITED}, "the first publish reads every article"
    reads.clear()

    fixture_site.edit(EDITED, "Hammertoes", "Hammer toes", count=1)
    second = fixture_site.publish()
    published_cleanly(second)
    assert reads == [EDITED], "only the edited file is converted again"
    assert "Hammer toes" in second.markup("conditions/hammertoes/index.html")

    fresh = fixture_site.publish_fresh(tmp_path)
    published_cleanly(fresh)
    assert files_of(second.output) == files_of(fresh.output)


def test_a_file_changed_under_its_old_date_is_read_again(fixture_site, reads):
    """A file put back from a copy keeps its old modification time: the cache
    compares each file's digest, not its date."""
    published_cleanly(fixture_site.publish())
    path = fixture_site.content / EDITED
    before = path.stat()
    text = fixture_site.read(EDITED)
    assert "Hammertoes" in text
    path.write_text(text.replace("Hammertoes", "Hammer toes", 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    reads.clear()
    site = fixture_site.publish()
    published_cleanly(site)
    assert reads == [EDITED]
    assert "Hammer toes" in site.markup("conditions/hammertoes/index.html")


def test_other_settings_start_from_an_empty_cache(fixture_site, reads):
    published_cleanly(fixture_site.publish())
    every = sorted(reads)
    reads.clear()
    published_cleanly(fixture_site.publish())
    assert reads == [], "nothing changed: nothing is converted"
    # any other setting names a cache of its own, even one that changes nothing Markdown makes
    site = fixture_site.publish(CLINIC_SEARCH_PAGES_PER_INDEX=599)
    published_cleanly(site)
    assert sorted(reads) == every
    assert len(list((fixture_site.base / "cache" / content_cache.SUBFOLDER).iterdir())) == 2


def test_a_cache_a_stopped_build_left_is_not_loaded(fixture_site, reads, tmp_path):
    """A publish killed while Pelican wrote its cache file leaves it half written
    and the folder not marked complete: the next publish reads every file, says
    nothing more than usual and writes what a publish from an empty cache writes."""
    published_cleanly(fixture_site.publish())
    (folder,) = (fixture_site.base / "cache" / content_cache.SUBFOLDER).iterdir()
    pickled = folder / "ArticlesGenerator-Readers"
    data = pickled.read_bytes()
    pickled.write_bytes(data[: len(data) // 2])
    (folder / content_cache.COMPLETE).unlink()
    every = sorted(reads)
    reads.clear()
    site = fixture_site.publish()
    published_cleanly(site)
    assert sorted(reads) == every
    assert (folder / content_cache.COMPLETE).is_file()
    fresh = fixture_site.publish_fresh(tmp_path)
    assert files_of(site.output) == files_of(fresh.output)


def test_a_cache_folder_the_build_cannot_use_is_left_alone(fixture_site, reads, tmp_path):
    """A file where the cache's folder would be (or a folder that cannot be
    written): the publish reads every file and says nothing more than usual,
    as with the build's other caches."""
    (fixture_site.base / "cache").mkdir()
    (fixture_site.base / "cache" / content_cache.SUBFOLDER).write_text("not a folder")
    site = fixture_site.publish()
    published_cleanly(site)
    every = sorted(reads)
    reads.clear()
    published_cleanly(fixture_site.publish())
    assert sorted(reads) == every
    assert files_of(site.output) == files_of(fixture_site.publish_fresh(tmp_path).output)


def test_the_stamp_names_what_a_reading_depends_on(tmp_path):
    """Pure: settings (but this run's folders), the settings files, the plugin's
    code, the libraries' versions and Python's each change the folder's name."""
    settings = {"PATH": "/site/content", "OUTPUT_PATH": "/site/output", "CACHE_PATH": "/site/cache",
                "MARKDOWN": {"output_format": "html5"}, "LOAD_CONTENT_CACHE": True}
    files = [("pelicanconf.py", "MARKDOWN = {}\n")]
    base = content_cache.stamp(settings, files, "code", "markdown=3.7", "3.11.7")
    assert base == content_cache.stamp(settings, files, "code", "markdown=3.7", "3.11.7")
    same = [dict(settings, OUTPUT_PATH="/elsewhere"), dict(settings, CACHE_PATH="/other"),
            dict(settings, LOAD_CONTENT_CACHE=False)]
    for changed in same:
        assert content_cache.stamp(changed, files, "code", "markdown=3.7", "3.11.7") == base
    different = [
        content_cache.stamp(dict(settings, MARKDOWN={"output_format": "xhtml"}), files, "code", "markdown=3.7", "3.11.7"),
        content_cache.stamp(settings, [("pelicanconf.py", "MARKDOWN = {'x': 1}\n")], "code", "markdown=3.7", "3.11.7"),
        content_cache.stamp(settings, files, "code2", "markdown=3.7", "3.11.7"),
        content_cache.stamp(settings, files, "code", "markdown=3.8", "3.11.7"),
        content_cache.stamp(settings, files, "code", "markdown=3.7", "3.12.0"),
    ]
    assert len({base, *different}) == 6


def test_the_plugin_code_digest_follows_every_python_file(tmp_path):
    package = tmp_path / "clinic"
    shutil.copytree(content_cache.Path(content_cache.__file__).resolve().parents[1], package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    before = content_cache.code_digest(package)
    extension = package / "pages" / "callouts.py"
    extension.write_text(extension.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert content_cache.code_digest(package) != before


def test_only_the_most_recently_used_folders_are_kept(tmp_path):
    root = tmp_path / "cache"
    for i in range(content_cache.KEEP + 2):
        cache = content_cache.ContentCache(root, f"stamp{i}")
        cache.open({"LOAD_CONTENT_CACHE": True})
        os.utime(cache.folder, ns=(i * 10**9, i * 10**9))
    newest = content_cache.ContentCache(root, "newest")
    newest.open({"LOAD_CONTENT_CACHE": True})
    kept = sorted(p.name for p in (root / content_cache.SUBFOLDER).iterdir())
    assert len(kept) == content_cache.KEEP and "newest" in kept and "stamp0" not in kept


def test_a_folder_is_loaded_only_once_a_build_finished_with_it(tmp_path):
    cache = content_cache.ContentCache(tmp_path, "s")
    settings = {"LOAD_CONTENT_CACHE": True}
    assert cache.open(settings) is False and settings["CACHE_PATH"] == str(cache.folder)
    (cache.folder / "kept").write_text("a whole cache file")
    cache.finished()
    assert cache.open({"LOAD_CONTENT_CACHE": True}) is True
    assert not (cache.folder / content_cache.COMPLETE).exists(), "in use: not complete until it finishes"
    assert cache.open({"LOAD_CONTENT_CACHE": True}) is False
    assert not (cache.folder / "kept").exists(), "left by a build that did not finish: emptied"
    (cache.folder / "kept").write_text("a whole cache file")
    cache.finished()
    assert cache.open({"LOAD_CONTENT_CACHE": False}) is False, "a build that does not load it does not"
    assert (cache.folder / "kept").exists()


def test_a_publish_lets_go_of_what_pelican_saved_and_the_next_one_still_reads_it(fixture_site, reads, monkeypatch):
    """Pelican keeps every file's HTML in memory after saving it to the cache file;
    the build lets it go (plugin.let_go_of_saved_reads), and the next publish
    still takes every unchanged file from the file."""
    from pelican import signals
    held = []

    def after(generator):  # connected after the plugin's receiver: runs after it
        held.append(len(generator.readers._cache))
    signals.article_generator_finalized.connect(after)
    try:
        published_cleanly(fixture_site.publish())
    finally:
        signals.article_generator_finalized.disconnect(after)
    assert held == [0]
    reads.clear()
    published_cleanly(fixture_site.publish())
    assert reads == [], "nothing is converted again"
