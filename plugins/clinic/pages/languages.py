"""The site in each translation language (CLINIC_TRANSLATION_LANGUAGES).

A translation is a Pelican translation (bunions.es.md beside bunions.md), at
/es/conditions/bunions/. Around the translated pages the generator writes the
site's own pages again in each language under /es/ (home, listings, A to Z,
topics, team, search, 404), from the same templates: what differs is the
context, which the writer gives every page in that language (speed/writer.py):
the taxonomy's and the clinic's words in that language, the pages that exist
in it, and LANG_SITEURL, where the site's own pages in that language start.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from markupsafe import Markup, escape

from ..model.article import ArticleMeta
from ..model.clinicdata import ClinicData
from ..model.paths import write_whole
from ..model.relations import Index
from ..model.rules import MARKDOWN_SUFFIXES, language_of
from ..model.vocabulary import Vocabulary
from ..model.words import N_

# Shown on a page that has no translation, in the language it offers.
NOT_TRANSLATED = N_("%(language)s: home page")
NOT_TRANSLATED_WHY = N_("(this page has not been translated)")
# After a link in a translation to a page that has none in its language.
IN_DEFAULT_LANGUAGE = N_("(in English)")
# A {filename} link to a Markdown source, as Pelican's reader leaves it before resolving it.
SOURCE_LINK = re.compile(r'<a href="\{filename\}(?P<path>[^"#]*?)(?P<anchor>#[^"]*)?"(?P<rest>[^>]*)>(?P<text>.*?)</a>', re.S)


@dataclass
class Language:
    """One translation language of one build: its words, data and pages."""

    code: str
    vocab: Vocabulary
    data: ClinicData
    index: Index
    metas: list[ArticleMeta]  # its published translations' metadata
    words: Callable[[str], str]  # its catalog's gettext

    @property
    def root(self) -> str:
        return f"{self.code}/"


def language_name(code: str) -> str:
    """A language's name in that language, as a reader looks for it: "Español", "English"."""
    from babel import Locale
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


class LanguageNames:
    """language_name(), kept in the build's cache folder: importing Babel and
    loading a language's CLDR data for it took 64 ms of a 0.8 s `make publish`
    of the clinic's site. The file names Babel's version; a file of another
    version, or one that cannot be read, is ignored (the names are looked up)."""

    def __init__(self, path: Path):
        import importlib.metadata
        self.path, self.added = Path(path), False
        self.version = importlib.metadata.version("babel")
        self.names: dict[str, str] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("babel") == self.version:
                self.names = {str(k): str(v) for k, v in data["names"].items()}
        except (OSError, ValueError, KeyError, AttributeError):
            pass

    def __call__(self, code: str) -> str:
        if code not in self.names:
            self.names[code], self.added = language_name(code), True
        return self.names[code]

    def store(self) -> None:
        """The names looked up by this build, for the next (if there were new ones)."""
        if self.added:  # not written: the next build looks them up again
            write_whole(self.path, [json.dumps({"babel": self.version, "names": self.names}).encode()])


def switch_to(code: str, root: str, words: Callable[[str], str], name_of: Callable[[str], str] = language_name) \
        -> dict:
    """The language switcher's link to one language: its name, its home page
    (where a page without a translation sends the reader) and what that link
    says, all in that language. name_of: language_name, or a build's LanguageNames."""
    name = name_of(code)
    return {"code": code, "name": name, "home": root, "home_label": words(NOT_TRANSLATED) % {"language": name},
            "why": words(NOT_TRANSLATED_WHY)}


def page_href(siteurl: str, root: str = "", have=frozenset(), default: str = "en"):
    """The href of one of the clinic's own pages (contact/, about/ ...) from a
    page in a language: its translation when there is one, else the page
    itself, saying it is in the site's language (hreflang)."""
    def href(rel: str) -> Markup:
        if not root:
            return Markup('href="{}/{}"').format(siteurl, rel)
        if f"{root}{rel}" in have:
            return Markup('href="{}/{}{}"').format(siteurl, root, rel)
        return Markup('href="{}/{}" hreflang="{}"').format(siteurl, rel, default)
    return href


def original_of(obj):
    """The page a translation translates (Pelican's translations of it hold it), or None."""
    return next((o for o in getattr(obj, "translations", None) or [] if o.in_default_lang), None)


def alternates(pairs: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    """Each page's address (from the site's root: "conditions/bunions/") -> the
    same page in every language it exists in: the hreflang links and the
    switcher. pairs: one {lang: address} per page that exists in more than one."""
    table: dict[str, dict[str, str]] = {}
    for group in pairs:
        if len(group) > 1:
            for address in group.values():
                table[address] = group
    return table


def mark_links_to_other_language(html: str, lang: str, default: str, words: Callable[[str], str]) -> str:
    """In a translation, a link to a page in the site's language (one with no
    translation yet) says so: hreflang for browsers and search engines, and
    "(en inglés)" for the reader, who would not expect a page in English."""
    def mark(found: re.Match) -> str:
        path = found.group("path")
        if not path.lower().endswith(MARKDOWN_SUFFIXES) or language_of(path.rsplit("/", 1)[-1]) == lang:
            return found.group(0)
        return (f'<a href="{{filename}}{path}{found.group("anchor") or ""}" hreflang="{default}"{found.group("rest")}>'
                f'{found.group("text")} <span class="clinic-link-language">{escape(words(IN_DEFAULT_LANGUAGE))}</span></a>')
    return SOURCE_LINK.sub(mark, html) if "{filename}" in html else html
