"""Every word the theme shows comes from its gettext catalogs (issue 23):

- the templates hold no words of their own outside `{{ _("...") }}`, in their
  HTML or in their code (checked on the source, so a template no fixture page
  uses is checked too);
- theme/translations/messages.pot and each language's catalog hold exactly the
  words the templates ask for (`make translations` after changing a template);
- every word has a complete translation that keeps its placeholders, and the
  committed .mo (all the build reads) is the compiled .po;
- the build's gettext picks the language of the page being rendered.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment, FileSystemLoader, nodes

from clinic.pages.i18n import Catalogs, catalog_dir, languages
from conftest import ROOT

THEME = ROOT / "theme"
# the template extensions of the build (pelicanconf.py's JINJA_ENVIRONMENT), which babel.cfg lists too
EXTENSIONS = ["jinja2.ext.i18n", "clinic.pages.fragments.FragmentCache"]
TEMPLATES = sorted((THEME / "templates").glob("*.html"))
POT = catalog_dir(THEME) / "messages.pot"
GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext"}

# Translations that may be the same as the English words: a whole msgid that is
# a name spelled alike in both languages. None today; add one only with its reason.
SAME_IN_TRANSLATION: dict[str, str] = {}

# Literal text in a template's HTML that is not for people, each with why.
NOT_WORDS = {
    ("article.html", "article"): 'the og:type of the page (a keyword of the Open Graph protocol, in base.html\'s '
                                 '<meta property="og:type">)',
}

# Attributes whose values people see or hear; and the <meta> tags whose content is shown as text
# by search engines and link previews.
SHOWN_ATTRIBUTES = {"alt", "title", "placeholder", "label", "aria-label", "aria-description",
                    "aria-roledescription", "aria-valuetext", "aria-placeholder"}
SHOWN_META = {"description", "og:title", "og:description", "og:image:alt", "og:site_name", "twitter:title",
              "twitter:description"}

CUT = "\x1f"  # where a piece of Jinja was: no letter, no space, no HTML
JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
LETTER = re.compile(r"[^\W\d_]")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# the search page's messages, which search.js fills in: "{num} pages found."
SCRIPT_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _key(message_id) -> str | tuple[str, ...]:
    return message_id if isinstance(message_id, str) else tuple(message_id)


def extracted() -> set:
    """The msgids in the templates, extracted as `make translations` extracts them (babel.cfg)."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    # babel.cfg's paths are all under theme/ and plugins/: the walk need not enter node_modules/ or output/
    tops = (THEME, ROOT / "plugins")
    inside = lambda folder: any(top in (Path(folder), *Path(folder).parents) for top in tops)  # noqa: E731
    return {_key(message) for _file, _line, message, _comments, _context
            in extract_from_dir(str(ROOT), method_map, options_map, directory_filter=inside)}


def test_the_templates_are_parsed_here_and_by_babel_with_the_builds_extensions():
    from pelican.settings import read_settings
    assert read_settings(str(ROOT / "pelicanconf.py"))["JINJA_ENVIRONMENT"]["extensions"] == EXTENSIONS
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        _, options_map = parse_mapping_cfg(cfg)
    [templates] = [options for pattern, options in options_map.items() if pattern.startswith("theme/templates")]
    assert [name.strip() for name in templates["extensions"].split(",")] == EXTENSIONS


def read_catalog(path: Path):
    with open(path, "rb") as f:
        return read_po(f)


def catalog_ids(catalog) -> set:
    return {_key(m.id) for m in catalog if m.id}


def po_files() -> list[Path]:
    return sorted(catalog_dir(THEME).glob("*/LC_MESSAGES/messages.po"))


def test_there_is_a_spanish_catalog():
    assert "es" in languages(THEME)
    assert catalog_dir(THEME) / "es" / "LC_MESSAGES" / "messages.po" in po_files()


def test_the_template_catalog_holds_exactly_the_words_of_the_templates():
    words = extracted()
    assert words, "babel.cfg extracted nothing"
    pot = catalog_ids(read_catalog(POT))
    assert sorted(map(str, words - pot)) == [], "new words in the templates: run `make translations`"
    assert sorted(map(str, pot - words)) == [], "words no template uses any more: run `make translations`"


@pytest.mark.parametrize("po", po_files(), ids=lambda p: p.parent.parent.name)
def test_each_language_has_exactly_the_words_of_the_templates(po):
    words, catalog = extracted(), catalog_ids(read_catalog(po))
    assert sorted(map(str, words - catalog)) == [], "not in the catalog yet: run `make translations`"
    assert sorted(map(str, catalog - words)) == [], "no template uses these any more: run `make translations`"


def translation_problems(catalog) -> list[str]:
    """What is wrong with a catalog's translations: an empty, fuzzy or untranslated
    msgstr, placeholders that differ from the msgid's, or markup the msgid does not
    have (a translation is output as trusted markup: only the values are escaped)."""
    problems = []
    for m in catalog:
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        name = ids[0]
        if m.fuzzy:
            problems.append(f"{name!r}: fuzzy")
        if isinstance(m.id, (list, tuple)) and len(strings) != catalog.num_plurals:
            problems.append(f"{name!r}: {len(strings)} plural forms, the language has {catalog.num_plurals}")
        wanted = Counter(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            if not (text or "").strip():
                problems.append(f"{name!r}: not translated")
                continue
            if text in ids and text not in SAME_IN_TRANSLATION:
                problems.append(f"{name!r}: the same as the English")
            if Counter(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"{name!r}: placeholders {sorted(PLACEHOLDER.findall(text))} "
                                f"instead of {sorted(wanted.elements())}")
            if Counter(SCRIPT_PLACEHOLDER.findall(text)) != Counter(SCRIPT_PLACEHOLDER.findall(ids[-1])):
                problems.append(f"{name!r}: {{placeholders}} {sorted(SCRIPT_PLACEHOLDER.findall(text))} instead of "
                                f"{sorted(SCRIPT_PLACEHOLDER.findall(ids[-1]))}")
            if "%" in PLACEHOLDER.sub("", text).replace("%%", ""):
                problems.append(f"{name!r}: a % that is not a placeholder (write %%)")
            markup = set("<>&\"") & set(text) - set("".join(ids))
            if markup:
                problems.append(f"{name!r}: {''.join(sorted(markup))} in the translation, not in the English")
    return problems


@pytest.mark.parametrize("po", po_files(), ids=lambda p: p.parent.parent.name)
def test_every_word_is_translated_and_keeps_its_placeholders(po):
    catalog = read_catalog(po)
    assert catalog.locale is not None and str(catalog.locale) == po.parent.parent.name
    assert translation_problems(catalog) == []


def test_the_translation_check_finds_what_it_should():
    from babel.messages.catalog import Catalog
    catalog = Catalog(locale="es")
    catalog.add("Search", "Buscar")
    catalog.add("Menu", "")
    catalog.add("Guides", "Guides")
    catalog.add("Call %(phone)s.", "Llame al %(telefono)s.")
    catalog.add("Read our %(link)s.", "Lea nuestro %(link)s.", flags=["fuzzy"])
    catalog.add("Sources", "<b>Fuentes</b>")
    catalog.add("Every page", "100% de las páginas")
    catalog.add(("%(num)s page", "%(num)s pages"), ("%(num)s página", "%(num)s páginas"))
    assert translation_problems(catalog) == [
        "'Menu': not translated",
        "'Guides': the same as the English",
        "'Call %(phone)s.': placeholders ['telefono'] instead of ['phone']",
        "'Read our %(link)s.': fuzzy",
        "'Sources': <> in the translation, not in the English",
        "'Every page': a % that is not a placeholder (write %%)",
        "'%(num)s page': 2 plural forms, the language has 3",
    ]


@pytest.mark.parametrize("po", po_files(), ids=lambda p: p.parent.parent.name)
def test_the_committed_mo_is_the_compiled_po(po):
    """The build reads only the .mo: it must be the .po as `pybabel compile` makes it."""
    compiled = io.BytesIO()
    write_mo(compiled, read_catalog(po))
    assert po.with_suffix(".mo").read_bytes() == compiled.getvalue(), "run `make translations`"


# --- No words outside gettext --------------------------------------------------


class _Text(HTMLParser):
    """The text and the shown attribute values of a template's HTML, its Jinja taken out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name, value in attrs.items():
            if name in SHOWN_ATTRIBUTES and value:
                self.found.append(value)
        if tag == "meta" and (attrs.get("name") in SHOWN_META or attrs.get("property") in SHOWN_META):
            self.found.append(attrs.get("content") or "")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.found.append(data)


def words_in_html(source: str) -> list[str]:
    """The pieces of a template's literal text (between its `{{ }}`, `{% %}` and `{# #}`)
    that have a letter in them and are not a URL or a path (a canonical address's end)."""
    parser = _Text()
    parser.feed(JINJA.sub(CUT, source))
    parser.close()
    pieces = (piece.strip() for text in parser.found for piece in text.split(CUT))
    return [piece for piece in pieces if LETTER.search(piece) and not _machine(piece)]


def _machine(text: str) -> bool:
    """A URL, a path, a CSS class or an id: lower case, no space, and a sign words lack."""
    return re.fullmatch(r"[a-z0-9_./:#?=&-]*", text) is not None and (not text or bool(re.search(r"[-_./:#]", text)))


def words_in_code(source: str) -> list[str]:
    """String constants in a template's Jinja that can reach the page with a letter in
    them and are not gettext's own msgids: a label passed to a macro, a value of a set
    dict or list, part of a `~` join, a branch of an `x if y else z`. Not: dict keys,
    filter, test and method arguments, comparisons, subscripts, template names."""
    env = Environment(extensions=EXTENSIONS)
    found: list[str] = []

    def walk(node, shown: bool) -> None:
        if isinstance(node, nodes.Const):
            if shown and isinstance(node.value, str) and LETTER.search(node.value) and not _machine(node.value):
                found.append(node.value)
            return
        quiet: set[int] = set()  # children whose strings never reach the page
        if isinstance(node, (nodes.Filter, nodes.Test)):
            quiet = {id(x) for x in node.args} | {id(k) for k in node.kwargs}
        elif isinstance(node, nodes.Call):
            name = node.node.name if isinstance(node.node, nodes.Name) else None
            if name in GETTEXT or name is None:  # msgids (checked by the catalogs); a method's arguments
                quiet = {id(x) for x in node.args}
        elif isinstance(node, (nodes.Compare, nodes.Getitem, nodes.Extends, nodes.Include, nodes.Import,
                               nodes.FromImport)):
            quiet = {id(x) for x in node.iter_child_nodes()}
        elif isinstance(node, nodes.Pair):
            quiet = {id(node.key)}
        for child in node.iter_child_nodes():
            walk(child, shown and id(child) not in quiet)

    walk(env.parse(source), True)
    return found


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_a_template_has_no_words_outside_gettext(template):
    source = template.read_text(encoding="utf-8")
    html = [text for text in words_in_html(source) if (template.name, text) not in NOT_WORDS]
    assert html == [], f"wrap in {{{{ _(\"...\") }}}}: {template.name}"
    assert words_in_code(source) == [], f"wrap in _(\"...\"): {template.name}"


def test_the_words_check_finds_what_it_should():
    html = ('<title>Search | {{ SITENAME }}</title><p>Call us on <a href="{{ url }}">{{ phone }}</a></p>'
            '<img alt="Photo of {{ name }}" src="x.png"><nav aria-label="{{ _("Main") }}">{{ _("Menu") }}</nav>'
            '<p>{{ n }} page{{ "" if n == 1 else "s" }}</p><meta name="description" content="All pages">'
            '<p class="clinic-card">&amp; {{ x }}, {{ y }}.</p>{% block canonical %}{{ address }}/404.html{% endblock %}')
    assert words_in_html(html) == ["Search |", "Call us on", "Photo of", "page", "All pages"]
    code = ('{% set names = {"procedure": "surgery", "condition": ""} %}{{ crumbs([("Home", ""), (x, "browse/")], "Search") }}'
            '{{ leads.get(slug) or "Other pages about " ~ plural ~ ":" }}{{ "" if n == 1 else "s" }}'
            '{{ _("Read our %(link)s.", link=link(SITEURL ~ "/disclaimer/", _("medical disclaimer"))) }}'
            '{{ search_form("clinic-menu-search", "clinic-u-wide-only") }}{{ asset("css/site.css") }}'
            '{% if kind.name == "condition" %}{{ info.section("treatments") }}{{ items|join(", ") }}{% endif %}'
            '{% from "_macros.html" import card_list with context %}{{ x|selectattr("folder", "equalto", y)|first }}')
    assert words_in_code(code) == ["surgery", "Home", "Search", "Other pages about ", "s"]


# --- The build's gettext -------------------------------------------------------


def build_like_env() -> Environment:
    """A Jinja environment made as the build makes it (pelicanconf.py's JINJA_ENVIRONMENT,
    plugins/clinic/state.py's Catalogs(theme).install)."""
    env = Environment(loader=FileSystemLoader(str(THEME / "templates")), trim_blocks=True, lstrip_blocks=True,
                      autoescape=True, extensions=EXTENSIONS)
    Catalogs(THEME).install(env)
    return env


class _Page:
    def __init__(self, lang: str):
        self.lang = lang


def test_the_page_language_picks_the_words():
    template = build_like_env().from_string('{{ _("Search") }}')
    assert template.render(page_lang="es") == "Buscar"
    assert template.render(page_lang="en") == "Search"
    assert template.render(article=_Page("es")) == "Buscar"
    assert template.render(page=_Page("es"), DEFAULT_LANG="en") == "Buscar"
    assert template.render(DEFAULT_LANG="es") == "Buscar"
    assert template.render() == "Search"
    assert template.render(page_lang="fr") == "Search"  # a language without a catalog: the templates' own words


def test_translated_sentences_escape_their_values_and_keep_their_links():
    env = build_like_env()
    emergency = env.from_string('{{ _("In an emergency, call %(number)s.", number=number) }}')
    assert emergency.render(page_lang="es", number="<911>") == "En una emergencia, llame al &lt;911&gt;."
    assert emergency.render(page_lang="en", number="<911>") == "In an emergency, call &lt;911&gt;."
    read = env.from_string('{% from "_macros.html" import link %}'
                           '{{ _("Read our %(link)s.", link=link("/disclaimer/?a=1&b=2", _("medical disclaimer"))) }}')
    assert read.render(page_lang="es") == 'Lea nuestro <a href="/disclaimer/?a=1&amp;b=2">aviso médico</a>.'
    pages = env.from_string('{{ ngettext("%(num)s page", "%(num)s pages", n) }}')
    assert [pages.render(page_lang="es", n=n) for n in (1, 3)] == ["1 página", "3 páginas"]
    assert [pages.render(page_lang="en", n=n) for n in (1, 3)] == ["1 page", "3 pages"]


def test_the_words_of_the_sites_code_dates_times_and_the_language_follow_the_page():
    """Words the code supplies (N_(): kinds of page, callout headings) through the
    `words` filter; dates and opening times as the language writes them in the
    clinic's country (Babel); <html lang> from the page. English keeps its own forms."""
    import datetime as dt

    from clinic.model.rules import KINDS

    env = build_like_env()
    kind = env.from_string("{{ label|words }}")
    assert kind.render(page_lang="es", label=KINDS["procedure"].singular) == "Cirugía"
    assert kind.render(page_lang="en", label=KINDS["procedure"].singular) == "Procedure"
    assert kind.render(page_lang="es", label="<b>not a word of ours</b>") == "&lt;b&gt;not a word of ours&lt;/b&gt;"
    when = env.from_string("{{ day|long_date }} {{ opens|clock }}-{{ closes|clock }}")
    day = dt.date(2026, 12, 6)
    assert when.render(page_lang="en", day=day, opens="08:00", closes="17:30") == "December 6, 2026 8 a.m.-5:30 p.m."
    assert when.render(page_lang="es", day=day, opens="08:00", closes="17:30") == \
        "6 de diciembre de 2026 8:00\u202fa.m.-5:30\u202fp.m."  # CLDR's narrow no-break space
    assert env.from_string("{{ page_language() }}").render(article=_Page("es"), DEFAULT_LANG="en") == "es"
    assert env.from_string("{{ page_language() }}").render(DEFAULT_LANG="en") == "en"


def test_each_languages_own_words_are_what_the_extension_gives():
    """A page's `_` comes from its language's context (Catalogs.template_words):
    for every word of the templates, in each language, it gives what Jinja's
    i18n extension gives that page, values escaped and %% kept as one %."""
    env = build_like_env()
    catalogs = Catalogs(THEME)
    catalogs.install(env)
    words = env.from_string("{{ _(message, **values) }}")
    messages = [m.id for m in read_catalog(catalog_dir(THEME) / "messages.pot") if m.id and isinstance(m.id, str)]
    assert len(messages) > 50
    for lang in ["en"] + languages(THEME):
        own = catalogs.template_words(lang)
        assert set(own) == {"_", "gettext"}
        for message in messages + ["100%% sure", "A <b>%(tag)s</b> & more"]:
            values = {name: "<i>&amp;</i>" for name in re.findall(r"%\((\w+)\)s", message)}
            assert words.render(message=message, values=values, **own) == \
                words.render(message=message, values=values, page_lang=lang), (lang, message)
    # a site whose templates do not escape keeps the extension's own functions
    plain = Environment(autoescape=False, extensions=["jinja2.ext.i18n"])
    unescaped = Catalogs(THEME)
    unescaped.install(plain)
    assert unescaped.template_words("es") == {}
