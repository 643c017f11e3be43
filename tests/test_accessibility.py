"""Accessible and private, proved in a real browser (issue 5).

Every page type at phone and desktop width, in light and dark colour schemes:
axe-core with the WCAG 2.0/2.1/2.2 A and AA rules, keyboard use, visible
focus, reflow, text spacing, reduced motion, no third-party requests, no
cookies. Every HTML file passes the Nu HTML Checker. A condition page prints
as a clean handout. Screenshots of each page type land in test-artifacts/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import axe_playwright_python
import pytest

from conftest import ARTIFACTS, ROOT, published


AXE_JS = Path(axe_playwright_python.__file__).with_name("axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PAGE_TYPES = {
    "home": "/",
    "condition": "/conditions/plantar-fasciitis/",
    "procedure": "/procedures/bunionectomy/",
    "treatment": "/treatments/physical-therapy/",
    "guide": "/guides/recovery-after-foot-surgery/",
    "facet-index": "/browse/region/",
    "term": "/browse/region/heel/",
    "a-to-z": "/a-z/",
    "search-results": "/search/?q=heel+pain",
    "not-found": "/no-such-page/",
    "contact": "/contact/",
    "providers": "/providers/",
    "category": "/conditions/",
}
WIDTHS = {"phone": 390, "desktop": 1280}
# Full-page screenshots of every page type (phone and desktop, light and dark) for
# people to look at: `make screenshots` (they cost about a third of the axe checks).
SCREENSHOTS = os.environ.get("SCREENSHOTS") == "1"


def open_page(tab, site, path, width=1280, scheme="light", requests=None, **context):
    """path on site in a page of its own (the `tab` fixture), at that width and colour scheme."""
    page = tab(viewport={"width": width, "height": 900}, color_scheme=scheme, **context)
    if requests is not None:
        page.on("request", lambda r: requests.append(r.url))
    page.goto(site.url + path)
    if "search/?q=" in path:  # the results, in either language
        page.wait_for_selector(".clinic-search__results li")
    return page


# The rules whose answer depends on the colour scheme: the dark scheme is checked
# with these (every rule runs in the light one, at both widths).
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def axe(page, rules: list[str] | None = None) -> list[dict]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE_JS)
    only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": WCAG_TAGS}
    # resultTypes: only the violations are wanted, so axe does not gather the details of
    # every rule that passed (axe-core's documented way to run faster)
    result = page.evaluate("only => axe.run(document, {runOnly: only, resultTypes: ['violations']})", only)
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]]


def axe_at_each_width(tab, site, path: str, shots: str = "") -> tuple[dict, list[str], tuple]:
    """axe on one page at phone and desktop width, light and dark: the page
    loaded once and laid out again at each width (the theme's layout is CSS
    alone: no script reads the width), then checked in each colour scheme (the
    browser applies prefers-color-scheme at once), with axe loaded once; in
    the dark scheme, the rules about colour. Gives the violations by width and
    scheme, every request the page made, and its cookies and storage.
    shots: with SCREENSHOTS=1, the name its screenshots are saved under."""
    found, requests = {}, []
    page = open_page(tab, site, path, WIDTHS["phone"], "light", requests)
    for width in WIDTHS:
        page.set_viewport_size({"width": WIDTHS[width], "height": 900})
        backgrounds = set()
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            backgrounds.add(page.evaluate("getComputedStyle(document.body).backgroundColor"))
            violations = axe(page, COLOUR_RULES if scheme == "dark" else None)
            if violations:
                found[f"{width}-{scheme}"] = violations
            if SCREENSHOTS and shots:
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"{shots}-{width}-{scheme}.png"), full_page=True)
        assert len(backgrounds) == 2, f"{path} at {width}: the dark scheme did not apply"
    # the requests are counted when made, and the page has been checked several times
    # over by now: waiting for the network to idle would see no more of them
    kept = (page.context.cookies(), page.evaluate("[localStorage.length, sessionStorage.length]"))
    return found, requests, kept


@pytest.mark.parametrize("kind", sorted(PAGE_TYPES))
def test_no_axe_violations(tab, browser_site, kind):
    """axe on each page type at phone and desktop width, light and dark. The
    same load proves the page private: no request to another site, no cookie,
    no storage."""
    found, requests, kept = axe_at_each_width(tab, browser_site, PAGE_TYPES[kind], shots=kind)
    assert found == {}, json.dumps(found, indent=1)
    own = urlsplit(browser_site.url).netloc
    assert [u for u in requests if urlsplit(u).scheme not in ("data", "blob") and urlsplit(u).netloc != own] == []
    assert kept == ([], [0, 0])


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(tab, browser_site):
    page = open_page(tab, browser_site, "/conditions/bunions/")
    page.keyboard.press("Tab")
    first = page.evaluate("[document.activeElement.className, document.activeElement.getAttribute('href')]")
    assert first == ["clinic-skip-link", "#maincontent"]
    assert page.evaluate("getComputedStyle(document.activeElement).top") != "-160px"  # it shows when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "maincontent"
    page.keyboard.press("Tab")
    inside = page.evaluate("document.getElementById('maincontent').contains(document.activeElement)")
    assert inside, "the next Tab continues inside the main content"


FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])"


@pytest.mark.parametrize("forced", [False, True])
@pytest.mark.parametrize("kind", ["condition", "search-results", "home"])
def test_every_control_is_reachable_with_a_visible_focus(tab, browser_site, kind, forced):
    page = open_page(tab, browser_site, PAGE_TYPES[kind])
    if forced:
        page.emulate_media(forced_colors="active")
    expected = page.evaluate(f"""() => [...document.querySelectorAll("{FOCUSABLE}")]
        .filter(e => e.checkVisibility() || e.classList.contains('clinic-skip-link')).length""")
    seen, stops = set(), 0
    for _ in range(expected + 5):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => {
            const e = document.activeElement;
            const s = getComputedStyle(e);
            const r = e.getBoundingClientRect();
            const path = [...document.querySelectorAll('*')].indexOf(e);
            return {path, tag: e.tagName, outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
                    shadow: s.boxShadow, w: r.width, h: r.height};
        }""")
        if info["tag"] == "BODY" or info["path"] in seen:
            break
        seen.add(info["path"])
        stops += 1
        visible = (info["outline"] != "none" and info["width"] >= 2) or info["shadow"] != "none"
        assert visible, f"focus not visible on {info}"
    assert stops == expected, f"{stops} tab stops for {expected} controls"


def test_controls_are_at_least_24_by_24(tab, browser_site):
    for kind in ("home", "condition", "search-results", "a-to-z"):
        for width in WIDTHS.values():
            page = open_page(tab, browser_site, PAGE_TYPES[kind], width)
            small = []
            for menu in ("closed", "open"):  # on a phone, the controls behind the Menu button too
                if menu == "open":
                    if not page.locator("summary.clinic-menu__button").is_visible():
                        break
                    page.click("summary.clinic-menu__button")
                small += page.evaluate("""() => [...document.querySelectorAll('a[href], button, input, select, summary')]
                    .filter(e => e.checkVisibility())
                    .filter(e => !e.closest('p, li:not(.clinic-card):not([class*=nav]) , dd, td'))
                    .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
                    .filter(([_, r]) => r.width < 24 || r.height < 24)""")
            assert small == [], (kind, width, small)


@pytest.mark.parametrize("kind", sorted(PAGE_TYPES))
def test_reflow_at_320_and_200_percent_zoom(tab, browser_site, kind):
    # 1280 px at 200 % zoom is 640 CSS pixels at twice the pixel density: one page,
    # laid out again at each width (a new viewport reflows it without a reload)
    page = open_page(tab, browser_site, PAGE_TYPES[kind], 320, device_scale_factor=2)
    for width in (320, 640):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{kind} scrolls sideways by {overflow}px at {width}px"


TEXT_SPACING = """* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
    word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }"""


@pytest.mark.parametrize("kind", ["home", "condition", "procedure", "search-results", "contact"])
def test_text_spacing_overrides_do_not_clip(tab, browser_site, kind):
    page = open_page(tab, browser_site, PAGE_TYPES[kind], WIDTHS["phone"])
    page.add_style_tag(content=TEXT_SPACING)
    for width in WIDTHS.values():  # the page laid out again at each width, the spacing kept
        page.set_viewport_size({"width": width, "height": 900})
        clipped = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.checkVisibility() && getComputedStyle(e).clip !== 'rect(0px, 0px, 0px, 0px)')
            .filter(e => { const s = getComputedStyle(e);
                return (s.overflowX === 'hidden' && e.scrollWidth > e.clientWidth + 1) ||
                       (s.overflowY === 'hidden' && e.scrollHeight > e.clientHeight + 1); })
            .map(e => e.outerHTML.slice(0, 80))""")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert clipped == [] and overflow <= 0, (kind, width, clipped, overflow)


def test_reduced_motion_is_honoured(tab, browser_site):
    page = open_page(tab, browser_site, PAGE_TYPES["condition"], reduced_motion="reduce")
    moving = page.evaluate("""() => [...document.querySelectorAll('*')].filter(e => {
        const s = getComputedStyle(e);
        return parseFloat(s.animationDuration) > 0 || parseFloat(s.transitionDuration) > 0 ||
               s.scrollBehavior === 'smooth'; }).length""")
    assert moving == 0
    css = next((ROOT / "theme/static/css").glob("site.css")).read_text()
    assert "prefers-reduced-motion: reduce" in css


def test_each_test_starts_as_a_new_visitor(browser_contexts, browser, browser_site):
    """The pages of the `tab` fixture share a browser context: what one test's page
    keeps (a cookie, storage) is cleared before the next test's."""
    from conftest import Tabs
    tabs = Tabs(browser_contexts, browser)
    page = tabs.open(viewport={"width": 390, "height": 900})
    page.goto(browser_site.url + "/")
    page.evaluate("document.cookie = 'kept=1; max-age=3600'; localStorage.setItem('kept', '1')")
    page.goto(browser_site.url + "/conditions/")  # a second page of the same site
    assert page.evaluate("[document.cookie, localStorage.length]") == ["kept=1", 1]  # the test can fail
    page.close()  # as a test may
    tabs.close_all()
    page = tabs.open()
    page.goto(browser_site.url + "/")
    assert (page.context.cookies(), page.evaluate("[localStorage.length, sessionStorage.length]")) == ([], [0, 0])
    assert page.viewport_size == {"width": 1280, "height": 720}  # the context's, not the last page's
    tabs.close_all()


CALLOUTS = """<main><div class="clinic-callout clinic-callout--{tier}"><h3 class="clinic-callout__title">
<span class="clinic-u-visually-hidden">X: </span>Title</h3><p>Text</p></div></main>"""


def test_callout_tiers_differ_without_colour(tab):
    """Each tier must be recognisable in greyscale: border style or width, icon or lettering."""
    css = (ROOT / "theme/static/css/site.css").read_text()
    page = tab()
    looks = {}
    for tier in ("info", "non-urgent", "urgent", "emergency"):
        page.set_content(CALLOUTS.format(tier=tier))
        page.add_style_tag(content=css)
        looks[tier] = page.evaluate("""() => {
            const box = getComputedStyle(document.querySelector('.clinic-callout'));
            const title = document.querySelector('.clinic-callout__title');
            const before = getComputedStyle(title, '::before');
            return [box.borderLeftWidth, box.borderTopStyle, box.borderTopWidth, before.content,
                    getComputedStyle(title).textTransform].join('|');
        }""")
    assert len(set(looks.values())) == 4, looks


def test_every_condition_page_has_a_when_to_get_help_callout(site):
    from clinic.pages.i18n import Catalogs
    spanish = Catalogs(ROOT / "theme").of("es").gettext
    # the English pages, and the Spanish ones under /es/ with the section's Spanish title
    for root, lang, heading in (("", "", "When to get help"), ("es/", "es", spanish("When to get help"))):
        pages = list((site.output / root / "conditions").glob("*/index.html"))
        assert pages and len(pages) == len(published("conditions", lang=lang)), root
        for page in pages:
            soup = site.soup(page.relative_to(site.output).as_posix())
            section = soup.find("h2", string=heading).find_parent("section")
            tiers = {c["class"][1] for c in section.select(".clinic-callout")}
            assert tiers & {"clinic-callout--urgent", "clinic-callout--emergency"}, page


def test_missing_help_callout_warns(fixture_site):
    text = fixture_site.read("conditions/bunions.md")
    help_at = text.index("## When to get help")
    fixture_site.write("conditions/bunions.md", text[:help_at] + "## When to get help\n\nCall us if it hurts.\n")
    built = fixture_site.html()
    assert built.status == 0
    assert ("warning: content/conditions/bunions.md:" in built.log
            and "callout: 'When to get help' has no callout" in built.log)


# --- valid HTML ------------------------------------------------------------------

def test_every_html_file_passes_the_nu_checker(site):
    vnu = ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"
    java = shutil.which("java")
    if not vnu.exists() or not java:
        message = "vnu.jar or java missing: run `make test` (it runs npm ci) on a machine with Java"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run([java, "-jar", str(vnu), "--format", "json", "--skip-non-html", str(site.output)],
                          capture_output=True, text=True)
    messages = json.loads(done.stderr or done.stdout or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '').split('/output/')[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]
    assert errors == []
    checked = len(site.html_files())
    assert checked > 50


# --- print ----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/conditions/bunions/", "/procedures/ankle-arthroscopy/"])
def test_prints_as_a_clean_handout(tab, browser_site, path, tmp_path):
    page = open_page(tab, browser_site, path)
    pdf = ARTIFACTS / (path.strip("/").replace("/", "-") + ".pdf")
    ARTIFACTS.mkdir(exist_ok=True)
    page.pdf(path=str(pdf), format="Letter", print_background=False)
    pdftotext = shutil.which("pdftotext")
    if not pdftotext:
        if os.environ.get("CI") == "true":
            pytest.fail("pdftotext missing: apt-get install poppler-utils")
        pytest.skip("pdftotext missing")
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    assert "Sample Foot and Ankle Clinic" in flat
    assert "(555) 010-0100" in flat
    assert f"Printed from {browser_site.url}{path}" in flat or f"Printed from {path}" in flat
    assert "Last reviewed:" in flat and "Next review due:" in flat
    for chrome in ("Skip to main content", "Search this site", "Our team", "Book an appointment", "On this page",
                   "Related pages", "Riverside clinic"):
        assert chrome not in flat, chrome
    assert "(https://" in flat, "links show their target"
