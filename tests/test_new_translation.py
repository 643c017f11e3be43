"""make new-translation (tools/new_translation.py): a translation to write in
place, built from the English page, that the build's checks read with only
FILL IN problems, and with none once every FILL IN is replaced."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pelican.settings import read_settings

import new_translation
from clinic.checks import translations
from clinic.checks.sources import check_site
from clinic.model import dates, frontmatter, settings as settings_model
from clinic.model.paths import RealPaths, display_paths, files_under
from clinic.model.rules import BLOCK_KIND, KINDS
from clinic.pages.i18n import Catalogs
from conftest import CONTENT, ROOT

PROVIDER = "avery-sample"
SETTINGS = read_settings(str(ROOT / "pelicanconf.py"))
CLINIC = settings_model.of(SETTINGS)
SPANISH = Catalogs(ROOT / "theme", CLINIC.country).of("es").gettext


@pytest.fixture
def content(tmp_path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    return copy


def run(content: Path, *args: str) -> int:
    return new_translation.main(["--content", str(content), *args])


def check(content: Path):
    """The build's checks of every source file (check_site) and of each
    translation against its English page: (the site checked, every problem)."""
    shown = display_paths(content, RealPaths())
    site = check_site(content, CLINIC.taxonomy_file, CLINIC.data_dir,
                      SETTINGS["ARTICLE_PATHS"] + SETTINGS["PAGE_PATHS"], shown,
                      today=dates.today(CLINIC.today, SETTINGS.get("TIMEZONE")),
                      languages={lang: SPANISH for lang in CLINIC.translation_languages})
    english = [c.meta for c in site.checked] + [b.meta for b in site.blocks.values() if not b.meta.lang]
    translated = [c.meta for c in site.translations] + [b.meta for b in site.blocks.values() if b.meta.lang]
    found, _ = translations.check(english, translated)
    return site, site.problems + found


def problems_in(problems, path: Path, content: Path) -> list:
    shown = display_paths(content, RealPaths())(path)
    return [p for p in problems if p.path == shown]


def translate(path: Path) -> None:
    """What a translator does, done mechanically: each 'FILL IN: translate:' line
    removed with its text kept (the checks do not judge the language), each
    title marked as translated, the translator and the reviewer named."""
    out = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.strip() == "FILL IN: translate:":
            continue
        if line.startswith(("Translated-by:", "Translation-reviewed-by:")):
            line = f"{line.partition(':')[0]}: {PROVIDER}"
        out.append(line.replace("FILL IN: translate: ", "(es) ").replace("FILL IN: ", "(es) "))
    text = "\n".join(out)
    assert "FILL IN" not in text, text
    path.write_text(text, encoding="utf-8")


def headings(text: str) -> list[str]:
    return re.findall(r"^## (.+)$", frontmatter.parse(text).body, re.M)


def test_a_condition_is_translated_in_place_with_its_sections_in_spanish(content, capsys):
    english_path = content / "conditions" / "hammertoes.md"
    # an old address stays with the English page: a translation has none
    english_path.write_text(english_path.read_text(encoding="utf-8").replace(
        "Date: 2026-11-20\n", "Date: 2026-11-20\nMoved-from: /old-site/hammertoes.html\n"), encoding="utf-8")
    site, before = check(content)
    changed = next(c.meta for c in site.checked if c.meta.slug == "hammertoes").changed

    assert run(content, "hammertoes", "es") == 0
    out = capsys.readouterr().out
    path = content / "conditions" / "hammertoes.es.md"
    text = path.read_text(encoding="utf-8")
    english = english_path.read_text(encoding="utf-8")
    assert out.splitlines()[0].startswith("Wrote content/conditions/hammertoes.es.md")
    # the links to pages that have a Spanish translation are named, with the file to point to
    assert "{filename}/conditions/bunions.md -> {filename}/conditions/bunions.es.md" in out
    assert re.search(r"\((?:\d+) place\(s\); 5 problem\(s\) in the new page now\)", out), out

    # every section title in Spanish, in order
    assert headings(text) == [SPANISH(t) for t in KINDS["condition"].sections]
    assert headings(text)[0] == "Información general"
    # the metadata copied, the title and summary to translate, the translation's own keys
    mine, theirs = frontmatter.parse(text), frontmatter.parse(english)
    for key, entry in theirs.entries.items():
        if key in ("title", "summary"):
            assert mine.get(key).text == f"FILL IN: translate: {entry.text}"
        elif key == "moved-from":
            assert mine.get(key) is None
        else:
            assert mine.get(key).values == entry.values, key
    assert list(mine.entries)[-3:] == ["translated-by", "translation-reviewed-by", "translated-from"]
    assert mine.get("translated-by").text.startswith("FILL IN:")
    assert mine.get("translation-reviewed-by").text.startswith("FILL IN:")
    assert mine.get("translated-from").text == changed.isoformat() == "2026-12-06"
    # each piece of English text under a marker, in its place; callouts and links as they were
    body = mine.body.split("\n")
    for run_start in (i for i, line in enumerate(body) if line.strip() == "FILL IN: translate:"):
        assert body[run_start + 1].strip() and body[run_start + 1].strip() in english
    assert "FILL IN: translate:\nA hammertoe is a small toe that bends at a joint and stays bent." in text
    assert '!!! non-urgent "FILL IN: See a foot specialist if"\n    FILL IN: translate:\n    - your toe' in text
    assert "[bunion]({filename}/conditions/bunions.md)" in text

    # the build's checks: nothing but what is still to fill in
    _, problems = check(content)
    found = problems_in(problems, path, content)
    assert {(p.field, p.message) for p in found} == {
        ("Title", "is not filled in yet"), ("Summary", "is not filled in yet"),
        ("Translated-by", "is not filled in yet"), ("Translation-reviewed-by", "is not filled in yet"),
        ("body", f"{sum('FILL IN' in line for line in mine.body.split(chr(10)))} place(s) still say FILL IN")}, found
    assert [p for p in problems if p not in found] == before, "no new problem anywhere else"

    # once every FILL IN is replaced: no problem at all
    translate(path)
    site, problems = check(content)
    assert problems_in(problems, path, content) == [] and problems == before, [p.format() for p in problems]
    done = next(c.meta for c in site.translations if c.meta.slug == "hammertoes")
    assert done.lang == "es" and done.translated_by == PROVIDER and done.translated_from == changed
    assert headings(path.read_text(encoding="utf-8")) == [SPANISH(t) for t in KINDS["condition"].sections]


def test_an_existing_translation_is_never_overwritten(content, capsys):
    path = content / "conditions" / "bunions.es.md"
    before = path.read_bytes()
    assert run(content, "bunions", "es") == 1
    out = capsys.readouterr().out.splitlines()
    assert out == ["content/conditions/bunions.es.md: already exists, so nothing was written "
                   "(edit that file; `make review-report` says whether it is behind the English page)"]
    assert path.read_bytes() == before


@pytest.mark.parametrize("args, words", [
    (("hamertoes", "es"), ["no English page named 'hamertoes'", "did you mean 'hammertoes'"]),
    (("conditions/bunionectomy", "es"), ["no English page named 'bunionectomy' in content/conditions/"]),
    (("hammertoes", "fr"), ["'fr' is not a translation language", "CLINIC_TRANSLATION_LANGUAGES",
                            "pelicanconf.py", "'es'"]),
    (("hammertoes", "C.UTF-8"), ["'C.UTF-8' is a locale setting, not a language code", "LANG=es"]),
    (("hammertoes", ""), ["LANG: is missing", "make new-translation SLUG=bunions LANG=es"]),
    (("bunions.es", "es"), ["SLUG: 'bunions.es' is not a page's name"]),
])
def test_a_wrong_slug_or_language_is_one_clear_line_and_writes_nothing(content, capsys, args, words):
    before = {p: (content / p).read_bytes() for p in files_under(content)}
    assert run(content, *args) == 2
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1, out
    for word in words:
        assert word in out[0], out[0]
    assert {p: (content / p).read_bytes() for p in files_under(content)} == before


def test_a_name_in_two_folders_asks_which(content, capsys):
    block = content / "blocks" / "hammertoes.md"
    shutil.copy(content / "blocks" / "driving-after-foot-surgery.md", block)
    assert run(content, "hammertoes", "es") == 2
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and "content/conditions/hammertoes.md and content/blocks/hammertoes.md" in out[0], out
    assert "SLUG=conditions/hammertoes" in out[0]
    assert not (content / "conditions" / "hammertoes.es.md").exists()
    assert run(content, "blocks/hammertoes", "es") == 0
    assert (content / "blocks" / "hammertoes.es.md").exists()
    assert not (content / "conditions" / "hammertoes.es.md").exists()


def test_a_block_without_translation_is_named_then_translated(content, capsys):
    _, before = check(content)
    block = content / "blocks" / "driving-after-foot-surgery.es.md"
    block.unlink()
    assert run(content, "hammertoe-correction", "es") == 0
    out = capsys.readouterr().out
    page = content / "procedures" / "hammertoe-correction.es.md"
    assert ("Blocks: content/blocks/driving-after-foot-surgery.md has no 'es' translation yet: "
            "run `make new-translation SLUG=driving-after-foot-surgery LANG=es` too") in out
    assert "fasting-before-surgery" not in out  # that one has its translation
    text = page.read_text(encoding="utf-8")
    assert headings(text) == [SPANISH(t) for t in KINDS["procedure"].sections]
    assert "\n{block}driving-after-foot-surgery\n" in text and "\n{block}after-surgery-warning-signs\n" in text
    translate(page)
    _, problems = check(content)  # the pages that include it say so, this one too
    assert {p.message for p in problems if p not in before} == {
        "'driving-after-foot-surgery' has no translation in this language"}
    assert [p.field for p in problems_in(problems, page, content)] == ["block"]

    assert run(content, "driving-after-foot-surgery", "es") == 0
    out = capsys.readouterr().out
    assert out.startswith("Wrote content/blocks/driving-after-foot-surgery.es.md (Translated-from: 2026-12-06")
    text = block.read_text(encoding="utf-8")
    header = frontmatter.parse(text)
    assert header.get("title").text == "FILL IN: translate: Driving after foot or ankle surgery"
    assert header.get("last-reviewed").text == "2026-12-06" and header.get("translated-from").text == "2026-12-06"
    assert header.body.startswith("FILL IN: translate:\n**Driving.** Do not drive"), header.body
    _, problems = check(content)
    assert {p.field for p in problems_in(problems, block, content)} == {
        "Title", "Translated-by", "Translation-reviewed-by", "body"}
    translate(block)
    _, problems = check(content)
    assert problems_in(problems, block, content) == problems_in(problems, page, content) == []
    assert problems == before, [p.format() for p in problems]
    assert set(BLOCK_KIND.required) <= set(frontmatter.parse(block.read_text(encoding="utf-8")).entries)


def test_a_page_without_dates_headings_images_and_callouts(content, capsys):
    """A clinic page: no sections of its own (each heading is to translate), no
    date (Translated-from is today), and its image's words to translate too."""
    (content / "pages" / "parking.md").write_text(
        "Title: Parking\nSummary: Where to park when you visit us.\nTemplate: page\n\n"
        "Park in the lot behind the clinic.\nIt is free.\n\n"
        '![A map of the lot behind the clinic.]({static}/images/diagrams/bunion.svg "The lot.")\n\n'
        "## Parking for wheelchair users\n\n| Place | Spaces |\n| --- | --- |\n| Front | 2 |\n\n"
        '### At night\n\n!!! info "Good to know"\n    The lot is lit.\n\n'
        "Ask at the [front desk]({filename}contact.md).\n", encoding="utf-8")
    _, before = check(content)
    assert run(content, "parking", "es") == 0
    out = capsys.readouterr().out
    today = dates.today(CLINIC.today, SETTINGS.get("TIMEZONE"))
    assert f"(Translated-from: {today}, today, as content/pages/parking.md has no date)" in out
    assert "{filename}contact.md -> {filename}contact.es.md" in out
    path = content / "pages" / "parking.es.md"
    text = path.read_text(encoding="utf-8")
    assert text == (
        "Title: FILL IN: translate: Parking\nSummary: FILL IN: translate: Where to park when you visit us.\n"
        "Template: page\n"
        f"Translated-by: {new_translation.TRANSLATION_VALUES['translated-by']}\n"
        f"Translation-reviewed-by: {new_translation.TRANSLATION_VALUES['translation-reviewed-by']}\n"
        f"Translated-from: {today}\n\n"
        "FILL IN: translate:\nPark in the lot behind the clinic.\nIt is free.\n\n"
        '![FILL IN: A map of the lot behind the clinic.]({static}/images/diagrams/bunion.svg "FILL IN: The lot.")\n\n'
        "## FILL IN: Parking for wheelchair users\n\n"
        "FILL IN: translate:\n| Place | Spaces |\n| --- | --- |\n| Front | 2 |\n\n"
        '### FILL IN: At night\n\n!!! info "FILL IN: Good to know"\n    FILL IN: translate:\n    The lot is lit.\n\n'
        "FILL IN: translate:\nAsk at the [front desk]({filename}contact.md).\n")
    translate(path)
    _, problems = check(content)
    assert problems_in(problems, path, content) == [] and problems == before, [p.format() for p in problems]


def test_a_page_saved_with_a_byte_order_mark_is_translated_as_without_one(content, capsys):
    """Some Windows editors start a UTF-8 file with a byte-order mark. The build
    reads the page without it (checks/validate.decode), and so does this command:
    with it, the page's first metadata line was not recognised."""
    english_path = content / "conditions" / "hammertoes.md"
    english_path.write_bytes(b"\xef\xbb\xbf" + english_path.read_bytes())
    assert run(content, "hammertoes", "es") == 0
    text = (content / "conditions" / "hammertoes.es.md").read_text(encoding="utf-8")
    assert not text.startswith("\ufeff")
    mine = frontmatter.parse(text)
    assert mine.get("title").text == "FILL IN: translate: Hammertoes"
    _, problems = check(content)
    assert {p.field for p in problems_in(problems, english_path, content)} == set()
