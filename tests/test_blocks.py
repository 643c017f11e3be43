"""Shared blocks (issue 24): one fact in one place. A page includes
content/blocks/<name>.md with a line '{block}<name>'; the block is checked and
reviewed like a page, an unknown name is one line with the closest name, and
an edit to a block reaches every page that includes it."""

from __future__ import annotations

import io

import pytest
import reports

from conftest import live_site, pages_in, tree_hash

# the translations are tested in test_translated_site.py; these builds do without them
pytestmark = pytest.mark.english_only

BLOCK = "blocks/after-surgery-warning-signs.md"
BLOCK_ES = "blocks/after-surgery-warning-signs.es.md"  # its Spanish translation, which the Spanish pages include
USES = "{block}after-surgery-warning-signs"


def pages_using(fixture_site, lang: str = "") -> list[str]:
    """The pages of one language ("" = English) that include the block: a
    translation's '{block}name' line includes the block's translation."""
    return sorted(p.relative_to(fixture_site.content).as_posix()
                  for folder in sorted(fixture_site.content.iterdir()) if folder.is_dir()
                  for p in pages_in(folder, lang) if USES in p.read_text(encoding="utf-8"))


def built_page(rel: str) -> str:
    """Where a source file's page is written: procedures/bunionectomy.es.md -> es/procedures/bunionectomy/."""
    folder, name = rel.removesuffix(".md").split("/")
    slug, _, lang = name.partition(".")
    return f"{lang}/{folder}/{slug}/index.html" if lang else f"{folder}/{slug}/index.html"


def test_an_unknown_block_is_one_line_with_the_closest_name(fixture_site):
    page = pages_using(fixture_site)[0]
    fixture_site.edit(page, USES, "{block}after-surgery-warning-sign")
    before = live_site(fixture_site)
    result = fixture_site.publish()
    assert result.status == 1
    line = fixture_site.line_of(page, lambda text: text == "{block}after-surgery-warning-sign")
    assert [x for x in result.lines if not x.startswith(("Done:", "pages and"))] == [
        f"content/{page}:{line}: block: 'after-surgery-warning-sign' is not a block in content/blocks/ "
        "(did you mean 'after-surgery-warning-signs'?)",
        "Publish failed: 1 error. output/ was not changed."]
    assert tree_hash(fixture_site.output) == before


@pytest.mark.with_translations  # and the block's translation reaches the Spanish pages
def test_an_edit_to_a_block_reaches_every_page_that_uses_it(fixture_site):
    pages, pages_es = pages_using(fixture_site), pages_using(fixture_site, "es")
    assert len(pages) >= 2 and pages_es
    assert fixture_site.publish().status == 0
    fixture_site.edit(BLOCK, "    - you faint\n", "    - you faint\n    - your lips or face swell\n")
    fixture_site.edit(BLOCK_ES, "    - se desmaya\n", "    - se desmaya\n    - se le hinchan los labios o la cara\n")
    result = fixture_site.publish()
    assert result.status == 0, result.log
    for rel in pages:
        html = (fixture_site.output / built_page(rel)).read_text(encoding="utf-8")
        assert "your lips or face swell" in html and "se le hinchan" not in html, rel
    for rel in pages_es:  # a translation includes the block's translation, never the English block
        html = (fixture_site.output / built_page(rel)).read_text(encoding="utf-8")
        assert "se le hinchan los labios o la cara" in html and "your lips or face swell" not in html, rel


def test_the_emergency_number_comes_from_the_clinic_data(fixture_site):
    fixture_site.edit("clinic/clinic.yaml", 'emergency_number: "911"', 'emergency_number: "112"')
    result = fixture_site.publish()
    assert result.status == 0, result.log
    page = fixture_site.output / built_page(pages_using(fixture_site)[0])
    emergency = next(h for h in __import__("bs4").BeautifulSoup(page.read_text(), "html.parser")
                     .select(".clinic-callout--emergency .clinic-callout__title"))
    assert "Call 112 or go to the emergency room if" in emergency.get_text()
    assert "{emergency_number}" not in page.read_text()


def test_a_block_is_checked_and_reviewed_like_a_page(fixture_site):
    fixture_site.edit(BLOCK, "Reviewed-by: avery-sample\n", "")
    result = fixture_site.publish()
    assert result.status == 1
    assert "content/blocks/after-surgery-warning-signs.md: Reviewed-by: is missing" in result.log


def test_the_review_report_lists_blocks_and_old_sources(fixture_site):
    fixture_site.edit(BLOCK, "Next-review: 2027-12-06", "Next-review: 2027-01-10")
    fixture_site.edit(BLOCK, "Sources: Foot surgery: discharge advice | North Tees and Hartlepool NHS Foundation Trust "
                             "| n.d. |", "Sources: Foot surgery: discharge advice | North Tees and Hartlepool NHS "
                             "Foundation Trust | 2009 |")
    out = io.StringIO()
    assert reports.review_report(reports.load_settings(fixture_site.content, "2027-02-01"), out) == 0
    text = out.getvalue()
    overdue = [line for line in text.splitlines() if line.startswith("overdue")]
    assert any(line.endswith("content/blocks/after-surgery-warning-signs.md") for line in overdue), text
    old = text.split("Sources more than 5 years old", 1)[1]
    assert any(line.startswith("2009") and "Foot surgery: discharge advice" in line
               and line.endswith("content/blocks/after-surgery-warning-signs.md") for line in old.splitlines())


@pytest.mark.with_translations
def test_the_dev_server_shows_a_block_edit_on_every_page(fixture_site, tmp_path):
    """Pelican's content cache keeps the pages that include a block unread when
    only the block changes; the block is filled in on every build, so a rebuild
    still equals a build from scratch."""
    from test_devserver import Rebuilds

    r = Rebuilds(tmp_path, fixture_site)
    r.same_as_fresh()
    fixture_site.edit(BLOCK, "    - you faint\n", "    - you faint\n    - your lips or face swell\n")
    r.touch(fixture_site.content / BLOCK)
    pages = r.same_as_fresh()
    for rel in pages_using(fixture_site):
        assert b"your lips or face swell" in pages[built_page(rel)], rel
    # and the Spanish block: the Spanish pages that include it, in the same way
    fixture_site.edit(BLOCK_ES, "    - se desmaya\n", "    - se desmaya\n    - se le hinchan los labios o la cara\n")
    r.touch(fixture_site.content / BLOCK_ES)
    pages = r.same_as_fresh()
    assert pages_using(fixture_site, "es")
    for rel in pages_using(fixture_site, "es"):
        assert "se le hinchan los labios o la cara".encode() in pages[built_page(rel)], rel


def test_no_built_page_shows_the_placeholder(site):
    """{emergency_number} is replaced everywhere: text, callout titles, heading ids."""
    pages = [rel for rel in site.html_files() if not rel.startswith("pagefind/")]
    assert pages
    for rel in pages:
        assert "emergency_number" not in (site.output / rel).read_text(encoding="utf-8"), rel
