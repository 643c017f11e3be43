"""Compiled templates kept in the build's cache folder (pages/templates.py): a new
process compiles nothing it compiled before, and never shows a stale template."""

from __future__ import annotations

from jinja2 import Environment, FileSystemLoader

from clinic.pages.templates import MemoryBytecodeCache, TemplateCache


class Counting(Environment):
    compiled = 0

    def compile(self, *args, **kwargs):
        type(self).compiled += 1
        return super().compile(*args, **kwargs)


def env_in_a_new_process(templates, cache):
    """A new process: its memory is empty, the cache folder is what earlier ones left."""
    return Counting(loader=FileSystemLoader(str(templates)), bytecode_cache=TemplateCache(MemoryBytecodeCache(), cache))


def test_a_new_process_uses_the_compiled_templates_and_compiles_an_edited_one_again(tmp_path):
    templates, cache = tmp_path / "templates", tmp_path / "cache" / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("<h1>{{ title }}</h1>")
    Counting.compiled = 0
    assert env_in_a_new_process(templates, cache).get_template("page.html").render(title="A") == "<h1>A</h1>"
    assert Counting.compiled == 1 and len(list(cache.glob("*.jinja"))) == 1
    assert env_in_a_new_process(templates, cache).get_template("page.html").render(title="B") == "<h1>B</h1>"
    assert Counting.compiled == 1, "the second process compiled the template again"

    (templates / "page.html").write_text("<h2>{{ title }}</h2>")
    assert env_in_a_new_process(templates, cache).get_template("page.html").render(title="C") == "<h2>C</h2>"
    assert Counting.compiled == 2


def test_a_damaged_or_unwritable_cache_only_costs_a_compile(tmp_path):
    templates, cache = tmp_path / "templates", tmp_path / "cache" / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("<p>{{ x }}</p>")
    env_in_a_new_process(templates, cache).get_template("page.html")
    [kept] = cache.glob("*.jinja")
    for damage in (kept.read_bytes()[:20], b"", b"not a compiled template at all"):
        kept.write_bytes(damage)
        assert env_in_a_new_process(templates, cache).get_template("page.html").render(x=1) == "<p>1</p>"
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert env_in_a_new_process(templates, blocked / "templates").get_template("page.html").render(x=2) == "<p>2</p>"
    assert list(cache.glob(".tmp-*")) == []


def test_a_template_compiled_with_other_filters_is_compiled_again(tmp_path):
    """Jinja decides when it compiles a template whether a filter gets the page's
    context: a compiled template kept from a build whose filter did not take it
    (an older version of the site) must not be used with one that does."""
    from jinja2 import pass_context

    templates, cache = tmp_path / "templates", tmp_path / "cache" / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("{{ when|long_date }}")
    old = env_in_a_new_process(templates, cache)
    old.filters["long_date"] = lambda value: f"plain {value}"
    assert old.get_template("page.html").render(when="2026-12-06") == "plain 2026-12-06"
    new = env_in_a_new_process(templates, cache)
    new.filters["long_date"] = pass_context(lambda context, value: f"{context.get('lang')} {value}")
    assert new.get_template("page.html").render(when="2026-12-06", lang="es") == "es 2026-12-06"
