"""A page a patient can use on a phone (issue 20): the page's own heading near
the top of a 390 px screen, the menu and search behind one button that works
with a keyboard and without JavaScript, and both in view on a wide screen."""

from __future__ import annotations

import pytest

from conftest import published

# the translations are tested in test_translated_site.py; these builds do without them
pytestmark = pytest.mark.english_only

PHONE, WIDE = {"width": 390, "height": 844}, {"width": 1280, "height": 900}


def pages() -> list[str]:
    return ["/", f"/conditions/{published('conditions')[0]}/", f"/procedures/{published('procedures')[0]}/",
            "/a-z/", "/search/?q=heel", "/contact/"]


@pytest.mark.parametrize("path", pages())
def test_on_a_phone_the_page_heading_starts_within_250_px(tab, browser_site, path):
    page = tab(viewport=PHONE)
    page.goto(browser_site.url + path)
    top = page.evaluate("document.querySelector('h1').getBoundingClientRect().top")
    assert top <= 250, (path, top)
    assert page.locator("summary.clinic-menu__button").is_visible()
    assert not page.locator("#clinic-site-search").is_visible(), "the wide screen's search box is hidden"


@pytest.mark.parametrize("script", [True, False])
def test_the_menu_opens_from_the_keyboard_with_or_without_javascript(tab, browser_site, script):
    page = tab(viewport=PHONE, java_script_enabled=script)
    page.goto(browser_site.url + "/a-z/")
    menu = page.locator("details.clinic-menu nav")
    assert not menu.is_visible()
    page.locator("summary.clinic-menu__button").focus()
    page.keyboard.press("Enter")
    assert menu.is_visible()
    assert page.locator("details.clinic-menu").get_attribute("open") is not None
    links = page.eval_on_selector_all("details.clinic-menu nav a", "els => els.map(e => e.textContent)")
    assert "Conditions" in links and "Contact" in links
    page.fill("#clinic-menu-search", "heel")
    page.press("#clinic-menu-search", "Enter")
    page.wait_for_url("**/?q=heel")  # the search page with JavaScript, the A to Z without it


def test_on_a_wide_screen_the_menu_and_search_are_in_view_and_the_button_is_not(tab, browser_site):
    page = tab(viewport=WIDE)
    page.goto(browser_site.url + "/")
    assert not page.locator("summary.clinic-menu__button").is_visible()
    assert page.locator("#clinic-site-search").is_visible()
    assert page.locator("header > nav.clinic-nav a", has_text="Conditions").is_visible()
    # the home page: one heading, and the booking call once (in the header)
    assert page.locator("h1").count() == 1
    assert page.locator("h1").inner_text() != page.locator(".clinic-header__name span").inner_text()
    assert page.locator("a[href$='/appointments/']:visible").count() == 1


def test_a_long_page_has_its_contents_first_after_the_summary_on_a_phone(tab, browser_site):
    page = tab(viewport=PHONE)
    page.goto(browser_site.url + f"/conditions/{published('conditions')[0]}/")
    sections = page.eval_on_selector_all(".clinic-article__body section > h2", "els => els.map(e => [e.id, e.textContent])")
    toc = page.eval_on_selector_all(".clinic-toc a", "els => els.map(e => [e.getAttribute('href'), e.textContent])")
    assert toc == [[f"#{id_}", title] for id_, title in sections] and len(toc) >= 3
    box = lambda sel: page.locator(sel).first.bounding_box()  # noqa: E731
    assert box(".clinic-article__summary")["y"] < box(".clinic-toc")["y"] < box(".clinic-review-stamp")["y"]
    assert not page.locator(".clinic-aside__contact").is_visible(), "the header has the phone and booking on a phone"
    page.click(".clinic-toc a >> nth=2")
    assert page.evaluate("location.hash") == toc[2][0]


def test_on_a_wide_screen_the_contents_and_how_to_reach_us_stay_beside_the_text(tab, browser_site):
    page = tab(viewport=WIDE)
    page.goto(browser_site.url + f"/conditions/{published('conditions')[0]}/")
    body = page.locator(".clinic-article__body").bounding_box()
    aside = page.locator(".clinic-aside__inner").bounding_box()
    assert aside["x"] >= body["x"] + body["width"], "beside the text, not below it"
    page.mouse.wheel(0, 4000)
    page.wait_for_timeout(200)
    top = page.evaluate("document.querySelector('.clinic-aside__inner').getBoundingClientRect().top")
    assert 0 <= top <= 40, "in view while reading"
    contact = page.locator(".clinic-aside__contact")
    assert contact.is_visible() and "Book an appointment" in contact.inner_text()


@pytest.mark.parametrize("path", ["/contact/", "/about/", "/appointments/"])
def test_on_a_wide_screen_a_plain_page_is_one_column_under_its_heading(tab, browser_site, path):
    """The articles' two-column grid (text, then contents and contact beside it)
    also took the plain pages, which have no aside: the heading stood alone on
    the left and the whole text ran down a narrow column on the right."""
    page = tab(viewport=WIDE)
    page.goto(browser_site.url + path)
    heading = page.locator("h1").bounding_box()
    body = page.locator(".clinic-article__body").bounding_box()
    assert abs(body["x"] - heading["x"]) <= 2, (path, heading, body)
    assert body["y"] >= heading["y"] + heading["height"], (path, "below its heading")
    assert body["width"] >= 500, (path, body)


def test_a_page_of_fewer_than_three_sections_has_no_contents_list(browser_site, fixture_site):
    fixture_site.write("guides/short-guide.md", fixture_site.read(f"guides/{published('guides')[0]}.md").split(
        "\n## ")[0] + "\n## One part\n\nA short guide. It has one part.\n\n## Two parts\n\nAnd a second part.\n")
    built = fixture_site.html()
    assert built.status == 0, built.log
    assert built.soup("guides/short-guide/index.html").select(".clinic-toc") == []
    assert built.soup(f"conditions/{published('conditions')[0]}/index.html").select(".clinic-toc li")


def test_related_topics_are_links_grouped_under_words_that_say_where_they_lead(site):
    soup = site.soup(f"conditions/{published('conditions')[0]}/index.html")
    groups = soup.select(".clinic-topics__list > li")
    assert groups and soup.select_one(".clinic-topics h2").get_text() == "More on these topics"
    for li in groups:
        lead = li.select_one(".clinic-topics__lead").get_text()
        assert lead.endswith(":") and len(lead.split()) >= 3, lead
        assert li.select("a") and all(a["href"].startswith("/browse/") for a in li.select("a"))
    leads = [li.select_one(".clinic-topics__lead").get_text() for li in groups]
    assert "Other pages about the same part of the foot:" in leads


def test_the_header_shows_the_clinics_initials_until_it_supplies_a_logo(fixture_site):
    built = fixture_site.html()
    mark = built.soup("index.html").select_one(".clinic-header__name svg.clinic-logo")
    assert mark is not None and mark.get_text() == "SF" and mark["aria-hidden"] == "true"
    (fixture_site.content / "images").mkdir(exist_ok=True)
    fixture_site.write("images/logo.svg", '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40">'
                                          '<circle cx="20" cy="20" r="18"/></svg>')
    fixture_site.edit("clinic/clinic.yaml", "# logo: images/logo.svg", "logo: images/logo.svg")
    built = fixture_site.html()
    assert built.status == 0, built.log
    name = built.soup("index.html").select_one(".clinic-header__name")
    assert name.img["src"] == "/images/logo.svg" and name.img["alt"] == "" and name.svg is None
    assert name.get_text(strip=True) == "Sample Foot and Ankle Clinic"  # the link's name is the clinic's alone


def test_pictures_in_the_clinics_pages_are_small_described_and_captioned(shipped):
    from pathlib import Path
    for svg in Path(shipped.output, "images").rglob("*.svg") if (shipped.output / "images").is_dir() else []:
        text = svg.read_text(encoding="utf-8")
        assert svg.stat().st_size <= 10_000 and "<title" in text and "<desc" in text, svg
    for rel in shipped.html_files():
        for img in shipped.soup(rel).select(".clinic-article__body img"):
            assert img.get("alt", "").strip(), (rel, img.get("src"))
