"""The dev server shows an edit to one article's text before it rebuilds the
site (plugins/clinic/speed/quick.py, issue 22): the page it writes from the
last build is, byte for byte, the page a build from scratch writes, and no
other page is touched. Any other edit waits for the rebuild."""

from __future__ import annotations

import sys

from conftest import ROOT
from test_devserver import Rebuilds, _pages, _times

sys.path.insert(0, str(ROOT / "tools"))
from clinic.speed import quick  # noqa: E402
import devserver  # noqa: E402

LIVE = {"CLINIC_LIVE_RELOAD": True}  # the dev server's, when it serves the open pages


def shown(r: Rebuilds, *paths: str) -> str | None:
    return quick.show_edit(r.session.quick, [str(r.site.content / p) for p in paths])


def test_an_edit_to_an_articles_text_is_shown_from_the_last_build_as_a_build_from_scratch_writes_it(
        fixture_site, tmp_path):
    from PIL import Image
    r = Rebuilds(tmp_path, fixture_site)
    # a photo wider than the pages show: the build gives it resized copies
    Image.new("RGB", (2400, 1600), (200, 120, 90)).save(fixture_site.content / "images/heel-photo.png")
    r.same_as_fresh(**LIVE)
    output = fixture_site.output
    edits = [
        ("conditions/bunions.md", "\n## Overview\n", "An edited sentence.", "conditions/bunions/index.html"),
        # a translation: its words, its language's blocks and links
        ("conditions/bunions.es.md", "\n## Información general\n", "Una frase editada.",
         "es/conditions/bunions/index.html"),
        # a procedure that includes shared blocks
        ("procedures/bunionectomy.md", "\n## Who it helps\n", "A sentence about who it helps.",
         "procedures/bunionectomy/index.html"),
        ("pages/about.md", "\n## What we treat\n", "A sentence about the clinic.", "about/index.html"),
        # an image, with the width and height the build gives it
        ("conditions/hammertoes.md", "\n## Overview\n", "![A bent toe]({static}/images/diagrams/bunion.svg)",
         "conditions/hammertoes/index.html"),
        ("conditions/ankle-impingement.md", "\n## Overview\n", "![A heel]({static}/images/heel-photo.png)",
         "conditions/ankle-impingement/index.html"),
    ]
    for path, anchor, sentence, page in edits:
        before = _times(output)
        fixture_site.edit(path, anchor, f"{anchor}\n{sentence}\n")
        r.touch(fixture_site.content / path)
        assert shown(r, path) == page
        written = (output / page).read_bytes()
        assert (sentence.split("]")[0].replace("![", 'alt="') if "![" in sentence else sentence).encode() in written
        after = _times(output)
        assert [name for name in after if after[name] != before.get(name)] == [page], "no other page is touched"
        fresh = r.fresh(**LIVE)
        assert written == fresh[page], path
        assert sorted(_pages(output)) == sorted(fresh), "the photo's resized copies are made too"
        # the rebuild that follows finds nothing else to change on it
        assert r.same_as_fresh(**LIVE)[page] == written


def test_any_other_edit_waits_for_the_rebuild(fixture_site, tmp_path):
    r = Rebuilds(tmp_path, fixture_site)
    r.same_as_fresh(**LIVE)
    output = fixture_site.output
    bunions = "conditions/bunions.md"

    def waits(*paths: str) -> None:
        before = _times(output)
        for path in paths:
            r.touch(fixture_site.content / path)
        assert shown(r, *paths) is None
        assert _times(output) == before, "nothing is written before the rebuild"
        r.same_as_fresh(**LIVE)

    fixture_site.edit(bunions, "Title: Bunions", "Title: Bunions and bunionettes")  # a metadata line
    waits(bunions)
    fixture_site.edit(bunions, "\n## Overview\n", "\n## Overview\n\nOne.\n")  # two files at once
    fixture_site.edit("conditions/hammertoes.md", "\n## ", "\nTwo.\n\n## ")
    waits(bunions, "conditions/hammertoes.md")
    fixture_site.edit("taxonomy.yaml", "label: Front of the foot", "label: Ball of the foot")  # not an article
    waits("taxonomy.yaml")
    # an article without a Summary: other pages show the start of its text
    text = fixture_site.read("treatments/custom-orthotics.md")
    summary = next(line for line in text.splitlines() if line.startswith("Summary:"))
    fixture_site.write("treatments/custom-orthotics.md", text.replace(summary + "\n", ""))
    waits("treatments/custom-orthotics.md")
    fixture_site.edit("treatments/custom-orthotics.md", "\n## ", "\nInserts help many people at first.\n\n## ")
    waits("treatments/custom-orthotics.md")
    # a new day: the review stamps may say something else
    r.session.quick.today = "2000-01-01"
    fixture_site.edit(bunions, "\n## Overview\n", "\n## Overview\n\nThree.\n")
    waits(bunions)


def test_a_minified_site_gets_a_minified_page(fixture_site, tmp_path):
    """CLINIC_MINIFY = True in the dev server's settings: the page shown first is
    minified as the rebuild's is, so the open page does not reload twice."""
    settings = {**LIVE, "CLINIC_MINIFY": True}
    r = Rebuilds(tmp_path, fixture_site)
    r.same_as_fresh(**settings)
    page = "conditions/bunions/index.html"
    fixture_site.edit("conditions/bunions.md", "\n## Overview\n", "\n## Overview\n\nA minified sentence.\n")
    r.touch(fixture_site.content / "conditions/bunions.md")
    assert shown(r, "conditions/bunions.md") == page
    written = (fixture_site.output / page).read_bytes()
    assert b"A minified sentence." in written and written == r.fresh(**settings)[page]


def test_only_the_dev_server_keeps_the_last_build(fixture_site, tmp_path):
    r = Rebuilds(tmp_path, fixture_site)
    r.same_as_fresh()  # a build that serves no open page (make html, make regenerate)
    assert r.session.quick is None
    r.same_as_fresh(**LIVE)
    assert r.session.quick is not None
    # a failed showing is a rebuild as before, not a crash of the dev server
    r.session.quick.generator = None
    fixture_site.edit("conditions/bunions.md", "\n## Overview\n", "\n## Overview\n\nFour.\n")
    r.touch(fixture_site.content / "conditions/bunions.md")
    assert devserver.show_first(r.session, [str(fixture_site.content / "conditions/bunions.md")],
                                fixture_site.output) is False
