"""An article's sections and structured data are made when its page is written
and let go after (plugins/clinic/parts.py)."""

from __future__ import annotations

from clinic.pages.parts import Parts

HTML = '<p>Intro.</p><h2 id="what-it-is">What it is</h2><p>A bony bump.</p><h2 id="after-surgery">After surgery</h2><p>Rest.</p>'


def test_parts_are_made_on_first_use_and_made_again_after_release():
    calls = []

    def html_of():
        calls.append("html")
        return HTML

    parts = Parts(html_of, lambda p: '{"sections":%d}' % len(p.sections))
    assert not parts.held and calls == []
    assert parts.intro_html == "<p>Intro.</p>"
    assert [s.title for s in parts.sections] == ["What it is", "After surgery"]
    assert parts.jsonld == '{"sections":2}' and calls == ["html"]  # split once, shared
    parts.release()
    assert not parts.held
    assert parts.sections[1].html == "<p>Rest.</p>" and calls == ["html", "html"]


def test_the_built_site_shows_sections_and_structured_data(site):
    soup = site.soup("procedures/bunionectomy/index.html")
    headings = [h.get_text() for h in soup.select(".clinic-article__body section > h2")]
    assert "During surgery" in headings and "After surgery" in headings
    data = soup.find("script", type="application/ld+json").string
    assert '"howPerformed"' in data
