"""Warning signs are a rule, not a habit (issue 24): every procedure page, and
every treatment page that adds the section, ends with 'When to get help'
holding an urgent and an emergency callout."""

from __future__ import annotations


import pytest

from clinic.checks import validate
from clinic.model.rules import KINDS
from conftest import live_site, tree_hash

PROCEDURE = "procedures/bunionectomy.md"
TREATMENT = "treatments/medication.md"
HELP = "\n## When to get help\n"


def problems_of(fixture_site, rel: str) -> list[str]:
    """What the validator says of one page (its own checks, no build)."""
    from clinic.checks.sources import load_blocks, load_site_data
    from clinic.model.paths import RealPaths, display_paths

    shown = display_paths(fixture_site.content, RealPaths())
    vocab, data, _ = load_site_data(fixture_site.content, "taxonomy.yaml", "clinic", shown)
    blocks, _ = load_blocks(fixture_site.content, vocab, data.providers, shown)
    kind = KINDS[rel.split("/")[0].rstrip("s")]
    path = fixture_site.content / rel
    _, problems = validate.validate_article(shown(path), path.read_text(encoding="utf-8"), kind, path.stem,
                                            vocab, data.providers, blocks={n: b.tiers for n, b in blocks.items()})
    return [p.format() for p in problems]


def cut_help_section(text: str) -> str:
    return text[:text.index(HELP)] + "\n"


def test_the_shipped_procedure_and_treatment_pages_pass(fixture_site):
    assert problems_of(fixture_site, PROCEDURE) == []
    assert problems_of(fixture_site, TREATMENT) == []


def test_a_procedure_page_without_the_section_fails_publish_with_one_line(fixture_site):
    before = live_site(fixture_site)
    fixture_site.write(PROCEDURE, cut_help_section(fixture_site.read(PROCEDURE)))
    result = fixture_site.publish()
    assert result.status == 1
    assert [line for line in result.lines if not line.startswith(("Done:", "pages and"))] == [
        "content/procedures/bunionectomy.md: body: section '## When to get help' is missing "
        "(add it after '## Recovery timeline')",
        "Publish failed: 1 error. output/ was not changed."]
    assert tree_hash(fixture_site.output) == before


def test_a_procedure_page_needs_both_an_urgent_and_an_emergency_callout(fixture_site):
    text = fixture_site.read(PROCEDURE)
    no_emergency = cut_help_section(text) + HELP + '\n!!! urgent "Call us straight away if"\n    - the wound bleeds\n'
    fixture_site.write(PROCEDURE, no_emergency)
    (line,) = problems_of(fixture_site, PROCEDURE)
    assert line.startswith("content/procedures/bunionectomy.md:")
    assert line.endswith(": callout: 'When to get help' has no emergency callout (add '!!! emergency \"Call "
                         "{emergency_number} or go to the emergency room if\"' ({emergency_number} becomes the "
                         "number in content/clinic/clinic.yaml), each with an indented list of the signs)")
    only_info = cut_help_section(text) + HELP + "\n!!! info \"Good to know\"\n    - call us\n"
    fixture_site.write(PROCEDURE, only_info)
    (line,) = problems_of(fixture_site, PROCEDURE)
    assert "'When to get help' has no urgent and no emergency callout" in line and "warning" not in line


def test_a_treatment_needs_the_callouts_only_once_it_has_the_section(fixture_site):
    text = fixture_site.read(TREATMENT)
    fixture_site.write(TREATMENT, cut_help_section(text))
    assert problems_of(fixture_site, TREATMENT) == [], "a treatment without a cast or injections needs no section"
    fixture_site.write(TREATMENT, cut_help_section(text) + HELP + "\nCall us if you are worried.\n")
    (line,) = problems_of(fixture_site, TREATMENT)
    assert "'When to get help' has no urgent and no emergency callout" in line


@pytest.mark.parametrize("kind", ["procedure"])
def test_every_built_procedure_page_shows_urgent_and_emergency_signs(site, kind):
    """Whatever procedures the clinic writes: each built page's 'When to get help'
    section holds both callouts, the emergency one naming the clinic's number."""
    import yaml

    from conftest import ROOT
    number = str(yaml.safe_load((ROOT / "content/clinic/clinic.yaml").read_text())["emergency_number"])
    pages = [rel for rel in site.html_files() if rel.startswith(KINDS[kind].folder + "/") and rel.count("/") == 2]
    assert pages, "the site has procedure pages"
    for rel in pages:
        heading = site.soup(rel).find("h2", string="When to get help")
        assert heading is not None, rel
        section = heading.find_parent("section")
        assert section.select(".clinic-callout--urgent"), rel
        emergency = section.select(".clinic-callout--emergency")
        assert emergency and number in emergency[0].get_text(), rel


def test_a_call_us_without_a_number_is_one_warning_at_its_line(fixture_site):
    fixture_site.edit("pages/about.md", "\n\n", "\n\nQuestions? Call us and we will help.\n\n")
    built = fixture_site.html()
    line = fixture_site.line_of("pages/about.md", "Call us and")
    assert [x for x in built.lines if "number to call" in x] == [
        f"warning: content/pages/about.md:{line}: text: says 'Call us' with no number to call (add {{clinic_phone}}, "
        "which becomes the clinic's number as a link that calls it)"]
    fixture_site.edit("pages/about.md", "Call us and we will help.", "Call us on {clinic_phone} and we will help.")
    built = fixture_site.html()
    assert not [x for x in built.lines if "number to call" in x]
    link = built.soup("about/index.html").find("a", href=lambda h: h and h.startswith("tel:"), string="(555) 010-0100")
    assert link is not None and "Call us on" in link.parent.get_text()


# --- the quick look before the "call us" check parses a page ---------------------------------

from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402

from clinic.checks import calls  # noqa: E402

# the translations are tested in test_translated_site.py; these builds do without them
pytestmark = pytest.mark.english_only

_WORDS = ["call", "Call", "us", "the", "clinic", "your", "surgeon", "surgeon's", "surgeon&#39;s", "office",
          "doctor's", "555-010-0100", "today", "&amp;", "\n", "  "]
_TAGS = ["<p>", "</p>", "<li>", "</li>", "<ul>", "</ul>", "<em>", "</em>", '<a href="tel:+15550100100">', "</a>",
         '<a href="/x/">', '<p class="clinic-callout__call">', "<br>",
         '<p class="clinic-callout__call">Call the clinic on <a href="tel:+15550100100">(555) 010-0100</a></p>']


@hsettings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS + _TAGS), max_size=30).map(lambda parts: " ".join(parts)))
def test_the_quick_look_never_skips_a_page_the_check_would_warn_about(html):
    """calls.may_say_call() lets the parse be skipped only when it could find nothing:
    on any mix of paragraphs, lists, links and words, a page it skips has no warning."""
    if not calls.may_say_call(html):
        calls.may_say_call, real = (lambda _html: True), calls.may_say_call
        try:
            assert calls.calls_without_number("content/x.md", html, "") == []
        finally:
            calls.may_say_call = real


def test_the_quick_look_skips_a_page_that_says_call_only_in_its_callouts():
    callout = '<p class="clinic-callout__call">Call the clinic on <a href="tel:+15550100100">(555) 010-0100</a></p>'
    assert not calls.may_say_call(f"<p>Rest your foot.</p>{callout}")
    assert calls.may_say_call(f"<p>Please call <em>us</em>.</p>{callout}")
    assert calls.may_say_call('<p class="clinic-callout__call">call us</p>')  # no number: parsed, and warned about
