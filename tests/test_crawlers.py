"""For search engines and sharing: sitemap, robots.txt, Atom feed, canonical
and Open Graph tags, a useful 404 page (issue 4)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import feedparser
import pytest

from conftest import ARTICLE_FOLDERS, CONTENT, ROOT, pages_in

# the translations are tested in test_translated_site.py; these builds do without them
pytestmark = pytest.mark.english_only

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
LANGS = ("es",)  # the site's translation languages (CLINIC_TRANSLATION_LANGUAGES): each has its pages under /<lang>/


def page_urls(site) -> set[str]:
    """Every page a visitor can land on, in every language: not the 404 page
    or the search page (of any language), nor the search index."""
    urls = set()
    for rel in site.html_files():
        if rel.startswith("pagefind/") or any(rel == f"{root}{name}" for root in ("", *(f"{x}/" for x in LANGS))
                                             for name in ("404.html", "search/index.html")):
            continue
        urls.add("https://clinic.test/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel))
    return urls


def test_sitemap_lists_every_page_and_nothing_else(site):
    root = ET.parse(site.output / "sitemap.xml").getroot()
    locs = [u.find("s:loc", NS).text for u in root.findall("s:url", NS)]
    assert len(locs) == len(set(locs))
    assert set(locs) == page_urls(site)
    assert "https://clinic.test/es/conditions/bunions/" in locs and "https://clinic.test/es/" in locs


def test_sitemap_names_each_page_in_its_other_language(site):
    """A page that exists in English and in Spanish (a translated article or
    page, and the site's own pages under /es/) lists both addresses, itself
    included, with English as x-default; a page in one language lists none."""
    root = ET.parse(site.output / "sitemap.xml").getroot()
    locs = {u.find("s:loc", NS).text for u in root.findall("s:url", NS)}
    base = "https://clinic.test/"
    paired = 0
    for u in root.findall("s:url", NS):
        loc = u.find("s:loc", NS).text
        rel = loc[len(base):]
        lang = next((x for x in LANGS if rel.startswith(f"{x}/") or rel == x), "en")
        english = base + (rel[len(lang) + 1:] if lang != "en" else rel)
        others = {x: f"{base}{x}/{english[len(base):]}" for x in LANGS}
        alternates = [(a.get("rel"), a.get("hreflang"), a.get("href")) for a in u.findall("xhtml:link", NS)]
        in_both = english in locs and any(o in locs for o in others.values())
        if not in_both:
            assert alternates == [], loc
            continue
        expected = [("alternate", "en", english)] + [("alternate", x, o) for x, o in sorted(others.items()) if o in locs]
        assert sorted(alternates) == sorted(expected + [("alternate", "x-default", english)]), loc
        paired += 1
    # every translation in the content is one of them, on both sides
    for folder in ARTICLE_FOLDERS + ("pages",):
        for p in pages_in(CONTENT / folder, "es"):
            slug = p.name.split(".")[0]
            rel = f"{slug}/" if folder == "pages" else f"{folder}/{slug}/"
            assert f"{base}{rel}" in locs and f"{base}es/{rel}" in locs, rel
    assert paired > 2 * len(pages_in(CONTENT / "conditions", "es"))


def set_dates(fs, rel: str, **dates) -> None:
    """Give a page these dates (Date, Modified, Last-reviewed), whatever the sample's were."""
    text = fs.read(rel)
    for key, value in dates.items():
        key = key.replace("_", "-").capitalize()
        line = f"{key}: {value}"
        text = re.sub(rf"^{key}: .*$", line, text, count=1, flags=re.M) if re.search(rf"^{key}: ", text, re.M) \
            else text.replace("\nRegions:", f"\n{line}\nRegions:", 1)
    fs.write(rel, text)


def test_sitemap_lastmod_follows_the_last_change_or_review(site, fixture_site):
    set_dates(fixture_site, "conditions/bunions.md", date="2026-11-20", modified="2026-11-20",
              last_reviewed="2026-11-22")
    set_dates(fixture_site, "conditions/hammertoes.md", date="2026-11-20", modified="2026-11-20",
              last_reviewed="2026-11-20")
    built = fixture_site.publish()
    assert built.status == 0, built.log
    root = ET.parse(built.output / "sitemap.xml").getroot()
    lastmod = {u.find("s:loc", NS).text: u.find("s:lastmod", NS).text for u in root.findall("s:url", NS)
               if u.find("s:lastmod", NS) is not None}
    assert lastmod["https://clinic.test/conditions/bunions/"].startswith("2026-11-22")
    assert lastmod["https://clinic.test/conditions/hammertoes/"].startswith("2026-11-20")


def test_sitemap_dates_a_page_only_by_the_date_of_its_own_content(site):
    """Listings, the home page and pages such as Privacy have no date of their
    own: they get no <lastmod> rather than the time of the build, which would
    tell search engines that they all changed at every publish."""
    root = ET.parse(site.output / "sitemap.xml").getroot()
    dated = {u.find("s:loc", NS).text: u.find("s:lastmod", NS) for u in root.findall("s:url", NS)}
    articles = {url for url in dated
                if re.fullmatch(r"https://clinic\.test/(es/)?(conditions|procedures|treatments|guides)/[a-z0-9-]+/", url)}
    # each article in English, and each translation of one (at /es/...): a page with content of its own
    sources = [p for folder in ARTICLE_FOLDERS for lang in ("", *LANGS) for p in pages_in(CONTENT / folder, lang)]
    assert articles and len(articles) == len(sources)
    assert any("/es/" in url for url in articles)
    assert {url for url, when in dated.items() if when is not None} == articles
    for url in articles:  # the day of the last change or review, in the clinic's time zone
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00-0[45]:00", dated[url].text), (url, dated[url].text)
    for url in ("https://clinic.test/", "https://clinic.test/privacy/", "https://clinic.test/a-z/",
                "https://clinic.test/browse/condition/bunions/", "https://clinic.test/es/",
                "https://clinic.test/es/privacy/", "https://clinic.test/es/browse/condition/bunions/"):
        assert url in dated and dated[url] is None
    for u in root.findall("s:url", NS):  # then a page's other languages (test_sitemap_names_each_page_...)
        assert re.fullmatch(r"loc( lastmod)?( link)*", " ".join(child.tag.split("}")[1] for child in u)), u


def test_sitemap_core_escapes_addresses_and_leaves_out_what_is_not_a_page():
    from clinic.outputs import sitemap

    class Doc:
        def __init__(self, url, status="published", **dates):
            self.url, self.status = url, status
            self.__dict__.update(dates)

    aware = dt.datetime(2026, 11, 20, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    written = [
        ("/out/index.html", None),
        ("/out/conditions/bunions/index.html", Doc("conditions/bunions/", date=aware)),
        ("/out/conditions/bunions/index.html", Doc("conditions/bunions/", date=aware)),  # accounted twice
        ("/out/guides/a&b/index.html", Doc("guides/a&b/", date=aware, modified=aware + dt.timedelta(days=2))),
        ("/out/drafts/x.html", Doc("drafts/x.html", status="draft", date=aware)),
        ("/out/404.html", None),
        ("/out/feeds/all.atom.xml", None),
        ("/out/privacy/index.html", Doc("privacy/")),
        ("/out/old/index.html", Doc("old/", date=dt.datetime(2026, 1, 2, 3, 4))),  # no time zone
    ]
    pages = sitemap.entries(written, "/out", [r"404\.html$"])
    assert pages == [("", None), ("conditions/bunions/", aware), ("guides/a&b/", aware + dt.timedelta(days=2)),
                     ("old/", dt.datetime(2026, 1, 2, 3, 4)), ("privacy/", None)]
    data = sitemap.sitemap_xml("https://clinic.test", pages)
    assert b"guides/a&amp;b/" in data
    root = ET.fromstring(data)
    got = [(u.find("s:loc", NS).text, getattr(u.find("s:lastmod", NS), "text", None)) for u in root.findall("s:url", NS)]
    assert got == [("https://clinic.test/", None),
                   ("https://clinic.test/conditions/bunions/", "2026-11-20T00:00:00-05:00"),
                   ("https://clinic.test/guides/a&b/", "2026-11-22T00:00:00-05:00"),
                   ("https://clinic.test/old/", "2026-01-02"),
                   ("https://clinic.test/privacy/", None)]


def test_robots_points_at_the_sitemap(site):
    robots = (site.output / "robots.txt").read_text().splitlines()
    assert "User-agent: *" in robots
    assert "Sitemap: https://clinic.test/sitemap.xml" in robots


def test_feed_is_valid_atom_with_the_medical_articles(site):
    text = (site.output / "feeds/all.atom.xml").read_text()
    root = ET.fromstring(text)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    feed = feedparser.parse(text)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title and feed.feed.id and feed.feed.updated
    links = [e.link for e in feed.entries]
    assert "https://clinic.test/conditions/bunions/" in links
    assert "https://clinic.test/procedures/bunionectomy/" in links
    assert not any("/about/" in link or "/privacy/" in link for link in links)  # pages are not news
    for e in feed.entries:
        assert e.id and e.title and e.updated and e.summary
    updated = [e.updated_parsed for e in feed.entries]
    assert updated == sorted(updated, reverse=True), "newest first"


def test_every_page_has_canonical_and_sharing_tags(site):
    for rel in site.html_files():
        if rel.startswith("pagefind/"):
            continue
        soup = site.soup(rel)
        canonical = soup.find("link", rel="canonical")["href"]
        assert soup.find("meta", property="og:url")["content"] == canonical
        assert soup.find("meta", property="og:title")["content"]
        assert soup.find("meta", property="og:description")["content"]
        image = soup.find("meta", property="og:image")["content"]
        assert image.startswith("https://clinic.test/")
        assert (site.output / image[len("https://clinic.test/"):]).is_file()
        assert soup.find("meta", attrs={"name": "twitter:card"})["content"] == "summary_large_image"
    bunions = site.soup("conditions/bunions/index.html")
    assert bunions.find("link", rel="canonical")["href"] == "https://clinic.test/conditions/bunions/"
    assert bunions.find("meta", property="og:type")["content"] == "article"


def test_404_page_helps_the_reader_on(site):
    soup = site.soup("404.html")
    main = soup.find("main")
    assert main.find("input", attrs={"type": "search"})
    hrefs = {a["href"] for a in main.find_all("a")}
    assert "/a-z/" in hrefs
    assert any(h.startswith("tel:") for h in hrefs)
    # a 404 page is shown at any address: its links start at the site's root
    assert all(h.startswith(("/", "tel:")) for h in hrefs)


def test_the_feed_holds_the_newest_page_whatever_its_title(fixture_site):
    """Newest first by the last change, cut at FEED_MAX_ITEMS: a page late in the
    alphabet that changed last is the feed's first entry (the site lists by title)."""
    for path in sorted(fixture_site.content.glob("*/*.md")):
        rel = path.relative_to(fixture_site.content).as_posix()
        if rel.split("/")[0] in ("conditions", "procedures", "treatments", "guides"):
            set_dates(fixture_site, rel, date="2026-01-01", modified="2026-01-01", last_reviewed="2026-01-01")
    newest = sorted(p.relative_to(fixture_site.content).as_posix() for p in fixture_site.content.glob("treatments/*.md"))[-1]
    set_dates(fixture_site, newest, modified="2026-03-01")
    built = fixture_site.publish(FEED_MAX_ITEMS=2)
    assert built.status == 0, built.log
    feed = feedparser.parse((built.output / "feeds/all.atom.xml").read_text())
    assert len(feed.entries) == 2
    assert feed.entries[0].link.endswith(f"/{newest.removesuffix('.md')}/")
