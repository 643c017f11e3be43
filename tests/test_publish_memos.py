"""A publish keeps two answers for the next one in the content cache's folder
(plugins/clinic/state.py): each source file's check (checks/validate.py,
Remembered) and the links of each page the link check read back from disk
(checks/links.py, Remembered). Each is found by everything it depends on, so
an edit is always checked again and a problem it brings is always reported."""

from __future__ import annotations

import pytest

from clinic import state
from clinic.checks import links, validate
from conftest import ROOT, files_of, published_cleanly, run_build, same_as_fresh

pytestmark = pytest.mark.english_only

PAGE = "conditions/hammertoes/index.html"


@pytest.fixture
def fs(fixture_site):
    fixture_site.settings["THEME"] = str(ROOT / "theme")
    return fixture_site


@pytest.fixture
def checked(monkeypatch) -> list[str]:
    """The pages' source files each publish checks (validate_article run, not
    remembered). The shared blocks, a handful, are checked on every build."""
    seen = []
    original = validate.validate_article

    def spy(path, *args, **kwargs):
        if "/blocks/" not in path:
            seen.append(path)
        return original(path, *args, **kwargs)
    monkeypatch.setattr(validate, "validate_article", spy)
    return seen


@pytest.fixture
def read_back(monkeypatch) -> list[str]:
    """The pages each publish's link check reads back from disk."""
    seen = []
    original = links.Remembered.links

    def spy(self, page, data, siteurl=""):
        seen.append(page)
        return original(self, page, data, siteurl)
    monkeypatch.setattr(links.Remembered, "links", spy)
    return seen


def publish(fs):
    """`make publish`: one build in a new process, so nothing is kept in memory
    from the last one (a new Session), only what it left in the cache folder."""
    return run_build("publish", fs.content, fs.output, settings_override=fs.settings)


def cache_file(fs, name: str):
    (found,) = (fs.base / "cache").glob(f"content/*/{name}")
    return found


def test_a_publish_checks_again_only_the_source_files_that_changed(fs, checked, tmp_path):
    published_cleanly(publish(fs))
    everything = sorted(checked)
    assert any(path.endswith("hammertoes.md") for path in everything)
    checked.clear()
    published_cleanly(publish(fs))
    assert checked == [], "nothing changed: every file's check is the last publish's"

    fs.edit("conditions/hammertoes.md", "\n## Overview\n", "\n## Overview\n\nAn edited sentence.\n")
    checked.clear()
    published_cleanly(publish(fs))
    assert [path.rsplit("/", 1)[-1] for path in checked] == ["hammertoes.md"]
    same_as_fresh(fs, tmp_path)

    # a problem an edit brings is reported, with its file and field, and output/ is kept
    before = files_of(fs.output)
    fs.edit("conditions/hammertoes.md", "Reviewed-by: ", "Reviewed-by: nobody-", count=1)
    failed = publish(fs)
    assert failed.status == 1 and "output/ was not changed" in failed.log
    (line,) = [line for line in failed.log.splitlines() if "hammertoes.md" in line]
    assert "reviewed-by" in line.lower()
    assert files_of(fs.output) == before

    # a change the file's check depends on (the taxonomy) checks every file again
    fs.edit("conditions/hammertoes.md", "Reviewed-by: nobody-", "Reviewed-by: ", count=1)
    published_cleanly(publish(fs))
    fs.edit("taxonomy.yaml", "label: Front of the foot", "label: Ball of the foot")
    checked.clear()
    published_cleanly(publish(fs))
    assert sorted(checked) == everything
    same_as_fresh(fs, tmp_path)


def test_the_link_check_reads_back_only_pages_that_are_not_the_files_it_read(fs, read_back, tmp_path):
    published_cleanly(publish(fs))  # an empty cache: every page rendered, its links noted as written
    published_cleanly(publish(fs))  # every page copied: read back once, and remembered
    assert PAGE in read_back
    read_back.clear()
    published_cleanly(publish(fs))
    assert read_back == [], "every page is the file the last publish read"

    fs.edit("conditions/hammertoes.md", "\n## Overview\n", "\n## Overview\n\nAn edited sentence.\n")
    published_cleanly(publish(fs))  # rendered: its links noted as it is written
    read_back.clear()
    published_cleanly(publish(fs))
    assert read_back == [PAGE], "the page rendered last time is a new file: read once"
    same_as_fresh(fs, tmp_path)


def test_a_broken_link_on_a_remembered_page_is_still_reported(fs, tmp_path):
    """The answers are a page's links; whether each leads to a file is checked on
    every publish, against the files of that publish."""
    published_cleanly(publish(fs))
    published_cleanly(publish(fs))
    # a file the pages link to, gone from the staging folder as the check runs
    import build
    original = build.check_output

    def without_a_file(target, *args, **kwargs):
        (target / "conditions" / "bunions" / "index.html").unlink()
        return original(target, *args, **kwargs)
    try:
        build.check_output = without_a_file
        failed = publish(fs)
    finally:
        build.check_output = original
    assert failed.status == 1
    assert any("/conditions/bunions/" in line and "leads to no file" in line for line in failed.log.splitlines()), \
        failed.log


@pytest.mark.parametrize("name", [state.SOURCES_CHECKED, state.LINKS_READ])
def test_a_memo_file_that_cannot_be_read_means_checking_again(fs, checked, read_back, tmp_path, name):
    published_cleanly(publish(fs))
    published_cleanly(publish(fs))
    cache_file(fs, name).write_bytes(b"\x80not what the build wrote")
    checked.clear()
    read_back.clear()
    published_cleanly(publish(fs))
    assert (checked if name == state.SOURCES_CHECKED else read_back), "checked again, from the files"
    same_as_fresh(fs, tmp_path)


def test_a_shared_block_is_converted_again_only_when_its_text_changes(fs, monkeypatch, tmp_path):
    from clinic.pages import generator
    made = []

    class Counted(generator.Markdown):
        def convert(self, text):
            made.append(text)
            return super().convert(text)
    monkeypatch.setattr(generator, "Markdown", Counted)
    published_cleanly(publish(fs))
    assert made, "an empty cache: every block the pages include is converted"
    made.clear()
    published_cleanly(publish(fs))
    assert made == [], "no block changed: each block's HTML is the last publish's"
    fs.edit("blocks/fasting-before-surgery.md", "\n\n", "\n\nAsk us if you are not sure.\n\n")
    published_cleanly(publish(fs))
    assert len(made) == 1 and "Ask us if you are not sure." in made[0]
    same_as_fresh(fs, tmp_path)
    assert any("Ask us if you are not sure." in p.read_text(encoding="utf-8")
               for p in fs.output.glob("procedures/*/index.html"))
