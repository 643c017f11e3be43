"""Site search in a real browser: medical terms, other names and filters (issue 4)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def search(browser, site, query="", **filters):
    page = browser.new_page()
    params = "&".join([f"q={query}"] + [f"{k}={v}" for k, v in filters.items()])
    page.goto(f"{site.url}/search/?{params}")
    page.wait_for_selector(".clinic-search__status:not(:empty)")
    page.wait_for_function("!document.querySelector('.clinic-search__status').textContent.startsWith('Searching')")
    links = page.eval_on_selector_all(".clinic-search__results a", "els => els.map(e => e.getAttribute('href'))")
    return page, links


@pytest.mark.parametrize("query,expected", [
    ("bunion", "/conditions/bunions/"),
    ("hallux valgus", "/conditions/bunions/"),
    ("heel spur", "/conditions/plantar-fasciitis/"),
    ("heel pain", "/conditions/plantar-fasciitis/"),
    ("Achilles tendonitis", "/conditions/achilles-tendinopathy/"),
    ("footballer's ankle", "/conditions/ankle-impingement/"),
    ("keyhole", "/procedures/ankle-arthroscopy/"),
])
def test_search_finds_conditions_by_medical_and_common_names(browser, browser_site, query, expected):
    page, links = search(browser, browser_site, query)
    assert expected in links[:3], (query, links)
    first = page.locator(".clinic-search__results li").first
    assert first.locator("p").inner_text().strip(), "results show the page summary"
    page.close()


def test_typing_in_the_header_box_searches(browser, browser_site):
    page = browser.new_page()
    page.goto(browser_site.url + "/conditions/hammertoes/")
    page.fill("#clinic-site-search", "hallux valgus")
    page.press("#clinic-site-search", "Enter")
    page.wait_for_url("**/search/?q=hallux+valgus")
    page.wait_for_selector(".clinic-search__results a")
    assert page.locator(".clinic-search__results a").first.get_attribute("href") == "/conditions/bunions/"
    page.close()


def test_filters_narrow_the_results(browser, browser_site):
    page, everything = search(browser, browser_site, "pain")
    options = page.eval_on_selector_all("select[name='Body region'] option", "els => els.map(e => e.value)")
    assert {"Heel and sole", "Ankle", "Toes"} <= set(options)
    page.select_option("select[name='Body region']", "Heel and sole")
    page.wait_for_function("location.search.includes('Body+region=Heel')")
    page.wait_for_function("!document.querySelector('.clinic-search__status').textContent.startsWith('Searching')")
    heel = page.eval_on_selector_all(".clinic-search__results a", "els => els.map(e => e.getAttribute('href'))")
    assert heel and set(heel) < set(everything) | set(heel)
    assert "/conditions/plantar-fasciitis/" in heel
    assert "/conditions/bunions/" not in heel
    page.close()
    _, treatments = search(browser, browser_site, "", **{"Type of treatment": "Surgery"})
    assert treatments and all(not link.startswith("/treatments/") for link in treatments)
    assert "/procedures/bunionectomy/" in treatments


def test_without_javascript_the_search_box_leads_to_the_a_to_z(browser, browser_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(browser_site.url + "/")
    page.fill("#clinic-site-search", "bunion")
    page.press("#clinic-site-search", "Enter")
    page.wait_for_url("**/a-z/?q=bunion")
    assert page.locator("h1").inner_text() == "Conditions A to Z"
    context.close()


def test_only_the_content_is_indexed(browser, browser_site):
    # The footer's addresses are on every page; a search for a street name must
    # find only the pages whose own content gives the address.
    _, links = search(browser, browser_site, "Placeholder Road")
    assert set(links) == {"/contact/", "/appointments/"}
    page = browser.new_page()
    page.goto(browser_site.url + "/search/")
    content = page.evaluate("""async () => {
        const pf = await import('/pagefind/pagefind.js');
        await pf.init();
        const found = await pf.search('hallux valgus');
        const data = await found.results[0].data();
        return [data.url, data.content];
    }""")
    assert content[0] == "/conditions/bunions/"
    for chrome in ("Skip to main content", "Book an appointment", "Riverside clinic", "Medical disclaimer",
                   # the same on every medical page, or about other pages: not what this page says
                   "This is general information", "based on these trusted sources", "Medically reviewed by",
                   "Operations for this condition", "Topics on this page"):
        assert chrome not in content[1], chrome
    assert "Also called: hallux valgus" in content[1]
    page.close()
    # Words of the disclaimer box and the sources list find the pages that say
    # them in their own text, not every medical page.
    medical = ("/conditions/", "/procedures/", "/treatments/", "/guides/")
    for query, page_saying_it in (("trusted sources", "/about/"), ("disclaimer", "/disclaimer/")):
        _, links = search(browser, browser_site, query)
        assert page_saying_it in links and not any(link.startswith(medical) for link in links), (query, links)
