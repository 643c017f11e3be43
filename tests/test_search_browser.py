"""Site search in a real browser: medical terms, other names and filters (issue 4)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(params=["one index", "index in parts"])
def searched_site(request):
    """Every search test runs on the site as it is (one index) and as a large site
    is built (the index in parts, merged by search.js): the same results."""
    return request.getfixturevalue("browser_site" if request.param == "one index" else "parted_site")


def search(tab, site, query="", page=None, lang_root="", **filters):
    """lang_root: "/es" for the search page of the site in Spanish."""
    page = page or tab()
    params = "&".join([f"q={query}"] + [f"{k}={v}" for k, v in filters.items()])
    page.goto(f"{site.url}{lang_root}/search/?{params}")
    page.wait_for_selector(".clinic-search__status:not(:empty)")
    # "Searching…" in the page's language (its data-say-searching)
    page.wait_for_function("document.querySelector('.clinic-search__status').textContent !== "
                           "document.querySelector('.clinic-search').dataset.saySearching")
    links = page.eval_on_selector_all(".clinic-search__results a", "els => els.map(e => e.getAttribute('href'))")
    return page, links


NAMES = [
    ("bunion", "/conditions/bunions/"),
    ("hallux valgus", "/conditions/bunions/"),
    ("heel spur", "/conditions/plantar-fasciitis/"),
    ("heel pain", "/conditions/plantar-fasciitis/"),
    ("Achilles tendonitis", "/conditions/achilles-tendinopathy/"),
    ("footballer's ankle", "/conditions/ankle-impingement/"),
    ("keyhole", "/procedures/ankle-arthroscopy/"),
]


def search_again(page, query: str, links: str = ".clinic-search__results a") -> list[str]:
    """A new search typed into the search page's own box, as a patient searches again
    (the page keeps Pagefind loaded, so it is not loaded for each search); the
    addresses of the `links` in the results."""
    page.fill("#search-page-input", query)
    page.press("#search-page-input", "Enter")
    page.wait_for_function("q => document.querySelector('.clinic-search').dataset.searched === q", arg=query)
    return page.eval_on_selector_all(links, "els => els.map(e => e.getAttribute('href'))")


def test_search_finds_conditions_by_medical_and_common_names(tab, searched_site):
    """The first name from the address, as the header's box sends it; each other one
    typed in the search page's box (the many more in tests/search/queries.tsv are
    scored by test_search_queries.py)."""
    missed = []
    page, links = search(tab, searched_site, NAMES[0][0])
    for number, (query, expected) in enumerate(NAMES):
        if number:
            links = search_again(page, query)
        assert page.evaluate("new URLSearchParams(location.search).get('q')") == query
        if expected not in links[:3]:
            missed.append((query, links))
        elif not page.locator(".clinic-search__results li").first.locator("p").first.inner_text().strip():
            missed.append((query, "results show no page summary"))
    assert missed == []


def test_typing_in_the_header_box_searches(tab, searched_site):
    page = tab()
    page.goto(searched_site.url + "/conditions/hammertoes/")
    page.fill("#clinic-site-search", "hallux valgus")
    page.press("#clinic-site-search", "Enter")
    page.wait_for_url("**/search/?q=hallux+valgus")
    page.wait_for_selector(".clinic-search__results a")
    links = page.eval_on_selector_all(".clinic-search__results a", "els => els.map(e => e.getAttribute('href'))")
    # first with one index; each part of an index in parts scores its own pages
    assert "/conditions/bunions/" in links[:2], links


def test_filters_narrow_the_results(tab, searched_site):
    page, everything = search(tab, searched_site, "pain")
    options = page.eval_on_selector_all("select[name='Body region'] option", "els => els.map(e => e.value)")
    assert {"Heel and sole", "Ankle", "Toes"} <= set(options)
    page.click(".clinic-search__filter-button")  # the filters are folded into one control
    page.select_option("select[name='Body region']", "Heel and sole")
    page.wait_for_function("location.search.includes('Body+region=Heel')")
    page.wait_for_function("!document.querySelector('.clinic-search__status').textContent.startsWith('Searching')")
    heel = page.eval_on_selector_all(".clinic-search__results a", "els => els.map(e => e.getAttribute('href'))")
    assert heel and set(heel) < set(everything) | set(heel)
    assert "/conditions/plantar-fasciitis/" in heel
    assert "/conditions/bunions/" not in heel
    _, treatments = search(tab, searched_site, "", **{"Type of treatment": "Surgery"})
    assert treatments and all(not link.startswith("/treatments/") for link in treatments)
    assert "/procedures/bunionectomy/" in treatments


def test_without_javascript_the_search_box_leads_to_the_a_to_z(tab, searched_site):
    page = tab(java_script_enabled=False)
    page.goto(searched_site.url + "/")
    page.fill("#clinic-site-search", "bunion")
    page.press("#clinic-site-search", "Enter")
    page.wait_for_url("**/a-z/?q=bunion")
    assert page.locator("h1").inner_text() == "Conditions and treatments A to Z"


def test_only_the_content_is_indexed(tab, searched_site):
    # The footer's addresses are on every page; a search for a street name must
    # find only the pages whose own content gives the address.
    page, links = search(tab, searched_site, "Placeholder Road")
    # (in parts, a part with no page that says "placeholder" would ignore that word: search.js keeps
    # only the pages with every word)
    assert set(links) == {"/contact/", "/appointments/"}
    # each language is searched on its own (Pagefind's index of each <html lang>): the Spanish
    # search page finds the Spanish pages only, and the English one (above) the English only
    _, links = search(tab, searched_site, "Placeholder Road", page=page, lang_root="/es")
    assert set(links) == {"/es/contact/", "/es/appointments/"}
    page.goto(searched_site.url + "/search/")
    content = page.evaluate("""async () => {
        const pf = await import('/pagefind/pagefind.js');
        const parts = document.querySelector('.clinic-search').dataset.pagefindParts || '';
        for (const url of parts.split(' ').filter(Boolean)) await pf.mergeIndex(url);
        await pf.init();
        const found = await pf.search('hallux valgus');
        const top = await Promise.all(found.results.slice(0, 3).map(r => r.data()));
        return top.map(d => [d.url, d.content]);
    }""")
    # first with one index; among the first three when each part scores its own pages
    content = next((c for c in content if c[0] == "/conditions/bunions/"), content[0])
    assert content[0] == "/conditions/bunions/"
    for chrome in ("Skip to main content", "Book an appointment", "Riverside clinic", "Medical disclaimer",
                   # the same on every medical page, or about other pages: not what this page says
                   "This is general information", "based on these trusted sources", "Medically reviewed by",
                   "Operations for this condition", "More on these topics", "Other pages about"):
        assert chrome not in content[1], chrome
    assert "Also called: hallux valgus" in content[1]
    # Words of the disclaimer box and the sources list find the pages that say
    # them in their own text, not every medical page.
    medical = ("/conditions/", "/procedures/", "/treatments/", "/guides/")
    for query, page_saying_it in (("trusted sources", "/about/"), ("disclaimer", "/disclaimer/")):
        links = search_again(page, query)
        assert page_saying_it in links and not any(link.startswith(medical) for link in links), (query, links)


def test_a_large_sites_index_comes_in_parts_that_the_search_page_merges(tab, parted_site):
    import json
    from clinic.outputs import search_index
    from conftest import published, published_articles
    out = parted_site.output
    page = tab()
    page.goto(parted_site.url + "/search/")
    parts = page.locator(".clinic-search").get_attribute("data-pagefind-parts").split()
    # every bundle: the English search page merges the English ones, the Spanish page the Spanish ones
    entries = [folder / "pagefind-entry.json" for folder in search_index.bundles_in(out)]
    assert {out / url.strip("/") / "pagefind-entry.json" for url in parts} < set(entries)
    counts = [sum(lang["page_count"] for lang in json.loads(e.read_text())["languages"].values()) for e in entries]
    assert len(parts) >= 2 and parts[0] == "/pagefind/part-2/", parts
    assert all(0 < c <= 8 for c in counts), counts
    # every page in both languages (Pagefind indexes each by its <html lang>)
    spanish = sum(len(published(f, lang="es")) for f in ("conditions", "procedures", "treatments", "guides", "pages"))
    assert sum(counts) == search_index.indexed_pages(out) >= published_articles() + len(published("pages")) + spanish
    # each part's hashed folders get the long cache on Netlify and Cloudflare, by folder not by file
    rules = (out / "_headers").read_text()
    assert "/pagefind/part-2/fragment/*" in rules and "/pagefind/part-2/index/*" in rules
    assert "/pagefind/part-2/fragment/en_" not in rules


def test_the_search_page_speaks_the_language_its_page_gives_it(tab, browser_site):
    """search.js says nothing of its own: every message comes from the page's
    data-say-* words (theme/templates/search.html), so a Spanish search page
    speaks Spanish. The page is given its Spanish words as the theme's catalog has them."""
    import gettext
    import html as html_lib
    import re

    from conftest import ROOT
    spanish = gettext.translation("messages", localedir=str(ROOT / "theme" / "translations"), languages=["es"])
    page = tab()

    def in_spanish(route):
        body = route.fetch().text()
        body = re.sub(r'(data-say-\w+=)"([^"]*)"',
                      lambda m: f'{m.group(1)}"{html_lib.escape(spanish.gettext(html_lib.unescape(m.group(2))))}"', body)
        route.fulfill(body=body, headers={"content-type": "text/html; charset=utf-8"})
    page.route("**/search/*", in_spanish)
    page.goto(f"{browser_site.url}/search/?q=")
    page.wait_for_function("document.querySelector('.clinic-search__status').textContent !== ''")
    assert page.locator(".clinic-search__status").inner_text() == spanish.gettext(
        "Type a word, such as heel pain or bunion, then press Search.")
    page.goto(f"{browser_site.url}/search/?q=bunion")
    page.wait_for_function("/^Se encontr/.test(document.querySelector('.clinic-search__status').textContent)")
    found = page.locator(".clinic-search__status").inner_text()
    assert re.fullmatch(r"Se encontr(ó 1 página|aron \d+ páginas)\.", found), found
