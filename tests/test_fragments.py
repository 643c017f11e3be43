"""The header and footer rendered once per language and build ({% cache %},
pages/fragments.py): every page is the same bytes as when each is rendered for
it, and a new build renders them afresh."""

from __future__ import annotations

from jinja2 import DictLoader, Environment

from clinic.pages.fragments import FragmentCache
from conftest import CONTENT, files_of, run_build


def env(templates: dict[str, str]) -> Environment:
    return Environment(loader=DictLoader(templates), autoescape=True, extensions=[FragmentCache])


def test_a_fragment_is_rendered_once_per_key_and_escaped_once():
    made = []

    def count():
        made.append(1)
        return len(made)

    page = env({"p.html": '{% cache "f", lang %}<b>{{ count() }} {{ name }}</b>{% endcache %}|{{ name }}'}) \
        .get_template("p.html")
    assert page.render(lang="en", name="<i>", count=count) == "<b>1 &lt;i&gt;</b>|&lt;i&gt;"
    assert page.render(lang="en", name="<i>", count=count) == "<b>1 &lt;i&gt;</b>|&lt;i&gt;", "rendered again"
    assert page.render(lang="es", name="x", count=count) == "<b>2 x</b>|x", "another key gave the first one's"
    assert len(made) == 2
    # a new build makes a new environment: nothing of the last build's is shown
    again = env({"p.html": '{% cache "f", lang %}<b>{{ count() }}</b>{% endcache %}'}).get_template("p.html")
    assert again.render(lang="en", count=count) == "<b>3</b>"


def test_a_site_is_the_same_bytes_with_and_without_the_cache(tmp_path, monkeypatch):
    """The tests' own site, in both its languages: what a cached fragment shows
    depends on nothing its key leaves out (a page's own address, its other
    languages), or some page would show another's."""
    rendered, used = [], []
    original = FragmentCache._fragment

    def counting(self, key, caller):
        used.append(tuple(key))

        def render():
            rendered.append(tuple(key))
            return caller()
        return original(self, key, render)
    monkeypatch.setattr(FragmentCache, "_fragment", counting)
    cached = run_build("publish", CONTENT, tmp_path / "cached" / "output")
    assert cached.status == 0, cached.log
    assert {key[2] for key in rendered} == {"en", "es"}
    assert len(rendered) < len(used) / 10, f"{len(rendered)} fragments rendered for {len(used)} uses"

    monkeypatch.setattr(FragmentCache, "active", False)
    fresh = run_build("publish", CONTENT, tmp_path / "fresh" / "output")
    assert fresh.status == 0, fresh.log
    assert files_of(cached.output) == files_of(fresh.output)
