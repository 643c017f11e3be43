"""N_(): marks the words a patient sees that the site's code supplies (kinds
of page, callout headings, titles of the pages the site makes). It changes
nothing: `make translations` extracts what it marks into the theme's catalogs
(babel.cfg), and the page translates them into its own language
(pages/i18n.py), as it does the templates' words."""


def N_(text: str) -> str:  # noqa: N802 - the name gettext tools look for
    return text
