"""Every derived file in output/ agrees with its page, whatever order the
builds come in (issue 19, item 2): `make html` over a folder `make publish`
filled leaves no old .gz/.br copy (hosts serve the copy) and no old feed."""

from __future__ import annotations

import gzip

import brotli


def copies(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.suffix in (".gz", ".br"))


def test_make_html_after_make_publish_leaves_no_stale_copy_or_feed(fixture_site):
    assert fixture_site.publish().status == 0
    out = fixture_site.output
    assert copies(out) and (out / "feeds" / "all.atom.xml").exists()
    (out / "files").mkdir()
    (out / "files" / "forms.tar.gz").write_bytes(gzip.compress(b"a download, not a copy"))
    fixture_site.edit("conditions/bunions.md", "Title: Bunions", "Title: Bunions (updated)")
    built = fixture_site.html()
    assert built.status == 0, built.log
    assert copies(out) == ["files/forms.tar.gz"], "a copy made by the publish would hold the old page"
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
