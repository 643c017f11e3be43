"""The site built for production: every page written, cross-linked, escaped,
with every internal link resolving (issue 2). The property tests run on the
tests' own content and on the clinic's content/ alike."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

from build import check_output
from clinic.model.rules import KINDS
from conftest import CONTENT, ROOT, SHIPPED, published, read_yaml


# The site's translation languages (CLINIC_TRANSLATION_LANGUAGES): bunions.es.md is the
# Spanish bunions page, at es/conditions/bunions/, in the words of the theme's Spanish catalog.
LANGS = ("es",)


@functools.lru_cache(maxsize=None)
def words_of(lang: str):
    """The words of a language (its catalog's gettext); English: the words themselves."""
    if not lang:
        return lambda message: message
    from clinic.pages.i18n import Catalogs
    return Catalogs(ROOT / "theme").of(lang).gettext


def sections(kind: str, lang: str = "") -> list[str]:
    """A kind's section titles in a language: a Spanish page has them in Spanish."""
    return list(KINDS[kind].translated(words_of(lang)).sections if lang else KINDS[kind].sections)


class Source:
    """What a content folder holds, read independently of the site's own parser:
    the property tests work out what every page must show from this. lang: its
    translations into that language instead (bunions.es.md), each the page of
    its English page at /<lang>/<folder>/<slug>/."""

    def __init__(self, root: Path, lang: str = ""):
        self.root, self.lang = root, lang
        self.conditions, self.procedures, self.treatments, self.guides, self.pages = (
            published(f, root, lang) for f in ("conditions", "procedures", "treatments", "guides", "pages"))
        self.taxonomy = read_yaml(root / "taxonomy.yaml")["facets"]
        self.prefix = f"{lang}/" if lang else ""  # where its pages are, from the site's root
        self.words = words_of(lang)

    def in_languages(self) -> list["Source"]:
        """This content in the site's language, then in each translation language."""
        return [self] + [Source(self.root, lang) for lang in LANGS]

    def meta_of(self, kind_folder: str, slug: str) -> dict:
        text = (self.root / kind_folder / (f"{slug}.{self.lang}.md" if self.lang else f"{slug}.md")).read_text()
        head = text.split("\n\n", 1)[0]
        out, key = {}, None
        for line in head.splitlines():
            if line.startswith("    ") and key:
                out[key] += "\n" + line.strip()
            else:
                key, _, value = line.partition(":")
                key = key.strip().lower()
                out[key] = value.strip()
        return out


@pytest.fixture(params=["fixture content", "shipped content"])
def built(request):
    """Each property test runs on the tests' own site and on the clinic's content/:
    whatever a valid content/ holds, these must stay true."""
    if request.param == "shipped content":
        return request.getfixturevalue("shipped"), Source(SHIPPED)
    return request.getfixturevalue("site"), Source(CONTENT)


def hrefs(soup) -> set[str]:
    return {a["href"] for a in soup.find_all("a", href=True)}


def test_every_page_is_written(built):
    site, src = built
    for each in src.in_languages():  # each translation at /es/<folder>/<slug>/, with the site's own pages under /es/
        root = site.output / each.prefix
        for folder, slugs in (("conditions", each.conditions), ("procedures", each.procedures),
                              ("treatments", each.treatments), ("guides", each.guides)):
            for slug in slugs:
                assert (root / folder / slug / "index.html").is_file(), f"{each.prefix}{folder}/{slug}"
            assert (root / folder / "index.html").is_file()
        for slug in each.pages:
            assert (root / slug / "index.html").is_file(), each.prefix + slug
        for rel in ("index.html", "a-z/index.html", "search/index.html", "404.html", "browse/index.html",
                    "providers/index.html"):
            assert (root / rel).is_file(), each.prefix + rel
    for rel in ("sitemap.xml", "robots.txt", "feeds/all.atom.xml"):
        assert (site.output / rel).is_file(), rel


def _lead(words, message: str) -> str:
    """The words of a message before its first placeholder: "Medically reviewed by"."""
    return words(message).split("%(")[0].strip()


def test_condition_pages_have_the_sections_in_order_and_the_medical_furniture(built):
    site, src = built
    for each in src.in_languages():  # a translation: its sections and furniture in its language
        words = each.words
        for slug in each.conditions:
            soup = site.soup(f"{each.prefix}conditions/{slug}/index.html")
            body = soup.select_one(".clinic-article__body")
            assert [h.get_text(strip=True) for h in body.find_all("h2")] == sections("condition", each.lang), slug
            assert len(soup.find_all("h1")) == 1
            stamp = soup.select_one(".clinic-review-stamp").get_text(" ", strip=True)
            for message in ("Medically reviewed by %(reviewer)s, %(role)s.", "Last reviewed: %(date)s.",
                            "Next review due: %(date)s."):
                assert _lead(words, message) in stamp, (each.prefix, slug, message)
            disclaimer = soup.select_one(".clinic-disclaimer").get_text(" ", strip=True)
            assert words("It is not advice about your own health.") in disclaimer, (each.prefix, slug)
            # under its heading, with no page title in the middle of a sentence ("explains Heel bursitis")
            said = soup.select_one(".clinic-disclaimer p").get_text(" ", strip=True)
            assert said.startswith(words("It is not advice about your own health.")), (each.prefix, slug, said)
            assert soup.select_one("a.clinic-skip-link")["href"] == "#maincontent"
            assert soup.find("main", id="maincontent") is not None
            assert soup.select(".clinic-sources__list li"), f"{each.prefix}{slug} lists no sources"


def test_procedure_pages_have_their_sections(built):
    site, src = built
    for each in src.in_languages():
        for slug in each.procedures:
            soup = site.soup(f"{each.prefix}procedures/{slug}/index.html")
            body = soup.select_one(".clinic-article__body")
            assert [h.get_text(strip=True) for h in body.find_all("h2")] == sections("procedure", each.lang), slug


def test_relations_appear_on_both_sides(built):
    site, src = built
    """A procedure's `Treats:` line puts it on the condition page, and the condition on the procedure page.
    In a translation language, between the pages that language has (a condition without a translation
    has no page there to be listed on)."""
    for each in src.in_languages():
        pairs = 0
        for folder, slugs in (("procedures", each.procedures), ("treatments", each.treatments)):
            for slug in slugs:
                treats = [t.strip() for t in each.meta_of(folder, slug)["treats"].split(",") if t.strip()]
                assert treats
                proc = site.soup(f"{each.prefix}{folder}/{slug}/index.html")
                for condition in treats:
                    if condition not in each.conditions:
                        assert each.lang, (slug, condition)  # in English every condition it treats has its page
                        continue
                    assert f"/{each.prefix}conditions/{condition}/" in hrefs(proc.select_one(".clinic-related-box"))
                    cond = site.soup(f"{each.prefix}conditions/{condition}/index.html")
                    section = each.words("Surgical options" if folder == "procedures" else "Non-surgical treatment")
                    box = next(s for s in cond.select("section.clinic-section") if s.h2.get_text() == section)
                    assert f"/{each.prefix}{folder}/{slug}/" in hrefs(box), (each.prefix, slug, condition)
                    pairs += 1
        if not each.lang:
            assert pairs >= len(each.procedures) + len(each.treatments)


def expected_term_pages(src: Source) -> dict[tuple[str, str], set[str]]:
    """Which pages each term page should list, worked out from the source files
    (a translation language's term pages list its own pages only)."""
    expected: dict[tuple[str, str], set[str]] = {}
    types = {t["slug"]: t["type"] for t in src.taxonomy["procedure"]["terms"]}
    keys = {"regions": "region", "symptoms": "symptom", "conditions": "condition", "procedures": "procedure"}
    treats_of = {}
    for folder, slugs in (("conditions", src.conditions), ("procedures", src.procedures), ("treatments", src.treatments),
                          ("guides", src.guides)):
        for slug in slugs:
            meta = src.meta_of(folder, slug)
            url = f"/{src.prefix}{folder}/{slug}/"
            for key, facet in keys.items():
                for term in filter(None, (t.strip() for t in meta.get(key, "").split(","))):
                    expected.setdefault((facet, term), set()).add(url)
            if folder == "conditions":
                expected.setdefault(("condition", slug), set()).add(url)
            if folder in ("procedures", "treatments"):
                expected.setdefault(("procedure", slug), set()).add(url)
                expected.setdefault(("treatment-type", types[slug]), set()).add(url)
                treats = [t.strip() for t in meta["treats"].split(",")]
                treats_of[slug] = treats
                for c in treats:
                    expected.setdefault(("condition", c), set()).add(url)
                    if c not in src.conditions:  # a condition without a page in this language is listed nowhere
                        continue
                    curl = f"/{src.prefix}conditions/{c}/"
                    expected.setdefault(("procedure", slug), set()).add(curl)
                    expected.setdefault(("treatment-type", types[slug]), set()).add(curl)
    return expected


def test_term_pages_list_exactly_the_right_articles(built):
    site, src = built
    for each in src.in_languages():  # /es/browse/...: the same topics, listing the Spanish pages
        expected = expected_term_pages(each)
        for facet, data in each.taxonomy.items():
            facet_page = site.soup(f"{each.prefix}browse/{facet}/index.html")
            for term in data["terms"]:
                if _term_words(term, each.lang) is None:
                    continue  # a term without words in this language has no page in it
                slug = term["slug"]
                assert f"/{each.prefix}browse/{facet}/{slug}/" in hrefs(facet_page)
                soup = site.soup(f"{each.prefix}browse/{facet}/{slug}/index.html")
                listed = {a["href"] for a in soup.select("main .clinic-card__title a")}
                assert listed == expected.get((facet, slug), set()), (each.prefix, facet, slug)


def _same(name: str) -> str:
    """The test's own reading of 'the same name': case, spaces, hyphens, apostrophes, a plural s."""
    word = re.sub(r"[\s'\u2019-]+", "", name.lower())
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def _term_words(term: dict, lang: str) -> dict | None:
    """A term's label and other names in a language (its es: block); None when it
    has none there (such a term is left out of that language's pages)."""
    if not lang:
        return term
    words = term.get(lang) or {}
    return words if {"label", "description"} <= set(words) else None


def test_a_to_z_holds_every_condition_and_treatment_once_with_its_other_names(built):
    site, src = built
    for each in src.in_languages():  # /es/a-z/: the Spanish pages, by their Spanish names
        _check_a_to_z(site, each)


def _check_a_to_z(site, src: Source) -> None:
    soup = site.soup(f"{src.prefix}a-z/index.html")
    items = [li.get_text(" ", strip=True) for li in soup.select(".clinic-az-list li")]
    pages = [("conditions", "condition", slug) for slug in src.conditions] + \
            [(folder, "procedure", slug) for folder, slugs in (("procedures", src.procedures),
                                                                ("treatments", src.treatments)) for slug in slugs]
    another_name = src.words("%(name)s: another name for %(target)s")
    expected_names = []
    for folder, facet, slug in pages:
        term = _term_words(next(t for t in src.taxonomy[facet]["terms"] if t["slug"] == slug), src.lang)
        if term is None:
            continue
        url = f"/{src.prefix}{folder}/{slug}/"
        assert any(li.select_one(f'a[href="{url}"]') and li.a.get_text() == term["label"]
                   for li in soup.select(".clinic-az-list li")), term["label"]
        names = {_same(term["label"])}
        expected_names.append(term["label"])
        for syn in term.get("synonyms", []):
            said = another_name.replace("%(name)s", syn).split("%(target)s")[0]
            listed = [li for li in soup.select(".clinic-az-list li")
                      if li.get_text(" ", strip=True).startswith(said)]
            if _same(syn) in names:
                assert listed == [], f"{syn!r} is {term['label']!r} written differently: listed once"
                continue
            names.add(_same(syn))
            expected_names.append(syn)
            assert any(li.a["href"] == url and li.a.get_text() == term["label"] for li in listed), (syn, items[:5])
    assert len(items) == len(expected_names), src.prefix
    letters = soup.select(".clinic-az-nav li")
    assert [li.get_text(strip=True)[-1] for li in letters][:26] == [chr(c) for c in range(ord("A"), ord("Z") + 1)]
    starts = {name[:1].upper() for name in expected_names}
    for li in letters[:26]:
        letter = li.get_text(strip=True)[-1]
        assert (li.a is not None) == (letter in starts), letter  # a letter with nothing under it is not a link


def test_home_page_shows_regions_and_featured_conditions_only(site):
    soup = site.soup("index.html")
    regions = [a["href"] for a in soup.select(".clinic-region-grid a")]
    assert regions == [f"/browse/region/{r}/" for r in
                       ("toes", "forefoot", "heel", "ankle", "achilles")]
    featured = soup.select("main .clinic-card")
    assert 1 <= len(featured) <= 6  # a fixed list from the settings, not every article
    assert "/a-z/" in hrefs(soup)


def test_header_and_footer_come_from_the_clinic_data(built):
    site, src = built
    clinic = read_yaml(src.root / "clinic/clinic.yaml")
    locations = read_yaml(src.root / "clinic/locations.yaml")["locations"]
    for each in src.in_languages():  # under /es/: the clinic's words in Spanish where clinic.yaml gives them
        name = (clinic.get(each.lang) or {}).get("name", clinic["name"]) if each.lang else clinic["name"]
        for rel in ("index.html", *(f"conditions/{c}/index.html" for c in each.conditions[:1]), "a-z/index.html"):
            soup = site.soup(each.prefix + rel)
            assert soup.select_one(".clinic-header__name span").get_text(strip=True) == name
            phone = soup.select_one(".clinic-header__phone")
            assert phone["href"] == "tel:" + re.sub(r"[^\d+]", "", clinic["phone"])
            assert clinic["phone_display"] in phone.get_text()
            assert soup.select_one('.clinic-header a[href$="/appointments/"]')
            footer = soup.select_one("footer").get_text(" ", strip=True)
            for loc in locations:
                assert loc["street"] in footer and loc["phone_display"] in footer
            for page in ("disclaimer", "privacy", "accessibility"):  # in the page's language where it has one
                assert f"/{each.prefix if page in each.pages else ''}{page}/" in hrefs(soup.select_one("footer"))
            if clinic.get("sample"):
                assert each.words("names and numbers are made up.") in soup.select_one(".clinic-sample-notice").get_text()


def test_no_unrendered_template_syntax_anywhere(built):
    site, src = built
    for rel in site.html_files():
        # JSON may legitimately contain "}}"
        text = re.sub(r'<script type="application/ld\+json">.*?</script>', "", site.markup(rel), flags=re.S)
        for marker in ("{{", "}}", "{%", "%}", "{filename}", "{static}", "{emergency_number}", "!!! "):
            assert marker not in text, f"{marker!r} in {rel}"


def test_every_internal_link_and_asset_resolves(built):
    site, src = built
    assert check_output(site.output, "https://clinic.test") == []


def test_every_page_has_one_h1_and_a_canonical_link(built):
    site, src = built
    for rel in site.html_files():
        soup = site.soup(rel)
        assert len(soup.find_all("h1")) == 1, rel
        canonical = soup.find("link", rel="canonical")
        assert canonical and canonical["href"].startswith("https://clinic.test/"), rel


def test_callouts_announce_their_tier(site):
    soup = site.soup("conditions/plantar-fasciitis/index.html")
    callouts = soup.select(".clinic-callout")
    assert callouts
    for c in callouts:
        prefix = c.select_one(".clinic-callout__title .clinic-u-visually-hidden").get_text()
        assert prefix.strip() in ("Information:", "Non-urgent advice:", "Urgent advice:", "Emergency:")


def test_every_callout_that_advises_calling_gives_the_clinics_number(built):
    """Urgent and non-urgent advice ends with the clinic's phone, as a link that
    calls it; no page says {clinic_phone} or 'call us' without a number."""
    site, src = built
    clinic = read_yaml(src.root / "clinic/clinic.yaml")
    tel = "tel:" + re.sub(r"[^\d+]", "", clinic["phone"])
    found = 0
    for rel in site.html_files():
        soup = site.soup(rel)
        for callout in soup.select(".clinic-callout--urgent, .clinic-callout--non-urgent"):
            call = callout.select_one(".clinic-callout__call a")
            assert call is not None and call["href"] == tel and call.get_text() == clinic["phone_display"], rel
            found += 1
        assert "{clinic_phone}" not in site.markup(rel), rel
    assert found or not src.conditions
    assert not [line for line in site.lines if "with no number to call" in line], site.log


def test_the_clinics_details_live_in_one_place():
    """The clinic's name and phone live only in content/clinic/*.yaml, never in the
    theme or the settings, so a real clinic changes them in one file."""
    clinic = read_yaml(SHIPPED / "clinic/clinic.yaml")
    for path in list((ROOT / "theme").rglob("*.html")) + [ROOT / "pelicanconf.py"]:
        text = Path(path).read_text()
        assert clinic["phone_display"] not in text and clinic["name"] not in text, path


def test_no_page_has_a_doubled_full_stop(built):
    """A source dated 'n.d.' or hours ending '5 p.m.' end their sentence themselves
    (the full_stop filter): no 'n.d..' or 'p.m..' on any page; an ellipsis is fine."""
    site, src = built
    found = []
    for rel in site.html_files():
        if rel.startswith("pagefind/"):
            continue
        text = site.soup(rel).get_text("")
        found += [(rel, text[max(0, m.start() - 25):m.end()]) for m in re.finditer(r"(?<!\.)\.\.(?!\.)", text)]
    assert found == []


def test_the_full_stop_filter_ends_a_sentence_once():
    from markupsafe import Markup

    from clinic.pages.filters import full_stop
    assert full_stop("2016") == "2016." and full_stop("n.d.") == "n.d." and full_stop("5 p.m.") == "5 p.m."
    assert full_stop("Is it?") == "Is it?"
    marked = full_stop(Markup("Mon <b>8 a.m.</b> to 5 pm"))
    assert isinstance(marked, Markup) and marked == Markup("Mon <b>8 a.m.</b> to 5 pm.")


# What must hold for any valid content: the lifecycle test (test_lifecycle.py)
# runs these after each of a webmaster's steps.
CONTENT_PROPERTIES = (
    test_every_page_is_written, test_condition_pages_have_the_sections_in_order_and_the_medical_furniture,
    test_procedure_pages_have_their_sections, test_relations_appear_on_both_sides,
    test_term_pages_list_exactly_the_right_articles, test_a_to_z_holds_every_condition_and_treatment_once_with_its_other_names,
    test_header_and_footer_come_from_the_clinic_data, test_no_unrendered_template_syntax_anywhere,
    test_every_internal_link_and_asset_resolves, test_every_page_has_one_h1_and_a_canonical_link,
    test_no_page_has_a_doubled_full_stop, test_every_callout_that_advises_calling_gives_the_clinics_number)


def check_content_properties(site, content: Path) -> None:
    for check in CONTENT_PROPERTIES:
        check((site, Source(content)))
