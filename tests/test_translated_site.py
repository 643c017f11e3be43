"""The site in Spanish (issue 23): every page under /es/ is in Spanish, names its
English page and the English page names it, the switcher goes to the same
page, the review of each translation is shown, and a translation older than
its page says so, or stops the publish, or is left out, as the setting says."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import ROOT, live_site, pages_in, published, tree_hash

SITE = "https://clinic.test"


def spanish_pages(site) -> list[str]:
    return [p for p in site.html_files() if p.startswith("es/")]


def english_words() -> dict[str, str]:
    """Every word of the theme and the code in English -> its Spanish, where they differ."""
    from babel.messages.pofile import read_po
    with open(ROOT / "theme/translations/es/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string and m.string != m.id}


def shown_text(soup) -> list[str]:
    """The text a reader sees or hears, except what is marked as in another language."""
    found = []
    for node in soup.find_all(string=True):
        if node.parent.name in ("script", "style", "title") or any(
                p.get("lang") not in (None, "es") for p in node.parents if getattr(p, "get", None)):
            continue
        text = " ".join(node.split())
        if text:
            found.append(text)
    for tag in soup.find_all(attrs={"aria-label": True}):
        found.append(tag["aria-label"])
    return found


def alternates_of(soup) -> dict[str, str]:
    return {link["hreflang"]: link["href"] for link in soup.find_all("link", rel="alternate", hreflang=True)}


# --- every Spanish page -------------------------------------------------------------

def test_every_spanish_page_is_in_spanish(site):
    """<html lang="es">, and no interface word, topic name or clinic word left in
    English (a word that is the same in both languages, like a name, is fine)."""
    import yaml
    english = english_words()
    single = {w for w in english if "%(" not in w and "{" not in w and len(w) > 3}
    taxonomy = yaml.safe_load((ROOT / "tests/fixture_content/taxonomy.yaml").read_text(encoding="utf-8"))["facets"]
    labels = {t["label"] for f in taxonomy.values() for t in f["terms"] if t.get("es", {}).get("label") != t["label"]}
    labels |= {f["label"] for f in taxonomy.values()} | {f["plural"] for f in taxonomy.values()}
    pages = spanish_pages(site)
    assert len(pages) > 40
    for rel in pages:
        soup = site.soup(rel)
        assert soup.html["lang"] == "es", rel
        left = [t for t in shown_text(soup) if t in single or t in labels]
        assert left == [], (rel, left)


def test_the_spanish_site_has_its_own_pages_and_lists_only_spanish_ones(site):
    for rel in ["es/index.html", "es/search/index.html", "es/404.html", "es/a-z/index.html", "es/browse/index.html",
                "es/providers/index.html", "es/conditions/index.html", "es/contact/index.html",
                "es/appointments/index.html", "es/privacy/index.html", "es/disclaimer/index.html",
                "es/accessibility/index.html", "es/about/index.html"]:
        assert (site.output / rel).is_file(), rel
    translated = published("conditions", lang="es")
    untranslated = sorted(set(published("conditions")) - set(translated))
    assert translated and untranslated
    listing = site.soup("es/conditions/index.html")
    cards = [a["href"] for a in listing.select("main .clinic-card__title a")]
    assert sorted(cards) == sorted(f"/es/conditions/{s}/" for s in translated)
    # a page without a translation is absent from /es/, and no Spanish list names it
    for slug in untranslated:
        assert not (site.output / "es/conditions" / slug).exists()
    for rel in spanish_pages(site):
        main = site.soup(rel).find("main")
        for a in main.find_all("a", href=True) if main else []:
            href = a["href"]
            if re.match(r"^/(conditions|procedures|treatments|guides)/", href):
                assert a.get("hreflang") == "en", (rel, href)  # only a link that says it goes to English


def test_hreflang_pairs_point_at_each_other(site):
    paired = 0
    for rel in site.html_files():
        alternates = alternates_of(site.soup(rel))
        if not alternates:
            continue
        assert set(alternates) == {"en", "es", "x-default"}, rel
        assert alternates["x-default"] == alternates["en"]
        here = SITE + "/" + re.sub(r"index\.html$", "", rel)
        assert here in (alternates["en"], alternates["es"]), rel
        for lang in ("en", "es"):
            other = alternates[lang].removeprefix(SITE + "/")
            other_soup = site.soup(other + "index.html" if not other.endswith(".html") else other)
            assert alternates_of(other_soup) == alternates, (rel, lang)
            assert other_soup.html["lang"] == lang
        paired += 1
    assert paired >= 2 * len(published("conditions", lang="es"))
    # the 404 page names no other page as itself
    assert alternates_of(site.soup("es/404.html")) == {}


def test_the_switcher_goes_to_the_same_page_or_says_it_goes_home(site):
    translated = published("conditions", lang="es")[0]
    untranslated = sorted(set(published("conditions")) - set(published("conditions", lang="es")))[0]
    [to_es] = {a["href"] for a in site.soup(f"conditions/{translated}/index.html").select("a.clinic-language")}
    assert to_es == f"/es/conditions/{translated}/"
    link = site.soup(f"conditions/{untranslated}/index.html").select("a.clinic-language")[0]
    assert link["href"] == "/es/" and link["lang"] == "es" and link["hreflang"] == "es"
    assert "página de inicio" in link.get_text() and "no se ha traducido" not in link.get_text()
    assert "traducida" in link.get_text()
    back = site.soup(f"es/conditions/{translated}/index.html").select("a.clinic-language")[0]
    assert back["href"] == f"/conditions/{translated}/" and back["lang"] == "en" and back.get_text() == "English"


def test_a_translation_shows_who_translated_and_checked_it_and_its_structured_data(site):
    slug = published("conditions", lang="es")[0]
    soup = site.soup(f"es/conditions/{slug}/index.html")
    stamp = soup.select_one(".clinic-review-stamp").get_text(" ", strip=True)
    assert "Traducido por" in stamp and "Traducción revisada por" in stamp
    original = soup.select_one(".clinic-review-stamp a[hreflang=en]")
    assert original["href"] == f"/conditions/{slug}/"
    assert soup.select_one(".clinic-translation-notice") is None  # up to date
    scripts = soup.find_all("script", type="application/ld+json")
    assert len(scripts) == 1, (site.output, [str(s)[:80] for s in soup.find_all("script")])
    data = json.loads(scripts[0].string)
    assert data["inLanguage"] == "es" and data["translationOfWork"] == {"@id": f"{SITE}/conditions/{slug}/"}
    english = json.loads(site.soup(f"conditions/{slug}/index.html").find("script", type="application/ld+json").string)
    assert english["inLanguage"] == "en" and {"@id": f"{SITE}/es/conditions/{slug}/"} in english["workTranslation"]
    # the sections have their Spanish titles, and the callouts speak Spanish to a screen reader
    titles = [h.get_text() for h in soup.select(".clinic-section > h2")]
    assert titles[0] == "Información general" and "Cuándo pedir ayuda" in titles and "Overview" not in titles
    hidden = {s.get_text().strip() for s in soup.select(".clinic-callout__title .clinic-u-visually-hidden")}
    assert hidden and hidden <= {"Información:", "Consejo no urgente:", "Consejo urgente:", "Emergencia:"}
    assert all(c.get_text().startswith("Llame a la clínica al") for c in soup.select(".clinic-callout__call"))


def test_the_sitemap_and_the_feeds_name_both_languages(site):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ET.parse(site.output / "sitemap.xml").getroot()
    entries = {u.find("s:loc", ns).text: {x.get("hreflang"): x.get("href") for x in u.findall("x:link", ns)}
               for u in root.findall("s:url", ns)}
    slug = published("conditions", lang="es")[0]
    pair = {"en": f"{SITE}/conditions/{slug}/", "es": f"{SITE}/es/conditions/{slug}/",
            "x-default": f"{SITE}/conditions/{slug}/"}
    assert entries[f"{SITE}/es/conditions/{slug}/"] == pair == entries[f"{SITE}/conditions/{slug}/"]
    untranslated = sorted(set(published("conditions")) - set(published("conditions", lang="es")))[0]
    assert entries[f"{SITE}/conditions/{untranslated}/"] == {}
    feed = ET.parse(site.output / "feeds/all-es.atom.xml").getroot()
    atom = {"a": "http://www.w3.org/2005/Atom"}
    links = [e.find("a:link", atom).get("href") for e in feed.findall("a:entry", atom)]
    assert links and all(link.startswith(f"{SITE}/es/") for link in links)
    english = ET.parse(site.output / "feeds/all.atom.xml").getroot()
    assert not [e for e in english.findall("a:entry", atom) if "/es/" in e.find("a:link", atom).get("href")]


def test_opening_hours_and_dates_are_written_the_spanish_way(site):
    footer = site.soup("es/index.html").select_one(".clinic-location__hours").get_text(" ", strip=True)
    footer = footer.replace("\u202f", " ")  # Babel's narrow no-break space before a.m.
    assert footer.startswith("Lunes a viernes: de 8:00 a.m. a 5:00 p.m."), footer
    slug = published("conditions", lang="es")[0]
    dates = site.soup(f"es/conditions/{slug}/index.html").select_one(".clinic-review-stamp__dates").get_text()
    assert re.search(r"\d{1,2} de [a-z]+ de \d{4}", dates), dates


# --- a translation older than its page -------------------------------------------------

def make_stale(fs) -> tuple[str, str]:
    """Say the Spanish bunions page was made from an older review of the English one."""
    fs.edit("conditions/bunions.es.md", "Translated-from: 2026-12-06", "Translated-from: 2026-10-01")
    return "content/conditions/bunions.es.md", "content/conditions/bunions.md"


def test_a_stale_translation_shows_a_notice_and_the_report_lists_it(fixture_site):
    spanish, english = make_stale(fixture_site)
    built = fixture_site.html()
    assert built.status == 0, built.log
    warnings = [line for line in built.lines if "Translated-from" in line]
    assert len(warnings) == 1 and spanish in warnings[0] and english in warnings[0] and "66 days later" in warnings[0]
    notice = built.soup("es/conditions/bunions/index.html").select_one(".clinic-translation-notice")
    assert "6 de diciembre de 2026" in notice.get_text()
    assert notice.find("a", hreflang="en")["href"] == "/conditions/bunions/"
    import reports
    settings = reports.load_settings(fixture_site.content, "2026-12-06")
    printed = io.StringIO()
    reports.review_report(settings, out=printed)
    out = printed.getvalue()
    [line] = [row for row in out.splitlines() if spanish in row and "days behind" in row]
    assert line.startswith("out of date (66 days behind)") and "2026-10-01" in line and english in line


def test_a_stale_translation_stops_the_publish_when_the_setting_says_error(fixture_site):
    spanish, english = make_stale(fixture_site)
    before = live_site(fixture_site)
    built = fixture_site.publish(CLINIC_TRANSLATION_STALE="error")
    assert built.status != 0
    errors = [line for line in built.lines if line.startswith("content/")]
    assert len(errors) == 1 and errors[0].startswith(spanish + ":") and english in errors[0], built.log
    assert tree_hash(fixture_site.output) == before


def test_a_stale_translation_is_left_out_when_the_setting_says_hide(fixture_site):
    spanish, _ = make_stale(fixture_site)
    fixture_site.edit("conditions/plantar-fasciitis.es.md", "\n## Síntomas",
                      "\nVea también [juanetes]({filename}/conditions/bunions.es.md).\n\n## Síntomas")
    built = fixture_site.publish(CLINIC_TRANSLATION_STALE="hide")
    assert built.status == 0, built.log
    assert [line for line in built.lines if spanish in line and "left out" in line]
    assert not (fixture_site.output / "es/conditions/bunions").exists()
    soup = built.soup("conditions/bunions/index.html")
    assert alternates_of(soup) == {}
    assert soup.select_one("a.clinic-language")["href"] == "/es/"
    listing = [a["href"] for a in built.soup("es/conditions/index.html").select("main .clinic-card__title a")]
    assert listing and "/es/conditions/bunions/" not in listing
    # a Spanish page that linked to it now links to the English page, saying so
    links = [a for a in built.soup("es/conditions/plantar-fasciitis/index.html").find_all("a", href=True)
             if a["href"].rstrip("/").endswith("conditions/bunions")]
    assert links and all(a["href"] == "/conditions/bunions/" for a in links)


# --- mistakes: one clear line each, and the live site kept ---------------------------------
# A translation's mistakes in its own file are rows of the bad-input table
# (test_publish_errors.py CASES, on the pure checks); a whole publish proves the wiring here.

def publish_fails_with_one_line(fs, *starts) -> str:
    before = live_site(fs)
    built = fs.publish()
    assert built.status != 0
    errors = [line for line in built.lines if line.startswith(("content/", "pelicanconf.py", "publishconf.py"))
              and "(warning)" not in line]
    assert len(errors) == 1, built.log
    assert errors[0].startswith(starts), errors
    assert tree_hash(fs.output) == before
    return errors[0]


def test_a_translation_with_the_english_section_titles(fixture_site):
    fixture_site.edit("conditions/bunions.es.md", "## Síntomas", "## Symptoms")
    line = publish_fails_with_one_line(fixture_site, "content/conditions/bunions.es.md: body:")
    assert "section '## Síntomas' is missing" in line and "Symptoms" in line


def test_a_language_without_a_catalog(fixture_site):
    line = publish_fails_with_one_line_settings(fixture_site, CLINIC_TRANSLATION_LANGUAGES=["es", "fr"])
    assert "'fr' has no catalog" in line and "pybabel init -l fr" in line


def publish_fails_with_one_line_settings(fs, **settings) -> str:
    before = live_site(fs)
    built = fs.publish(**settings)
    assert built.status != 0
    errors = [line for line in built.lines if ": " in line and "CLINIC_" in line.split(":")[1]]
    assert len(errors) == 1 and len([x for x in built.lines if x.startswith(("content/", "pelicanconf"))]) == 1, \
        built.log
    assert tree_hash(fs.output) == before
    return errors[0]


# --- in the browser --------------------------------------------------------------------

@pytest.mark.browser
def test_spanish_search_finds_juanete_on_the_spanish_bunions_page(tab, browser_site):
    page = tab()
    page.goto(f"{browser_site.url}/es/search/?q=juanete")
    page.wait_for_function("document.querySelector('.clinic-search__results li') !== null")
    links = page.eval_on_selector_all(".clinic-search__results a", "els => els.map(e => e.getAttribute('href'))")
    status = page.text_content(".clinic-search__status")
    # found, near the top (the bunion operation's title says "juanete" too, so it may come first)
    assert "/es/conditions/bunions/" in links[:2], links
    assert all(link.startswith("/es/") for link in links), links
    assert re.search(r"(\d+ páginas?|1 página) encontrada|Se encontr", status), status


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/es/", "/es/conditions/bunions/", "/es/search/?q=juanete"])
def test_spanish_pages_have_no_axe_violations(tab, browser_site, path):
    from test_accessibility import axe_at_each_width
    found, _, _ = axe_at_each_width(tab, browser_site, path)
    assert found == {}, json.dumps(found, indent=1)


def test_pages_in_finds_each_language():
    """The helper the checks of the shipped content use to tell pages from translations."""
    folder = ROOT / "tests/fixture_content/conditions"
    assert {p.name for p in pages_in(folder, "es")} == {p.name for p in folder.glob("*.es.md")}
    assert all("." not in p.stem for p in pages_in(folder))


def test_the_file_name_pattern_is_the_same_in_pelican_and_the_checks():
    from clinic.model.rules import TRANSLATION_NAME
    settings = (ROOT / "pelicanconf.py").read_text(encoding="utf-8")
    pattern = re.search(r'^FILENAME_METADATA = r"(.+)"$', settings, re.M).group(1)
    assert pattern == TRANSLATION_NAME.pattern
    assert Path  # noqa: B018


def test_a_large_sites_search_bundles_keep_each_language_apart():
    """Each search page merges the bundles of its own language only: a bundle
    without that language would be searched in another one. The first bundle,
    which every search page loads, holds each language, within the limit."""
    from clinic.outputs.search_index import plan_languages
    pages = [f"conditions/c{i:02}/index.html" for i in range(20)] + \
            [f"es/conditions/c{i:02}/index.html" for i in range(11)] + ["about/index.html"]
    parts, merged = plan_languages(pages, 8, ("es",))
    assert all(0 < len(part) <= 8 for part in parts)
    assert sorted(p for part in parts for p in part) == sorted(pages)
    assert any(p.startswith("es/") for p in parts[0]) and any(not p.startswith("es/") for p in parts[0])
    for lang, numbers in merged.items():
        for n in numbers:
            assert all(p.startswith("es/") == (lang == "es") for p in parts[n])
    assert sorted(merged) == ["", "es"] and set(merged[""]).isdisjoint(merged["es"])
    # a site in one language is planned as before
    assert plan_languages(pages[:20], 8, ("es",))[0] == [pages[:7], pages[7:14], pages[14:20]]


def test_a_clinic_page_without_a_translation_is_linked_in_english(fixture_site):
    """The Spanish footer links to the English privacy page, saying so, until it is translated."""
    (fixture_site.content / "pages/privacy.es.md").unlink()
    built = fixture_site.publish()
    assert built.status == 0, built.log
    [link] = [a for a in built.soup("es/index.html").select("footer a") if a["href"].endswith("/privacy/")]
    assert link["href"] == "/privacy/" and link["hreflang"] == "en"
    assert built.soup("index.html").select_one('footer a[href="/privacy/"]').get("hreflang") is None


def test_a_name_with_an_accent_is_listed_under_its_letter():
    from clinic.model.relations import AZEntry
    assert AZEntry("Órtesis de prueba", ("treatment", "x"), True, "Plantillas").letter == "O"
    assert AZEntry("3D scan", ("treatment", "x"), True, "Plantillas").letter == "#"


def test_the_drawings_on_spanish_pages_are_labelled_in_spanish(site):
    """A drawing's labels are words on the page too: a Spanish page shows the Spanish drawing."""
    shown = set()
    for rel in spanish_pages(site):
        for img in site.soup(rel).select("main img[src$='.svg']"):
            shown.add(img["src"].lstrip("/"))
    assert shown
    for src in shown:
        svg = (site.output / src).read_text(encoding="utf-8")
        assert re.search(r'<svg[^>]*\blang="es"', svg), src


def test_switching_a_language_off_is_a_settings_change(tmp_path):
    """A clinic that stops publishing in Spanish sets CLINIC_TRANSLATION_LANGUAGES
    to [] and moves its translations aside: the `es:` words in the taxonomy and
    the clinic's data stay for when it switches back, and are no mistake."""
    from conftest import FixtureSite

    fs = FixtureSite(tmp_path, translations=False)
    assert "\n    es:" in fs.read("taxonomy.yaml") and "\n    es:" in fs.read("clinic/providers.yaml")
    assert not list(fs.content.rglob("*.es.md"))
    built = fs.publish()
    assert built.status == 0 and built.lines[-1] == f"Published to {fs.output}/ (no problems).", built.log
    assert not (fs.output / "es").exists()
    assert 'hreflang="es"' not in (fs.output / "conditions/bunions/index.html").read_text(encoding="utf-8")
    # a key that is no language is still a mistake, with its line
    before = tree_hash(fs.output)
    line = fs.line_of("clinic/providers.yaml", lambda text: text == "    es:")
    fs.edit("clinic/providers.yaml", "\n    es:", "\n    esp:")
    built = fs.publish()
    assert built.status != 0 and built.lines[0].startswith(f"content/clinic/providers.yaml:{line}: providers[0].esp: "
                                                           "is not a known field"), built.log
    assert len(built.lines) == 2 and tree_hash(fs.output) == before


def test_the_switchers_language_names_are_kept_in_the_build_cache(fixture_site, monkeypatch):
    """Each language's own name comes from Babel's CLDR data once, then from the
    build cache, named by Babel's version (issue 22: 64 ms of a publish)."""
    import build
    from clinic.pages import languages
    from conftest import published_cleanly
    published_cleanly(fixture_site.publish())
    stored = fixture_site.base / "cache" / "language-names.json"
    assert json.loads(stored.read_text())["names"] == {"es": "Español", "en": "English"}
    page = fixture_site.output / "conditions/bunions/index.html"
    first = page.read_bytes()
    assert "Español".encode() in first
    monkeypatch.setattr(languages, "language_name", lambda code: pytest.fail(f"Babel asked again for {code}"))
    fixture_site.session = build.clinic.Session()  # a new process, as the next make publish is
    published_cleanly(fixture_site.publish(CLINIC_REUSE_PAGES=False))
    assert page.read_bytes() == first
    # a file from another version of Babel is not trusted
    monkeypatch.undo()
    stored.write_text(json.dumps({"babel": "0.1", "names": {"es": "Castellano antiguo"}}))
    fixture_site.session = build.clinic.Session()
    published_cleanly(fixture_site.publish(CLINIC_REUSE_PAGES=False))
    assert page.read_bytes() == first
    assert json.loads(stored.read_text())["names"]["es"] == "Español"
