"""`{% cache "name", key... %} ... {% endcache %}`: a part of a template that is
the same on every page of a language, rendered once per build.

The header's menus and search boxes and the footer's addresses and opening
hours are the same on every page in one language, but Jinja renders them
again for each page: at 1,000 articles that was about half of rendering a
topic page and a third of an article's (the 404 page, which is little else,
takes 0.7 ms). The fragment is rendered the first time its key is met and the
same Markup is given for the rest of the build.

The key is everything the fragment shows that can differ between pages:
the template names it (`LANG_SITEURL`, `page_language()` ...), and whatever
the fragment uses that the key does not name must be the same on every page
of the build (the clinic's data, the settings). The cache belongs to the
template environment, and Pelican makes a new one for every build, so an
edit to the clinic's data or a template is never shown from an old build.
tests/test_fragments.py checks that a site built with and without it is the
same bytes.

This is the fragment cache of Jinja's own documentation (Extensions, "Cache"),
keyed by values instead of one name and with no expiry: no maintained library
gives it for Jinja outside a web framework.
"""

from __future__ import annotations

from jinja2 import nodes
from jinja2.ext import Extension


class FragmentCache(Extension):
    tags = {"cache"}
    active = True  # False renders every fragment every time (tests compare the two)

    def __init__(self, environment):
        super().__init__(environment)
        environment.extend(clinic_fragments={})

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        key = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            key.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_fragment", [nodes.List(key)]), [], [], body).set_lineno(lineno)

    def _fragment(self, key, caller):
        if not self.active:
            return caller()
        cache, key = self.environment.clinic_fragments, tuple(key)
        found = cache.get(key)
        if found is None:
            found = cache[key] = caller()
        return found
