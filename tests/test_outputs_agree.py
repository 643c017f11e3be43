"""Every derived file in output/ agrees with its page, whatever order the
builds come in (issue 19, item 2): `make html` over a folder `make publish`
filled leaves no old .gz/.br copy (hosts serve the copy) and no old feed."""

from __future__ import annotations

import gzip

import brotli
import pytest

# the translations are tested in test_translated_site.py; these builds do without them
pytestmark = pytest.mark.english_only


def copies(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.suffix in (".gz", ".br"))


def test_make_html_after_make_publish_leaves_no_stale_copy_or_feed(fixture_site):
    assert fixture_site.publish().status == 0
    out = fixture_site.output
    assert copies(out) and (out / "feeds" / "all.atom.xml").exists()
    # a download the clinic keeps in content/images/ (a static folder): not a copy
    fixture_site.write("images/forms.tar.gz", gzip.compress(b"a download, not a copy"))
    fixture_site.edit("conditions/bunions.md", "Title: Bunions", "Title: Bunions (updated)")
    built = fixture_site.html()
    assert built.status == 0, built.log
    assert copies(out) == ["images/forms.tar.gz"], "a copy made by the publish would hold the old page"
    assert not list(out.rglob("*.atom.xml")), "make html writes no feed, so the publish's would be stale"
    assert "Bunions (updated)" in (out / "conditions" / "bunions" / "index.html").read_text(encoding="utf-8")


def test_make_publish_after_make_html_makes_every_copy_from_the_new_page(fixture_site):
    assert fixture_site.html().status == 0
    fixture_site.edit("conditions/bunions.md", "Title: Bunions", "Title: Bunions (updated)")
    assert fixture_site.publish().status == 0
    page = fixture_site.output / "conditions" / "bunions" / "index.html"
    data = page.read_bytes()
    assert b"Bunions (updated)" in data
    assert gzip.decompress(page.with_name("index.html.gz").read_bytes()) == data
    assert brotli.decompress(page.with_name("index.html.br").read_bytes()) == data


def test_a_build_into_output_removes_what_it_did_not_make_and_keeps_what_it_will_write_again():
    from clinic.outputs.stale import stale_files
    existing = ["index.html", "index.html.gz", "old/index.html", "old/index.html.br", "images/a.png",
                "images/forms.tar.gz", "pagefind/pagefind.js", "pagefind/pagefind.js.gz", "_headers", "feeds/all.atom.xml"]
    made = {"index.html", "images/a.png", "images/forms.tar.gz"}
    assert stale_files(existing, made, copies_follow=False) == [
        "feeds/all.atom.xml", "index.html.gz", "old/index.html", "old/index.html.br", "pagefind/pagefind.js.gz"]
    assert stale_files(existing, made, copies_follow=True) == ["feeds/all.atom.xml", "old/index.html",
                                                                "old/index.html.br"]


def test_a_page_the_live_site_has_and_the_build_has_not_is_a_warning_naming_the_fix():
    from clinic.checks.gone import gone_pages
    live = {"index.html", "guides/old/index.html", "old/page.html", "browse/region/x/index.html",
            "pagefind/pagefind-ui.html", "404.html"}
    (warning,) = gone_pages(live | {"guides/old/index.html.gz"}, {"index.html", "old/page.html", "404.html"})
    assert warning.format() == (
        "warning: output/guides/old/: page: is on the live site, and this build has no page there (if the page "
        "moved, add 'Moved-from: /guides/old/' to its new file so that bookmarks and search results still reach "
        "it; if it was removed on purpose, there is nothing to do)")
