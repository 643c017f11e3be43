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

DOMAIN = "messages"


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

    def __init__(self, theme: str | Path):
        folder = catalog_dir(theme)
        self.by_lang: dict[str, gettext.NullTranslations] = {
            lang: gettext.translation(DOMAIN, localedir=str(folder), languages=[lang]) for lang in languages(theme)}
        self.english = gettext.NullTranslations()

    def of(self, lang: str) -> gettext.NullTranslations:
        return self.by_lang.get(lang, self.english)

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
