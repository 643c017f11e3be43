"""Everything from metadata is rendered inert wherever it lands (issue 3)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings, strategies as st
from jinja2 import Environment, FileSystemLoader

from clinic.pages import jsonld

from clinic.model import rules

from clinic.checks import validate
from clinic.model.vocabulary import Vocabulary

from conftest import ROOT, StaticServer

# the translations are tested in test_translated_site.py; these builds do without them
pytestmark = pytest.mark.english_only

PAYLOAD_TITLE = 'Bunions </script><script>alert("t")</script> & <b>"quoted"</b> \'single\''
PAYLOAD_SUMMARY = 'Sum <img src=x onerror=alert(1)> & "more" </script><!--'


def test_classic_payloads_are_escaped_everywhere(fixture_site, tab):
    fixture_site.edit("conditions/bunions.md", "Title: Bunions", "Title: " + PAYLOAD_TITLE)
    text = fixture_site.read("conditions/bunions.md").split("\n")
    text[1] = "Summary: " + PAYLOAD_SUMMARY
    fixture_site.write("conditions/bunions.md", "\n".join(text))
    fixture_site.edit("clinic/clinic.yaml", "name: Sample Foot and Ankle Clinic",
                      "name: \"Sample <Foot> & 'Ankle' </script> Clinic\"")
    result = fixture_site.publish()
    assert result.status == 0, result.log
    out = fixture_site.output
    page = out / "conditions/bunions/index.html"
    # Parsed the way browsers parse (html5lib follows the WHATWG algorithm): the
    # minifier keeps only the escapes HTML needs, e.g. "<b>" stays text inside <title>.
    soup = BeautifulSoup(page.read_text(), "html5lib")
    assert soup.title.get_text() == PAYLOAD_TITLE + " | Sample <Foot> & 'Ankle' </script> Clinic"
    assert soup.h1.get_text() == PAYLOAD_TITLE
    assert soup.find("meta", attrs={"name": "description"})["content"] == PAYLOAD_SUMMARY
    assert soup.find("meta", property="og:title")["content"].startswith(PAYLOAD_TITLE)
    assert soup.select_one(".clinic-header__name span").get_text() == "Sample <Foot> & 'Ankle' </script> Clinic"
    # no element was injected
    assert not soup.find("img", src="x") and not soup.find("b", string='"quoted"')
    scripts = soup.find_all("script")
    assert all("alert" not in (s.string or "") for s in scripts if s.get("type") != "application/ld+json")
    # JSON-LD: the block is intact and carries the exact value
    blocks = [s for s in scripts if s.get("type") == "application/ld+json"]
    assert len(blocks) == 1
    data = json.loads(blocks[0].string)
    assert data["name"] == PAYLOAD_TITLE and data["description"] == PAYLOAD_SUMMARY
    # pages that list the article escape it too
    for rel in ("conditions/index.html", "browse/region/forefoot/index.html", "conditions/hammertoes/index.html"):
        listing = BeautifulSoup((out / rel).read_text(), "html5lib")
        titles = [a.get_text() for a in listing.select(".clinic-card__title a")]
        assert PAYLOAD_TITLE in titles, rel
    # machine files stay well-formed XML with the exact text
    feed = ET.parse(out / "feeds/all.atom.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = next(e for e in feed.findall("a:entry", ns)
                 if e.find("a:link", ns).get("href").endswith("/conditions/bunions/"))
    title = entry.find("a:title", ns).text
    # Pelican strips tags from feed titles: the text survives, the markup does not
    assert title.startswith("Bunions ") and "<script" not in title and 'alert("t")' in title
    ET.parse(out / "sitemap.xml")
    # and in a real browser nothing runs
    server = StaticServer(out)
    try:
        page = tab()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for rel in ("/conditions/bunions/index.html", "/conditions/index.html", "/a-z/index.html"):
            page.goto(server.url + rel)
            page.wait_for_load_state("load")
        assert dialogs == []
        page.goto(server.url + "/conditions/bunions/index.html")
        assert page.title().startswith(PAYLOAD_TITLE)
        assert page.locator("h1").inner_text() == PAYLOAD_TITLE
    finally:
        server.close()


@settings(max_examples=200, deadline=None)
@given(st.recursive(st.text() | st.integers() | st.booleans(),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
                    max_leaves=20))
def test_jsonld_serialisation_is_inert_and_lossless(value):
    out = jsonld.dumps(value)
    assert "<" not in out and ">" not in out and "&" not in out
    assert json.loads(out) == value


ENV = Environment(loader=FileSystemLoader(str(ROOT / "theme" / "templates")), autoescape=True)
CARD = ENV.from_string('{% from "_macros.html" import card_list %}{{ card_list(pages) }}')


class FakePage:
    def __init__(self, title, summary):
        self.title, self.summary, self.url = title, summary, "x/"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"))),
       st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"))))
def test_listing_template_escapes_any_title_and_summary(title, summary):
    html = CARD.render(pages=[FakePage(title, summary)], SITEURL="")
    soup = BeautifulSoup(html, "html.parser")
    assert len(soup.find_all(True)) == 5  # ul, li, h3, a, p: nothing injected
    assert soup.select_one(".clinic-card__title a").get_text() == title
    assert soup.select_one(".clinic-card__summary").get_text() == summary


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_validator_never_crashes_on_any_text(text):
    for kind in rules.KINDS.values():
        meta, problems = validate.validate_article("x.md", text, kind, "x", Vocabulary({}), {})
        assert all(p.format() for p in problems)


SAFE_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=60) \
    .map(lambda s: " ".join(s.split())).filter(lambda s: s and "FILL IN:" not in s)


@settings(max_examples=int(__import__('os').environ.get('PROP_EXAMPLES', '6')), deadline=None)
@given(title=SAFE_TEXT, summary=SAFE_TEXT)
def test_any_title_and_summary_survive_a_real_build(tmp_path_factory, title, summary):
    """End to end: arbitrary metadata through Pelican, our plugin, the templates and
    the minifier comes out as exactly that text, everywhere, with nothing injected."""
    from conftest import FixtureSite
    fs = FixtureSite(tmp_path_factory.mktemp("prop"))
    text = fs.read("conditions/bunions.md").split("\n")
    text[0], text[1] = "Title: " + title, "Summary: " + summary
    fs.write("conditions/bunions.md", "\n".join(text))
    built = fs.publish()
    assert built.status == 0, built.log
    soup = BeautifulSoup((built.output / "conditions/bunions/index.html").read_text(), "html5lib")
    assert soup.h1.get_text() == title
    assert soup.find("meta", attrs={"name": "description"})["content"] == summary
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert (data["name"], data["description"]) == (title, summary)
    listing = BeautifulSoup((built.output / "conditions/index.html").read_text(), "html5lib")
    assert title in [a.get_text() for a in listing.select(".clinic-card__title a")]
    assert summary in [p.get_text() for p in listing.select(".clinic-card__summary")]
