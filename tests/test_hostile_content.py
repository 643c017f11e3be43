"""Content cannot break the site's promises (issue 21): no script, handler,
embed, form or foreign load in a page's text, no address outside content/ or
output/, no link in content/ to a file outside the project. Each refusal is
one line naming the file, and the live site is left as it was."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import markdown
import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings, strategies as st
from pelican.settings import read_settings

from clinic.checks import safety
from conftest import ROOT, live_site, tree_hash

# the translations are tested in test_translated_site.py; these builds do without them
pytestmark = pytest.mark.english_only

BUNIONS = "conditions/bunions.md"
OWN = "https://clinic.test"


def rendered(body: str) -> str:
    """A page's text as the site's Markdown makes it (the settings of pelicanconf.py)."""
    return markdown.Markdown(**read_settings(str(ROOT / "pelicanconf.py"))["MARKDOWN"]).convert(body)


def problems_of(body: str) -> list[str]:
    source = "Title: A page\n\n" + body
    return [p.format() for p in safety.unsafe("content/pages/a.md", rendered(body), source, OWN)]


HOSTILE = {
    "script": ('Text.\n\n<script>alert(1)</script>\n',
               "content/pages/a.md:5: html: <script> is not allowed in a page: it runs a script (remove it; the "
               "theme gives every page what it needs, and a developer can add a feature to it)"),
    "iframe": ('<iframe src="https://video.example/embed/1"></iframe>\n',
               "content/pages/a.md:3: html: <iframe> is not allowed in a page: it embeds another page (remove it; "
               "the theme gives every page what it needs, and a developer can add a feature to it)"),
    "object": ('<object data="x.swf"></object>\n',
               "content/pages/a.md:3: html: <object> is not allowed in a page: it embeds a plug-in or another "
               "document (remove it; the theme gives every page what it needs, and a developer can add a feature to it)"),
    "embed": ('<embed src="x.swf">\n',
              "content/pages/a.md:3: html: <embed> is not allowed in a page: it embeds a plug-in or another document "
              "(remove it; the theme gives every page what it needs, and a developer can add a feature to it)"),
    "form": ('<form action="https://forms.example/send"><p>Name</p></form>\n',
             "content/pages/a.md:3: html: <form> is not allowed in a page: it sends what a patient types (remove "
             "it; the theme gives every page what it needs, and a developer can add a feature to it)"),
    "handler": ('<p onclick="steal()">Click</p>\n',
                "content/pages/a.md:3: html: the onclick= attribute on <p> is not allowed: it runs a script "
                "(remove it; pages run no scripts of their own)"),
    "style": ('<p style="color: red">Red</p>\n',
              "content/pages/a.md:3: html: a style= attribute on <p> is not allowed (remove it; the look of every "
              "page comes from the theme)"),
    "javascript link": ('[Click](javascript:alert(1))\n',
                        "content/pages/a.md:3: link: 'javascript:alert(1)' is not allowed: a javascript: address "
                        "(link to a page of the site or to an address starting with https://)"),
    "data link": ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>\n',
                  "content/pages/a.md:3: link: 'data:text/html;base64,PHNjcmlwdD4=' is not allowed: a data: address "
                  "(link to a page of the site or to an address starting with https://)"),
    "foreign image": ('![A foot](https://images.example/foot.png)\n',
                      "content/pages/a.md:3: image: 'https://images.example/foot.png' would load from another site "
                      "when the page is shown (save the file in content/images/ and use {static}/images/<name>; "
                      "the site loads nothing from other sites)"),
    "foreign image in a srcset": ('<img alt="x" src="/images/a.png" srcset="//cdn.example/a-2x.png 2x">\n',
                                  "content/pages/a.md:3: image: '//cdn.example/a-2x.png' would load from another "
                                  "site when the page is shown (save the file in content/images/ and use "
                                  "{static}/images/<name>; the site loads nothing from other sites)"),
    "foreign video": ('<video src="https://media.example/a.mp4"></video>\n',
                      "content/pages/a.md:3: media: 'https://media.example/a.mp4' would load from another site when "
                      "the page is shown (save the file in content/images/ and use {static}/images/<name>; the site "
                      "loads nothing from other sites)"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_html_in_a_page_is_one_clear_line(case):
    body, line = HOSTILE[case]
    assert problems_of(body) == [line]


def test_what_a_page_may_hold_is_not_refused():
    body = ("A [link to another site](https://www.nhs.uk/conditions/bunions/), an "
            "[own page](/conditions/bunions/), an image of our own ![Foot](/images/foot.png), a "
            "[phone link](tel:+15550100100), and code: `<script>` and\n\n    <iframe src=x>\n\n"
            '!!! urgent "Call us if"\n    - it hurts\n\n| a | b |\n| - | - |\n| 1 | 2 |\n')
    assert problems_of(body) == []
    assert problems_of(f"![Own, in full]({OWN}/images/foot.png)\n") == []


def test_a_refused_snippet_stops_publish_with_one_line_and_keeps_the_live_site(fixture_site):
    before = live_site(fixture_site)
    fixture_site.edit(BUNIONS, "## Causes\n", "## Causes\n\n<script src=\"https://track.example/t.js\"></script>\n")
    result = fixture_site.publish()
    line = fixture_site.line_of(BUNIONS, "<script")
    assert result.lines == [
        f"content/{BUNIONS}:{line}: html: <script> is not allowed in a page: it runs a script (remove it; the "
        "theme gives every page what it needs, and a developer can add a feature to it)",
        "Publish failed: 1 error. output/ was not changed."]
    assert tree_hash(fixture_site.output) == before


def test_metadata_that_would_write_a_page_elsewhere_stops_publish_with_one_line(fixture_site):
    before = live_site(fixture_site)
    fixture_site.edit("pages/about.md", "Title:", "Save_as: ../../outside.html\nTitle:")
    result = fixture_site.publish()
    assert result.lines == [
        "content/pages/about.md:1: Save_as: sets where the page is written, which the site takes from the file's "
        "name and folder (remove this line; to move a page, rename its file and add Moved-from: with the old address)",
        "Publish failed: 1 error. output/ was not changed."]
    assert tree_hash(fixture_site.output) == before
    assert not (fixture_site.base.parent / "outside.html").exists()


@pytest.mark.parametrize("line,message", [
    ("Slug: ../../outside", "Slug: sets where the page is written, which the site takes from the file's name and "
     "folder (remove this line; to move a page, rename its file and add Moved-from: with the old address)"),
    ("Template: ../../../etc/passwd", "Template: '../../../etc/passwd' is not a page template (known templates: "
     "appointments, contact, page)"),
])
def test_a_slug_or_template_that_leaves_the_site_stops_publish_with_one_line(fixture_site, line, message):
    before = live_site(fixture_site)
    fixture_site.edit("pages/about.md", "Title:", f"{line}\nTitle:")
    result = fixture_site.publish()
    assert result.lines == [f"content/pages/about.md:1: {message}", "Publish failed: 1 error. output/ was not changed."]
    assert tree_hash(fixture_site.output) == before


def test_a_link_in_content_to_a_file_outside_the_project_stops_publish(fixture_site, tmp_path_factory):
    secret = tmp_path_factory.mktemp("elsewhere") / "secret.txt"
    secret.write_text("not for the web")
    before = live_site(fixture_site)
    (fixture_site.content / "images").mkdir(exist_ok=True)
    os.symlink(secret, fixture_site.content / "images" / "photo.png")
    result = fixture_site.publish()
    assert result.lines == [
        f"content/images/photo.png: file: is a link to {secret}, outside the project, so nothing is built until "
        "it is gone (copy the file into content/ instead of linking to it)",
        "Publish failed: 1 error. output/ was not changed."]
    assert tree_hash(fixture_site.output) == before


# --- any body: refused, or clean in the DOM a browser would build ------------------------

SNIPPETS = [tag for tag, _ in HOSTILE.values()] + [
    "Plain words.", "[a link](https://www.nhs.uk/)", "<p>fine</p>", "<SCRIPT>x()</SCRIPT>", "<img src=x onerror=y()>",
    "<a href=' javascript:x()'>a</a>", '<a href="jav&#x09;ascript:x()">a</a>', "<img src='//x.example/a.png'>",
    "<svg><script>x()</script></svg>", "<details open ontoggle=x()>d</details>", "`<script>`",
    "    <iframe src=x>", "<style>@import url(https://x.example/a.css)</style>", "<math><mi>x</mi></math>",
    "<audio src=https://x.example/a.mp3></audio>", "<picture><source srcset='https://x.example/a.webp'></picture>",
    "<p>text{: onclick=x() }</p>", "A paragraph.\n{: style='color:red' }", "<div>\n<b>bold</b>\n</div>",
    "<!-- <script>x()</script> -->", "<a href=\"{filename}/conditions/bunions.md\">in</a>",
]
LOADING = {"img": ("src", "srcset"), "source": ("src", "srcset"), "audio": ("src",), "video": ("src", "poster"),
           "track": ("src",), "image": ("href",), "use": ("href",)}


def dom_breaks_a_promise(html: str) -> list[str]:
    """What a browser's parser (html5lib follows the HTML standard) would find
    that runs a script, embeds, sends a form or loads from another site."""
    soup = BeautifulSoup(f"<!doctype html><html><body>{html}</body></html>", "html5lib")
    found = []
    for el in soup.body.find_all(True):
        if el.name in safety.REFUSED_TAGS:
            found.append(el.name)
        for name, value in el.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            if name.startswith("on") or name == "style":
                found.append(f"{el.name} {name}")
            urls = [v.strip().split()[0] for v in value.split(",") if v.strip()] if name == "srcset" else [value]
            for url in urls:
                cleaned = "".join(ch for ch in url.strip() if ch not in "\t\n\r")
                parts = urlsplit(cleaned)
                if name in ("href", "src", "action", "poster", "data") and parts.scheme.lower() in safety.BAD_SCHEMES:
                    found.append(f"{el.name} {name}={url}")
                if name in LOADING.get(el.name, ()) and parts.netloc and parts.netloc != urlsplit(OWN).netloc:
                    found.append(f"{el.name} loads {url}")
    return found


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(SNIPPETS), min_size=1, max_size=6), st.sampled_from(["\n\n", "\n", " "]))
def test_any_body_is_either_refused_or_clean_in_the_browsers_dom(parts, joiner):
    body = joiner.join(parts) + "\n"
    html = rendered(body)
    if not safety.unsafe("content/pages/a.md", html, body, OWN):
        assert dom_breaks_a_promise(html) == [], (body, html)


# --- the short cut: a page of plain tags only is not parsed ----------------------------

NAMES = ["p", "a", "div", "li", "h2", "span", "details", "script", "SCRIPT", "img", "iframe", "svg", "style",
         "form", "math", "title", "textarea", "source", "video", "use", "image", "object", "q", "blockquote"]
ATTRIBUTES = ['class="x"', 'id="a-b"', 'title="say &quot;hi&quot;"', 'href="/conditions/"', 'href="#causes"',
              'href="https://www.nhs.uk/"', 'href="tel:+15550100"', 'href="javascript:x()"', 'href="java\tscript:x()"',
              'href="jav&#x09;ascript:x()"', 'href=" javascript:x()"', 'href="data:text/html,x"', "href='javascript:x()'",
              'href=javascript:x()', 'href="vbscript:x"', 'href="File:///etc"', 'onclick="x()"', 'onerror', 'style="a"',
              'src="//x.example/a.png"', 'srcset="https://x.example/a.png 2x"', 'xlink:href="javascript:x()"',
              'cite="javascript:x()"', 'data="x.swf"', 'alt="A foot"', 'aria-label="Main"', 'open', 'ONCLICK="x()"',
              'href = "javascript:x()"', 'formaction="https://x.example/"', 'background="https://x.example/a.png"']
TEXT = ["words", "<", ">", "&lt;script&gt;", "&", " ", "\n", "<!-- <script>x()</script> -->", "<!doctype html>",
        "</p>", "</script>", "<?php ?>", "<![CDATA[<script>]]>"]


@st.composite
def tags(draw):
    name = draw(st.sampled_from(NAMES))
    attributes = draw(st.lists(st.sampled_from(ATTRIBUTES), max_size=3))
    spacing = draw(st.sampled_from([" ", "  ", "\n", "\t", ""]))
    end = draw(st.sampled_from([">", "/>", " >", " />"]))
    return "<" + name + "".join(spacing + a for a in attributes) + end


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(tags(), st.sampled_from(TEXT)), min_size=1, max_size=8))
def test_html_the_short_cut_lets_through_gives_no_problem_when_parsed(parts):
    """safety.plainly_safe() spares most pages the parse: whatever it lets
    through, the parse would have found nothing in."""
    html = "".join(parts)
    if safety.plainly_safe(html):
        finder = safety._Finder("clinic.test")
        finder.feed(html)
        finder.close()
        assert finder.found == [], html


def test_the_short_cut_takes_the_plain_pages_and_none_with_a_problem():
    plain = rendered('Text with a [link](/conditions/bunions/ "Bunions"), **bold**, [a call](tel:+15550100100).\n\n'
                     "## Causes {: #causes }\n\n- one\n- two\n\n| a | b |\n| - | - |\n| 1 | 2 |\n")
    assert safety.plainly_safe(plain)
    for case, (body, _) in HOSTILE.items():
        assert not safety.plainly_safe(rendered(body)), case


def test_the_dev_server_checks_an_edited_page_again_and_keeps_the_others_answers(fixture_site):
    """Builds in one session (as the dev server's) keep each page's safety answer by
    its HTML and source: an edit that adds a script is reported, its removal clears it."""
    assert fixture_site.html().status == 0
    fixture_site.edit(BUNIONS, "## Causes\n", "## Causes\n\n<script>alert(1)</script>\n")
    assert any("html: <script> is not allowed in a page" in line for line in fixture_site.html().lines)
    fixture_site.edit(BUNIONS, "<script>alert(1)</script>\n", "")
    again = fixture_site.html()
    assert again.status == 0 and not any("<script>" in line for line in again.lines)
