"""The interface text of the theme, in the language of the page being rendered.

Templates mark their words with `{{ _("...") }}` (Jinja's i18n extension,
listed in pelicanconf.py); `make translations` extracts them with Babel into
theme/translations/messages.pot and each language's catalog
(theme/translations/<lang>/LC_MESSAGES/messages.po, compiled to .mo; both in
git). Pelican renders every language's pages with the same environment, so the
gettext functions installed here ask the template's context which language it
renders: a page or article carries its `lang` (Pelican's own metadata), a page
the site makes itself passes `page_lang`; otherwise the site's DEFAULT_LANG.
English is the language of the templates themselves: it needs no catalog.
"""

from __future__ import annotations

import gettext
from pathlib import Path

from jinja2 import pass_context
from markupsafe import Markup

from ..model.words import N_
from . import filters

DOMAIN = "messages"
DAY_RUN = N_("%(first)s to %(last)s")  # days in a row: Monday to Friday


def catalog_dir(theme: str | Path) -> Path:
    return Path(theme) / "translations"


def languages(theme: str | Path) -> list[str]:
    """The languages the theme has a compiled catalog for."""
    return sorted(p.parent.parent.name for p in catalog_dir(theme).glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))


def page_language(context) -> str:
    lang = context.get("page_lang")
    if lang:
        return lang
    for key in ("article", "page"):
        obj = context.get(key)
        lang = getattr(obj, "lang", None) if obj is not None else None
        if lang:
            return lang
    return context.get("DEFAULT_LANG") or "en"


class Catalogs:
    """One build's catalogs, by language; a language without one shows the
    templates' own (English) words."""

    def __init__(self, theme: str | Path, country: str = "US"):
        folder = catalog_dir(theme)
        self.country = country
        self.by_lang: dict[str, gettext.NullTranslations] = {
            lang: gettext.translation(DOMAIN, localedir=str(folder), languages=[lang]) for lang in languages(theme)}
        self.english = gettext.NullTranslations()

    def of(self, lang: str) -> gettext.NullTranslations:
        return self.by_lang.get(lang, self.english)

    def gettexts(self, languages) -> dict:
        """Each of these languages that has a catalog -> its gettext, as the checks
        take them (a language without one is reported once, by the settings)."""
        return {lang: self.of(lang).gettext for lang in languages if lang in self.by_lang}

    escaped = False  # install() found autoescape on: template_words() gives a language's own `_`

    def template_words(self, lang: str) -> dict:
        """`_` and `gettext` bound to one language's catalog, for the context of
        the pages in that language (the site's context for its own language; the
        writer gives a translation language's pages that language's context).
        They give what the i18n extension's newstyle gettext gives (the
        translation as Markup, always %-formatted with the values, which are
        escaped), without its three calls through the context and the look-up
        of the page's language for each of a page's fifty words: a fifth of
        rendering. A template rendered with neither context keeps the
        extension's functions, which ask the context for the page's language.
        Empty unless install() saw that the templates autoescape."""
        if not self.escaped:
            return {}
        translate = self.of(lang).gettext

        def gettext(__string: str, **variables) -> str:
            return Markup(translate(__string)) % variables

        return {"_": gettext, "gettext": gettext}

    def install(self, env) -> None:
        """Jinja's i18n extension, with functions that follow the page's language."""
        catalogs = self

        @pass_context
        def _gettext(context, message: str) -> str:
            return catalogs.of(page_language(context)).gettext(message)

        @pass_context
        def _ngettext(context, singular: str, plural: str, n: int) -> str:
            return catalogs.of(page_language(context)).ngettext(singular, plural, n)

        env.install_gettext_callables(_gettext, _ngettext, newstyle=True)
        self.escaped = env.autoescape is True  # as pelicanconf.py sets it

        @pass_context
        def words(context, message: str) -> str:
            """A word the site's code supplies (marked N_() there), in the page's
            language; plain text, so the page escapes it like any value."""
            return catalogs.of(page_language(context)).gettext(message)

        english_date, english_clock = filters.long_date, filters.clock

        @pass_context
        def long_date(context, value) -> str:
            lang = page_language(context)
            return english_date(value) if lang == "en" or value in (None, "") else dates_in(lang, catalogs.country).date(value)

        @pass_context
        def clock(context, value) -> str:
            lang = page_language(context)
            return english_clock(value) if lang == "en" else dates_in(lang, catalogs.country).clock(value)

        @pass_context
        def days(context, hours) -> str:
            """An opening-hours line's days: "Monday to Friday", "lunes a viernes"."""
            lang = page_language(context)
            if lang == "en":
                return hours.days_label
            names = dates_in(lang, catalogs.country).day_names()
            run = hours.days_run
            if run:
                text = catalogs.of(lang).gettext(DAY_RUN) % {"first": names[run[0]], "last": names[run[1]]}
            else:
                text = ", ".join(names[d] for d in hours.days)
            return text[:1].upper() + text[1:]

        env.filters.update(words=words, long_date=long_date, clock=clock, days=days)
        env.globals["page_language"] = pass_context(page_language)


class dates_in:  # noqa: N801 - reads as dates_in(lang, catalogs.country).date(value)
    """Dates and times as a language writes them (Babel, the CLDR's patterns).
    English keeps the filters' own forms (November 20, 2026; 8 a.m.), written
    for how US patients read them; Babel is only loaded for another language."""

    def __init__(self, lang: str, country: str = "US"):
        from babel import Locale, UnknownLocaleError
        try:  # the language as written in the clinic's country, else as it is written at all
            self.locale = Locale.parse(f"{lang}_{country}")
        except (UnknownLocaleError, ValueError):
            self.locale = Locale.parse(lang)

    def date(self, value) -> str:
        import datetime as dt

        from babel.dates import format_date
        if isinstance(value, dt.datetime):
            value = value.date()
        elif isinstance(value, str):
            value = dt.date.fromisoformat(value)
        return format_date(value, format="long", locale=self.locale)

    def day_names(self) -> dict[str, str]:
        """Monday ... Sunday (as content/clinic/locations.yaml names them) in this language."""
        from babel.dates import get_day_names

        from ..model.clinicdata import DAYS
        names = get_day_names("wide", context="format", locale=self.locale)
        return {day: names[i] for i, day in enumerate(DAYS)}

    def clock(self, value) -> str:
        import datetime as dt

        from babel.dates import format_time

        from ..model.clinicdata import TIME  # noqa: I001 - beside DAYS, imported where it is used
        if not TIME.match(str(value)):  # its own line from the checks (clinicdata.py); not a crash here as well
            return str(value)
        hours, minutes = (int(x) for x in str(value).split(":"))
        return format_time(dt.time(hours, minutes), format="short", locale=self.locale)
