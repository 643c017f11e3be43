"""Every class of content mistake fails `make publish` with one clear line,
and leaves the live output/ exactly as it was (issue 3)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT, files_of, live_site, published_cleanly, tree_hash

# the translations are tested in test_translated_site.py; these builds do without them
pytestmark = pytest.mark.english_only

BUNIONS = "conditions/bunions.md"


def set_key(fs, rel: str, key: str, value: str) -> None:
    """Give a metadata line a value, whatever the sample's value was."""
    fs.write(rel, re.sub(rf"^{re.escape(key)}: .*$", f"{key}: {value}", fs.read(rel), count=1, flags=re.M))


def at_lines(fs, fragments: list[str]) -> list[str]:
    """The expected fragments with each 'file:@Start: ' made 'file:N: ', N the line
    of that file starting with 'Start' (as the change left it; in YAML, after the
    indent and a list's '- '); 'file:@@Start: with colons@@ ' likewise. The tests
    do not depend on the order of the sample's lines."""
    def place(m: re.Match) -> str:
        rel, start = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        lines = (fs.content / rel.removeprefix("content/")).read_text(encoding="utf-8").splitlines()
        return f"{rel}:{next(i for i, text in enumerate(lines, 1) if text.lstrip(' -').startswith(start))}: "
    return [re.sub(r"^(content/[^:]+):@@(.+?)@@ |^(content/[^:]+):@([^:]+): ", place, f) for f in fragments]


def break_and_publish(fs, change, **settings):
    before = live_site(fs)
    change(fs)
    result = fs.publish(**settings)
    assert result.status == 1, result.log
    assert tree_hash(fs.output) == before, "output/ changed after a failed publish"
    assert not list(fs.base.glob("output.staging-*")), "staging folder left behind"
    assert "Traceback" not in result.log
    assert "Publish failed:" in result.log and "output/ was not changed" in result.log
    return result


def the_only_line(fs, change, **settings) -> tuple[str, object]:
    """A publish that fails with one line, then the count, and leaves output/
    as it was (break_and_publish): that line, and the publish."""
    result = break_and_publish(fs, change, **settings)
    lines = [line for line in result.lines if not line.startswith(("Done:", "pages and"))]
    assert len(lines) == 2 and lines[1] == "Publish failed: 1 error. output/ was not changed.", lines
    return lines[0], result


CASES = {
    "misspelt key": (
        lambda fs: fs.edit(BUNIONS, "Summary:", "Sumary:"),
        ["content/conditions/bunions.md:@Sumary: Sumary: is not a known key (did you mean 'Summary'?)",
         "content/conditions/bunions.md: Summary: is missing (add a line: Summary: one or two plain sentences"]),
    "key of another kind": (
        lambda fs: fs.edit(BUNIONS, "Regions:", "Treats: bunions\nRegions:"),
        ["content/conditions/bunions.md:@Treats: Treats: is not used on a condition page"]),
    "singular for plural key": (
        lambda fs: fs.edit("procedures/bunionectomy.md", "Regions:", "Procedure: bunionectomy\nRegions:"),
        ["content/procedures/bunionectomy.md:@Procedure: Procedure: is not a known key (did you mean"]),
    "empty field": (
        lambda fs: fs.edit(BUNIONS, "Title: Bunions", "Title:"),
        ["content/conditions/bunions.md:@Title: Title: is empty (write: Title: Bunions)"]),
    "partial date": (
        lambda fs: fs.edit(BUNIONS, "Date: 2026-11-20", "Date: 2026-11"),
        ["content/conditions/bunions.md:@Date: Date: '2026-11' is not a full date (write the date as YYYY-MM-DD"]),
    "impossible publication date": (
        lambda fs: fs.edit(BUNIONS, "Date: 2026-11-20", "Date: 2026-02-30"),
        ["content/conditions/bunions.md:@Date: Date: '2026-02-30' is not a real date (check the month"]),
    "impossible date": (
        lambda fs: set_key(fs, BUNIONS, "Last-reviewed", "2026-02-30"),
        ["Last-reviewed: '2026-02-30' is not a real date (check the month (01-12) and the day of the month)"]),
    "next review before last": (
        lambda fs: (set_key(fs, BUNIONS, "Last-reviewed", "2026-11-20"), set_key(fs, BUNIONS, "Next-review", "2026-01-01")),
        ["Next-review: 2026-01-01 is not after Last-reviewed 2026-11-20 (set the next review after the last one"]),
    "unknown term": (
        lambda fs: fs.edit(BUNIONS, "Regions: ", "Regions: forfoot, "),
        ["content/conditions/bunions.md:@Regions: Regions: 'forfoot' is not a known body region (did you mean 'forefoot'?"]),
    "relation to a missing page": (
        lambda fs: fs.edit("procedures/bunionectomy.md", "Treats: bunions", "Treats: bunyons"),
        ["content/procedures/bunionectomy.md:@Treats: Treats: 'bunyons' has no page in content/conditions/ (did you mean 'bunions'?)"]),
    "unknown reviewer": (
        lambda fs: fs.edit(BUNIONS, "Reviewed-by: avery-sample", "Reviewed-by: avery-sampel"),
        ["Reviewed-by: 'avery-sampel' is not a provider (did you mean 'avery-sample'?"]),
    "invalid utf-8": (
        lambda fs: fs.write("conditions/bunions.md", fs.read(BUNIONS).encode() .replace(b"## Causes", b"## Caus\xe9s")),
        ["content/conditions/bunions.md:", ": file: is not valid UTF-8 (byte 0xe9) (save the file as UTF-8"]),
    # a page Pelican will not read because of how its name ends: missing from the site with no other word
    "page saved as .MD": (
        lambda fs: fs.write("conditions/heel-pain.MD", fs.read(BUNIONS).replace("Title: Bunions", "Title: Heel pain")),
        ["content/conditions/heel-pain.MD: file name: ends in '.MD', which Pelican does not read "
         "(it reads lowercase endings only) (rename it to heel-pain.md)"]),
    "page saved as plain text": (
        lambda fs: fs.write("conditions/heel-pain.md.txt", fs.read(BUNIONS).replace("Title: Bunions", "Title: Heel pain")),
        ["content/conditions/heel-pain.md.txt: file name: ends in '.md.txt', so it is not read as a page "
         "(an editor saved it as plain text) (rename it to heel-pain.md)"]),
    "block saved as plain text": (
        lambda fs: fs.write("blocks/bring-to-clinic.md.txt", fs.read("blocks/fasting-before-surgery.md")),
        ["content/blocks/bring-to-clinic.md.txt: file name: ends in '.md.txt', so it is not read as a page "
         "(an editor saved it as plain text) (rename it to bring-to-clinic.md)"]),
    # a word in braces the site does not fill in reaches patients as typed: no number where it should be
    "fill-in word misspelt": (
        lambda fs: fs.edit(BUNIONS, "call {emergency_number}", "call {emergency_numbr}"),
        ["content/conditions/bunions.md:@Have you had bunion surgery? Read the warning signs: body: '{emergency_numbr}' "
         "is not a word the site fills in, so patients would see it as typed (write {emergency_number})"]),
    "fill-in word with a space, in a block's emergency callout": (
        lambda fs: fs.edit("blocks/after-surgery-warning-signs.md", "Call {emergency_number}", "Call {emergency number}"),
        ["content/blocks/after-surgery-warning-signs.md:@@!!! emergency@@ body: '{emergency number}' is not a word "
         "the site fills in, so patients would see it as typed (write {emergency_number})"]),
    # a section at another heading level: one line that says which level to use, not that it is missing too
    "section heading one level too deep": (
        lambda fs: fs.edit(BUNIONS, "\n## Causes\n", "\n### Causes\n"),
        ["content/conditions/bunions.md:@### Causes: body: '### Causes' is a level-3 heading "
         "(write '## Causes': each section of the page is a level-2 heading)"]),
    "section as a level-1 heading": (
        lambda fs: fs.edit(BUNIONS, "\n## Symptoms\n", "\n# Symptoms\n"),
        ["content/conditions/bunions.md:@# Symptoms: body: '# Symptoms' is a level-1 heading "
         "(write '## Symptoms': each section of the page is a level-2 heading)"]),
    "fill-in word translated in a translation": (
        lambda fs: fs.edit("conditions/bunions.es.md", "{emergency_number}", "{número_de_emergencia}"),
        ["content/conditions/bunions.es.md:", "body: '{número_de_emergencia}' is not a word the site fills in, "
         "so patients would see it as typed (write {emergency_number} or {clinic_phone}, in English in every "
         "language, for a number, or remove the braces)"]),
    "empty file": (
        lambda fs: fs.write("conditions/new-page.md", ""),
        ["content/conditions/new-page.md: file: is empty (write the page's metadata and text, or delete the file)"]),
    "metadata but no body": (
        lambda fs: fs.write("pages/help.md", "Title: Help\nSummary: How to get help.\n"),
        ["content/pages/help.md: body: has metadata but no text (write the page's text after a blank line below the metadata)"]),
    "two files, one address": (
        lambda fs: fs.write("conditions/Bunions.md", fs.read(BUNIONS)),
        ["has the same address as content/conditions/"]),
    "page on a reserved address": (
        lambda fs: fs.write("pages/search.md", "Title: Search\nSummary: Find things.\n\nText.\n"),
        ["content/pages/search.md: file name: the address /search/ is used by the site itself (rename the file)"]),
    "broken filename link": (
        lambda fs: fs.edit(BUNIONS, "## Causes\n", "## Causes\n\nSee [heel pain]({filename}/conditions/heal-pain.md).\n"),
        ["link: '{filename}/conditions/heal-pain.md' does not exist"]),
    "link outside content": (
        lambda fs: fs.edit(BUNIONS, "## Causes\n", "## Causes\n\nSee [this]({static}/../../../etc/passwd).\n"),
        ["content/conditions/bunions.md:@See [this]: link: '{static}/../../../etc/passwd' points outside content/ "
         "(link to a file in content/, e.g. {filename}/conditions/bunions.md)"]),
    "broken plain link": (
        lambda fs: fs.edit("pages/about.md", "## What we treat\n", "## What we treat\n\nSee [x](/no-such-page/).\n"),
        ["output/about/index.html: link: '/no-such-page/' leads to no file in the site"]),
    "missing section": (
        lambda fs: fs.edit(BUNIONS, "## Diagnosis\n", "## Diagnosing\n"),
        ["content/conditions/bunions.md: body: section '## Diagnosis' is missing (add it after '## Causes'; did you mean 'Diagnosing'?)"]),
    "unknown callout": (
        lambda fs: fs.edit(BUNIONS, "!!! urgent", "!!! urgnet"),
        ["callout: '!!! urgnet' is not a callout type (did you mean 'urgent'"]),
    "metadata line that is not a key": (
        lambda fs: fs.edit(BUNIONS, "Regions:", "this line is wrong\nRegions:"),
        ["content/conditions/bunions.md:@this line: metadata: line 'this line is wrong' is not 'Key: value'"]),
    "bad source line": (
        lambda fs: fs.edit(BUNIONS, "Sources: ", "Sources: Just a title\n    "),
        ["Sources: 'Just a title' does not have 4 parts (write Title | Publisher | Year | https://link)"]),
    "broken taxonomy yaml": (
        lambda fs: fs.edit("taxonomy.yaml", "  region:\n", "  region:\n   bad: [\n"),
        ["content/taxonomy.yaml:", "yaml: cannot be read"]),
    "provider with unknown specialty": (
        lambda fs: fs.edit("clinic/providers.yaml", "specialties: [bunionectomy,", "specialties: [bunionectomi,"),
        ["content/clinic/providers.yaml:@specialties: providers[0].specialties: 'bunionectomi' is not a procedure or treatment (did you mean 'bunionectomy'?)"]),
    "taxonomy term not filled in": (
        lambda fs: fs.edit("taxonomy.yaml", "description: The small toes and the big toe.", 'description: "FILL IN: what it is"'),
        ["content/taxonomy.yaml:@@description: \"FILL IN@@ facets.region.terms[0].description: term 'toes' is not filled in yet (replace the FILL IN: text)"]),
    "taxonomy term with an unknown treatment type": (
        lambda fs: fs.edit("taxonomy.yaml", "type: surgical", "type: surgicall"),
        ["content/taxonomy.yaml:@@type: surgicall@@ facets.procedure.terms[0].type: 'surgicall' is not a treatment type (did you mean 'surgical'"]),
    "taxonomy facet without a label": (
        lambda fs: fs.edit("taxonomy.yaml", "    label: Body region\n", ""),
        ["content/taxonomy.yaml:@region: facets.region.label: is missing or empty (add it)"]),
    "moved from something that is not an address": (
        lambda fs: fs.edit(BUNIONS, "Title:", "Moved-from: bunion page\nTitle:"),
        ["content/conditions/bunions.md:@Moved-from: Moved-from: 'bunion page' is not an address a page can move from "
         "(write the old address as it appeared after the site's name, ending in / or .html, e.g. /conditions/heel-pain/)"]),
    "moved from the address of a page the site has": (
        lambda fs: fs.edit(BUNIONS, "Title:", "Moved-from: /conditions/hammertoes/\nTitle:"),
        ["content/conditions/bunions.md:@Moved-from: Moved-from: /conditions/hammertoes/ is the address of "
         "content/conditions/hammertoes.md (a page can only move from an address no page has now: remove it here)"]),
    "moved from an address of the site's own": (
        lambda fs: fs.edit(BUNIONS, "Title:", "Moved-from: /browse/bunions/\nTitle:"),
        ["content/conditions/bunions.md:@Moved-from: Moved-from: /browse/bunions/ is an address the site uses itself "
         "(remove it here)"]),
    "moved from one address to two pages": (
        lambda fs: (fs.edit(BUNIONS, "Title:", "Moved-from: /old/feet.html\nTitle:"),
                    fs.edit("conditions/hammertoes.md", "Title:", "Moved-from: https://old.example.org/old/feet.html\nTitle:")),
        ["content/conditions/hammertoes.md:@Moved-from: Moved-from: /old/feet.html is also given by "
         "content/conditions/bunions.md (keep it on the page it moved to, and remove it from the other)"]),
    "location open on a day that is not one": (
        lambda fs: fs.edit("clinic/locations.yaml", "days: [Monday,", "days: [Mondy,"),
        ["content/clinic/locations.yaml:@@days: [Mondy@@ locations[0].hours[0].days: 'Mondy' is not a day (did you mean 'Monday'"]),
    # the numbers patients dial: a letter for a digit, or zeros YAML drops, would reach them as the number
    "emergency number with a letter": (
        lambda fs: fs.edit("clinic/clinic.yaml", 'emergency_number: "911"', 'emergency_number: "9ll"'),
        ["content/clinic/clinic.yaml:@emergency_number: emergency_number: '9ll' is not a number to dial "
         '(write only the digits patients dial in an emergency, in quotes, e.g. "911")']),
    "emergency number unquoted, its zeros lost": (
        lambda fs: fs.edit("clinic/clinic.yaml", 'emergency_number: "911"', "emergency_number: 000"),
        ["content/clinic/clinic.yaml:@emergency_number: emergency_number: '0' is not a number to dial "
         "(YAML read 0 without quotes, so any zeros in front are lost)"]),
    "location phone that is not a number": (
        lambda fs: fs.edit("clinic/locations.yaml", 'phone: "+1 555-010-0101"', 'phone: "ask at reception"'),
        ["content/clinic/locations.yaml:@@phone: \"ask at reception@@ locations[1].phone: 'ask at reception' is not "
         'a number to dial (write digits, with spaces, +, - or brackets if you like, in quotes, e.g. "+1 555-010-0100"']),
    # the logo and the photos are files: missing, each was a built page's link to no file, blamed on a template
    "logo that is not a file": (
        lambda fs: fs.edit("clinic/clinic.yaml", "# logo: images/logo.svg", "logo: images/logo.svg"),
        ["content/clinic/clinic.yaml:@logo: logo: 'images/logo.svg' is not a file in content/images/ "
         "(add the logo to content/images/, or fix its name)"]),
    "photo named from content/, not content/images/": (
        lambda fs: fs.edit("clinic/providers.yaml", "  - slug: avery-sample\n",
                           "  - slug: avery-sample\n    photo: images/diagrams/bunion.svg\n"),
        ["content/clinic/providers.yaml:@photo: providers[0].photo: 'images/diagrams/bunion.svg' is not a file in "
         "content/images/ (write 'diagrams/bunion.svg': a photo is named from content/images/)"]),
    "opening time unquoted": (
        lambda fs: fs.edit("clinic/locations.yaml", 'opens: "08:00"', "opens: 8:00"),
        ["content/clinic/locations.yaml:@opens: locations[0].hours[0].opens: 8:00 without quotes is read as the "
         'number 480 (write it in quotes: "08:00")']),
    "closing time before the opening time": (
        lambda fs: fs.edit("clinic/locations.yaml", 'closes: "17:00"', 'closes: "05:00"'),
        ["content/clinic/locations.yaml:@closes: locations[0].hours[0].closes: 05:00 is not after opens 08:00 "
         '(write 24-hour times: a clinic open 8 a.m. to 5 p.m. opens "08:00" and closes "17:00")']),
    "email that is not an address": (
        lambda fs: fs.edit("clinic/clinic.yaml", "email: appointments@clinic.example", "email: appointments at clinic"),
        ["content/clinic/clinic.yaml:@email: email: 'appointments at clinic' is not an email address "
         "(write it as patients would type it, e.g. appointments@your-clinic.com)"]),
    # a translation (bunions.es.md): checked like its page, and against it
    "translation without its page": (
        lambda fs: fs.write("pages/team.es.md", fs.read("pages/about.es.md")),
        ["content/pages/team.es.md: file name:", "content/pages/team.md, which does not exist"]),
    "translation in a language the site does not publish": (
        lambda fs: fs.write("conditions/bunions.fr.md", fs.read("conditions/bunions.es.md")),
        ["content/conditions/bunions.fr.md: file name: 'fr' is not a language of this site",
         "add 'fr' to CLINIC_TRANSLATION_LANGUAGES"]),
    "language line in a translation": (
        lambda fs: fs.edit("conditions/bunions.es.md", "Translated-by:", "Lang: es\nTranslated-by:"),
        ["content/conditions/bunions.es.md:@Lang: Lang: is taken from the file's name", "bunions.es.md"]),
    "translation about other topics": (
        lambda fs: fs.edit("conditions/bunions.es.md", "Regions: forefoot, toes", "Regions: heel"),
        ["content/conditions/bunions.es.md:@Regions: Regions: is not the same as in content/conditions/bunions.md"]),
    "translation without its translator": (
        lambda fs: fs.edit("conditions/bunions.es.md", "Translated-by: avery-sample\n", ""),
        ["content/conditions/bunions.es.md: Translated-by: is missing", "provider slug"]),
    "spanish words of a term misspelt": (
        lambda fs: fs.edit("taxonomy.yaml", "        es:\n          label: Juanetes\n",
                           "        es:\n          lable: Juanetes\n"),
        ["content/taxonomy.yaml:@lable: ", "es.lable: is not a field of a translation"]),
}


# The cases a whole `make publish` runs: they prove the wiring (Pelican's own
# messages, the link check of the built pages, the swap never happening); the
# others are checks of the source files, run on the pure checker alone.
END_TO_END = {"misspelt key", "invalid utf-8", "page saved as plain text", "two files, one address", "broken plain link", "broken taxonomy yaml"}


def site_languages() -> dict:
    """The site's translation languages and the words of each (its catalog), as the build gives them to the checks."""
    from clinic.pages.i18n import Catalogs

    catalogs = Catalogs(ROOT / "theme")
    return {"es": catalogs.of("es").gettext}


def checked_sources(fs) -> list[str]:
    """What the build's checks of the source files say (checks/sources.py,
    validate.validate_site and translations.check), without Pelican:
    milliseconds instead of a build."""
    from clinic.checks import validate
    from clinic.checks.sources import check_site
    from clinic.model.paths import RealPaths, display_paths

    shown = display_paths(fs.content, RealPaths())
    site = check_site(fs.content, "taxonomy.yaml", "clinic", ["conditions", "procedures", "treatments", "guides",
                                                              "pages"], shown, languages=site_languages())
    metas = [c.meta for c in site.checked]
    problems = site.problems + validate.validate_site(metas, site.unread)
    # and each translation against its page, pages and blocks alike (checks/translations.py), as the build does
    found, _ = site.check_translations("warn", problems)
    return [p.format() for p in problems + found]


@pytest.mark.with_translations  # no build: the checks see the translations too, at no cost
@pytest.mark.parametrize("case", sorted(set(CASES) - END_TO_END))
def test_bad_input_is_found_by_the_checks_with_a_clear_message(fixture_site, case):
    change, expected = CASES[case]
    assert checked_sources(fixture_site) == [], "the shipped content has problems of its own"
    change(fixture_site)
    expected = at_lines(fixture_site, expected)
    found = checked_sources(fixture_site)
    lines = "\n".join(found)
    for fragment in expected:
        assert fragment in lines, f"{fragment!r} not in:\n{lines}"
    # one mistake, its own lines only: nothing that follows from it
    assert [line for line in found if not any(f in line for f in expected)] == []
    # an error, which stops `make publish`, not a warning
    assert not any(line.startswith("warning:") for line in found if expected[0] in line)


@pytest.mark.parametrize("case", sorted(END_TO_END))
def test_bad_input_fails_publish_with_a_clear_message(fixture_site, case):
    change, expected = CASES[case]
    result = break_and_publish(fixture_site, change)
    for fragment in at_lines(fixture_site, expected):
        assert fragment in result.log, f"{fragment!r} not in:\n{result.log}"
    # one line per problem, then the count
    assert result.lines[-1].startswith("Publish failed: ")


def test_a_source_problem_fails_publish_as_the_checks_say(fixture_site):
    """The checks run on their own above are the build's: one case through a
    whole publish gives the same line."""
    change, expected = CASES["unknown term"]
    change(fixture_site)
    expected = at_lines(fixture_site, expected)
    found = checked_sources(fixture_site)
    result = fixture_site.publish()
    assert result.status == 1
    assert [line for line in found if expected[0] in line][0] in result.log


def test_all_problems_are_reported_at_once(fixture_site):
    def many(fs):
        fs.edit(BUNIONS, "Summary:", "Sumary:")
        fs.edit("conditions/hammertoes.md", "Date: 2026-11-20", "Date: 2026-11")
        fs.write("conditions/new-page.md", "")
    result = break_and_publish(fixture_site, many)
    assert "Sumary: is not a known key" in result.log
    assert "'2026-11' is not a full date" in result.log
    assert "new-page.md: file: is empty" in result.log
    assert "Publish failed: 4 errors" in result.log  # Sumary, missing Summary, date, empty file


def test_html_build_keeps_going_and_only_warns(fixture_site):
    fixture_site.edit(BUNIONS, "Regions: ", "Regions: forfoot, ")
    result = fixture_site.html()
    assert result.status == 0
    assert "'forfoot' is not a known body region" in result.log
    assert (fixture_site.output / "conditions" / "bunions" / "index.html").exists()


def test_failed_publish_keeps_good_site_and_next_good_publish_works(fixture_site):
    first = fixture_site.publish()
    assert first.status == 0, first.log
    good = tree_hash(fixture_site.output)
    original = fixture_site.read(BUNIONS)
    fixture_site.edit(BUNIONS, "Date: 2026-11-20", "Date: 2026-13-01")
    failed = fixture_site.publish()
    assert failed.status == 1
    assert tree_hash(fixture_site.output) == good
    fixture_site.write(BUNIONS, original.replace("Title: Bunions", "Title: Bunions (updated)"))
    again = fixture_site.publish()
    assert again.status == 0, again.log
    assert "Bunions (updated)" in (fixture_site.output / "conditions/bunions/index.html").read_text()
    assert fixture_site.output.stat().st_mode & 0o777 == 0o755, "a web server can read the published site"
    assert not list(fixture_site.base.glob("output.staging-*"))


def test_a_warning_from_pelican_itself_fails_publish(fixture_site):
    before = live_site(fixture_site)
    result = fixture_site.publish(CLINIC_ADDRESS="", SITEURL="", FEED_DOMAIN="")
    assert result.status == 1
    assert result.lines == [
        "publishconf.py: CLINIC_ADDRESS: is empty, so feed and page addresses would be wrong "
        "(set CLINIC_ADDRESS in publishconf.py, or run: SITEURL=https://www.your-clinic.com make publish)",
        "Publish failed: 1 error. output/ was not changed."]
    assert tree_hash(fixture_site.output) == before


def test_only_one_line_per_problem_for_a_file_pelican_also_rejects(fixture_site):
    result = break_and_publish(fixture_site, lambda fs: fs.edit(BUNIONS, "Date: 2026-11-20", "Date: someday"))
    lines = [line for line in result.lines if "bunions.md" in line]
    assert lines == ["content/conditions/bunions.md:3: Date: 'someday' is not a full date "
                     "(write the date as YYYY-MM-DD, for example 2026-11-20)"]


def test_a_publish_replaces_the_site_and_deletes_the_old_one_in_the_background(fixture_site):
    import time
    fs = fixture_site
    (fs.output / "old-only").mkdir(parents=True)
    (fs.output / "old-only" / "page.html").write_text("<p>the site before</p>")
    stopped = fs.base / ".output.retired-stopped"  # what a deletion that was stopped leaves
    (stopped / "conditions").mkdir(parents=True)
    (stopped / "conditions" / "page.html").write_text("<p>older still</p>")
    result = fs.publish()
    assert result.status == 0, result.log
    assert (fs.output / "index.html").exists() and not (fs.output / "old-only").exists()
    assert not stopped.exists(), "the next publish deletes what an earlier one left"
    deadline = time.monotonic() + 30
    while list(fs.base.glob(".output.retired-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not list(fs.base.glob(".output.retired-*")), "the old site is deleted"
    assert not list(fs.base.glob("output.staging-*"))


@pytest.mark.with_translations
def test_checks_remembered_between_builds_give_what_a_fresh_check_gives(fixture_site):
    """The dev server checks again only the files that changed (validate.Remembered);
    a change to a file, to the taxonomy, to the providers or to the content files
    must each give the answer a fresh check gives."""
    from clinic.checks.sources import load_site_data, name_of, source_files
    from clinic.model.paths import files_under  # noqa: F401
    from clinic.checks import validate
    from clinic.model.rules import KINDS

    settings = {"PATH": str(fixture_site.content), "ARTICLE_PATHS": ["conditions", "procedures", "treatments", "guides"],
                "PAGE_PATHS": ["pages"]}
    content = Path(settings["PATH"])
    languages = site_languages()
    vocab, data, _ = load_site_data(content, "taxonomy.yaml", "clinic", str, tuple(languages))
    files = []  # each file as the build checks it: a translation (bunions.es.md) by its own kind, in its language
    for p, kind in source_files(content, settings["ARTICLE_PATHS"] + settings["PAGE_PATHS"]):
        slug, lang, probs = name_of(p, languages, p.name)
        assert probs == [], p.name
        files.append((p, KINDS[kind].translated(languages[lang]) if lang else KINDS[kind], slug, lang,
                      p.read_text(encoding="utf-8")))
    assert any(lang for _, _, _, lang, _ in files), "the fixture has translations"
    content_files = files_under(fixture_site.content)
    remembered = validate.Remembered()
    calls = []
    real = validate.validate_article

    def checked(vocab, providers, content_files, texts=None):
        remembered.begin(vocab, providers, content_files)
        out = []
        for p, kind, slug, lang, text in files:
            text = (texts or {}).get(p.name, text)
            fresh = real(p.name, text, kind, slug, vocab, providers, content_files, p.parent.name, lang=lang)
            kept = remembered.validate_article(p.name, text, kind, slug, vocab, providers, content_files,
                                               p.parent.name, lang=lang)
            assert kept[0] == fresh[0] and kept[1] == fresh[1], p.name
            out.append(kept)
        return out

    def counting(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    validate.validate_article = counting
    try:
        checked(vocab, data.providers, content_files)
        assert len(calls) == len(files)
        calls.clear()
        checked(vocab, data.providers, content_files)
        assert calls == [], "nothing changed: nothing is checked again"
        # one file edited: only it is checked again
        bunions = next(text for p, *_, text in files if p.name == "bunions.md")
        assert "Title: Bunions" in bunions
        checked(vocab, data.providers, content_files, {"bunions.md": bunions.replace("Title: Bunions", "Title: Bunion")})
        assert calls == ["bunions.md"]
        # the taxonomy, the providers or the content files change: every file is checked again
        for args in ((_without_a_term(vocab), data.providers, content_files),
                     (vocab, {k: v for k, v in list(data.providers.items())[1:]}, content_files),
                     (vocab, data.providers, content_files - {sorted(content_files)[0]})):
            calls.clear()
            checked(*args)
            assert len(calls) == len(files)
    finally:
        validate.validate_article = real
    assert len(remembered.answers.now) == len(files)  # only the last build's answers are kept


def _without_a_term(vocab):
    import copy

    other = copy.deepcopy(vocab)
    facet = next(f for f in other.facets.values() if f.terms)
    facet.terms.pop(next(iter(facet.terms)))
    return other


def test_real_paths_are_what_realpath_gives(tmp_path, monkeypatch):
    """model.paths.RealPaths (one lstat per file) must name the same file as os.path.realpath,
    for content in a linked folder, a linked file, a relative path and a path with '..'."""
    import os

    from clinic.model.paths import RealPaths

    (tmp_path / "real" / "conditions").mkdir(parents=True)
    (tmp_path / "real" / "conditions" / "bunions.md").write_text("x")
    (tmp_path / "elsewhere.md").write_text("y")
    (tmp_path / "real" / "conditions" / "linked.md").symlink_to(tmp_path / "elsewhere.md")
    (tmp_path / "content").symlink_to(tmp_path / "real")
    monkeypatch.chdir(tmp_path)
    real = RealPaths()
    for path in [tmp_path / "content" / "conditions" / "bunions.md", tmp_path / "content" / "conditions" / "linked.md",
                 "content/conditions/bunions.md", "content/conditions/../conditions/linked.md",
                 tmp_path / "content" / "conditions" / "missing.md", tmp_path / "real" / "conditions" / "bunions.md"]:
        for _ in range(2):  # the second time from what it remembers of the folder
            assert real(path) == os.path.realpath(path), path


def test_a_date_in_another_order_is_given_back_as_yyyy_mm_dd(fixture_site):
    set_key(fixture_site, BUNIONS, "Date", "25/12/2026")
    set_key(fixture_site, "conditions/hammertoes.md", "Date", "06/12/2026")
    lines = "\n".join(checked_sources(fixture_site))
    assert "Date: '25/12/2026' is not written YYYY-MM-DD (write it as YYYY-MM-DD: 2026-12-25)" in lines
    assert ("Date: '06/12/2026' is not written YYYY-MM-DD (write it as YYYY-MM-DD: 2026-06-12 for June 12, "
            "or 2026-12-06 for December 6)") in lines


def test_a_review_date_in_the_future_stops_publish(fixture_site):
    before = live_site(fixture_site)
    set_key(fixture_site, BUNIONS, "Last-reviewed", "2027-06-01")
    set_key(fixture_site, BUNIONS, "Next-review", "2028-06-01")
    result = fixture_site.publish(CLINIC_TODAY="2026-12-06")
    assert result.status == 1 and tree_hash(fixture_site.output) == before
    line = at_lines(fixture_site, ["content/conditions/bunions.md:@Last-reviewed: "])[0]
    assert [x for x in result.lines if x.startswith("content/")] == [
        line + "Last-reviewed: 2027-06-01 is in the future (today is 2026-12-06) "
        "(write the date the review took place, YYYY-MM-DD)"]



def test_two_files_with_one_address_is_one_line_naming_both_and_nothing_is_written(fixture_site):
    """Issue 19, item 5: not a traceback, Pelican's two duplicate-slug warnings and
    sixty link lines about a half-written folder, but one line before any page."""
    before = live_site(fixture_site)
    fixture_site.write("conditions/Bunions.md", fixture_site.read(BUNIONS))
    result = fixture_site.publish()
    assert result.status == 1
    assert [line for line in result.lines if not line.startswith(("Done:", "pages and"))] == [
        "content/conditions/bunions.md: file name: has the same address as content/conditions/Bunions.md "
        "(rename one of the two files)",
        "Publish failed: 1 error. output/ was not changed."]
    assert tree_hash(fixture_site.output) == before
    assert not list(fixture_site.base.glob("output.staging-*"))


def test_a_file_saved_with_a_byte_order_mark_and_windows_line_ends_publishes_as_without_them(fixture_site, tmp_path):
    """Some Windows editors start a UTF-8 file with a byte-order mark and end its
    lines with CR LF. Pelican's reader drops the mark; the checks read it as part
    of the first key, so a page's every metadata line was reported missing (nine
    errors for a correct page) and a shared block lost its title."""
    want = files_of(fixture_site.publish_fresh(tmp_path).output)
    for rel in (BUNIONS, "blocks/after-surgery-warning-signs.md"):
        fixture_site.write(rel, b"\xef\xbb\xbf" + fixture_site.read(rel).encode().replace(b"\n", b"\r\n"))
    site = fixture_site.publish_fresh(tmp_path)
    published_cleanly(site)
    got = files_of(site.output)
    assert sorted(got) == sorted(want)
    assert [name for name in want if got[name] != want[name]] == []


def test_a_file_that_cannot_be_read_is_one_line_not_one_more_per_page_that_treats_it(fixture_site):
    """Issue 19, item 5: bunions.md in another encoding made every procedure and
    treatment with 'Treats: bunions' report that bunions has no page."""
    before = live_site(fixture_site)
    fixture_site.write(BUNIONS, fixture_site.read(BUNIONS).encode().replace(b"## Causes", b"## Caus\xe9s"))
    result = fixture_site.publish()
    assert result.status == 1
    lines = [line for line in result.lines if not line.startswith(("Done:", "pages and"))]
    assert len(lines) == 2 and lines[0].startswith("content/conditions/bunions.md:") and \
        ": file: is not valid UTF-8 (byte 0xe9)" in lines[0], lines
    assert lines[1] == "Publish failed: 1 error. output/ was not changed."
    assert tree_hash(fixture_site.output) == before


def test_a_data_file_that_cannot_be_read_is_its_own_line_only(fixture_site):
    """Issue 19, item 5: a YAML mistake in taxonomy.yaml also gave a template
    crash and one 'is not a procedure or treatment' line per provider specialty."""
    before = live_site(fixture_site)
    fixture_site.edit("taxonomy.yaml", "  region:\n", "  region:\n   bad: [\n")
    result = fixture_site.publish()
    assert result.status == 1
    lines = [line for line in result.lines if not line.startswith(("Done:", "pages and"))]
    assert len(lines) == 2 and lines[0].startswith("content/taxonomy.yaml:") and ": yaml: cannot be read" in lines[0]
    assert lines[1] == "Publish failed: 1 error. output/ was not changed."
    assert tree_hash(fixture_site.output) == before


def test_a_broken_filename_link_is_reported_once(fixture_site):
    """Issue 19, item 5: Pelican's own 'Unable to find' came beside the link
    check's line for the same link."""
    fixture_site.edit(BUNIONS, "## Causes\n", "## Causes\n\nSee [heel pain]({filename}/conditions/heal-pain.md).\n")
    result = fixture_site.publish()
    assert result.status == 1
    lines = [line for line in result.lines if not line.startswith(("Done:", "pages and"))]
    assert len(lines) == 2, lines
    assert lines[0].startswith("content/conditions/bunions.md:")
    assert ": link: '{filename}/conditions/heal-pain.md' does not exist" in lines[0]


def test_a_level_1_heading_is_its_own_line_unless_it_is_a_missing_section():
    """'# Symptoms' where '## Symptoms' is missing is one line that says to write
    '## Symptoms'; any other level-1 heading says that the title is the only one."""
    from clinic.checks import validate
    from clinic.model.rules import KINDS

    kind = KINDS["condition"]
    body = "\n\n".join(f"## {title}\n\nText." for title in kind.sections)

    def headings(text: str) -> list[tuple[int | None, str]]:
        return [(p.line, p.message) for p in validate.check_body(text, 1, kind, "p.md")
                if "heading" in p.message or "is missing" in p.message]
    assert headings(body) == []
    assert headings(body.replace("## Symptoms", "# Symptoms")) == [(5, "'# Symptoms' is a level-1 heading")]
    # the section is there: a second one as '# ' is a level-1 heading like any other
    assert headings(body + "\n\n# Symptoms\n\nMore.") == [(33, "has a level-1 heading ('# ...')")]
    assert headings("# Notes\n\n" + body) == [(1, "has a level-1 heading ('# ...')")]


def test_a_source_link_without_https_is_one_line_not_a_broken_link_as_well(fixture_site):
    """The source was still shown as a link, to 'my.clevelandclinic.org/...' inside
    the site, so the link check reported the same mistake again for the built page."""
    line, _ = the_only_line(fixture_site,
                            lambda fs: fs.edit(BUNIONS, "| https://my.clevelandclinic.org/", "| my.clevelandclinic.org/"))
    assert line.startswith("content/conditions/bunions.md:11: Sources: 'my.clevelandclinic.org/") and \
        line.endswith("is not a web address (give the full link, starting with https://)"), line


def test_markup_in_a_title_or_summary_is_a_warning_that_names_it(fixture_site):
    """A Title or Summary is shown as plain text in the tab, search results,
    listings and the description: '*Bunions*' showed its asterisks there. It is
    escaped everywhere (test_escaping.py), so it warns and does not stop a publish."""
    fixture_site.edit(BUNIONS, "Title: Bunions", "Title: *Bunions*")
    text = fixture_site.read(BUNIONS).split("\n")
    summary = next(i for i, line in enumerate(text) if line.startswith("Summary: "))
    text[summary] = text[summary].replace("Summary: ", "Summary: <b>Bunions</b>: ", 1)
    fixture_site.write(BUNIONS, "\n".join(text))
    result = fixture_site.publish()
    assert result.status == 0, result.log
    plain = " (write plain text: no HTML tags and no Markdown (*, _, `, [link](...)))"
    seen = "which patients would see as typed in search results, listings and the browser's tab"
    assert [line for line in result.lines if line.startswith("warning:")] == [
        f"warning: content/conditions/bunions.md:1: Title: has '*Bunions*', {seen}{plain}",
        f"warning: content/conditions/bunions.md:{summary + 1}: Summary: has '<b>', {seen}{plain}"]


@pytest.mark.parametrize("siteurl", ["", "https://www.example.org/clinic"])
def test_a_static_link_to_no_file_is_one_line_at_its_source(fixture_site, siteurl):
    """'{static}/images/diagrams/Bunion.svg' (a capital the file does not have) was
    three lines: ours at the source line, the built page's link to the same
    address, and Pelican's cache saying it could not stamp the file."""
    import build

    line, _ = the_only_line(
        fixture_site, lambda fs: fs.edit(BUNIONS, "{static}/images/diagrams/bunion.svg", "{static}/images/diagrams/Bunion.svg"),
        **(build.address_settings(siteurl) if siteurl else {}))
    assert line == ("content/conditions/bunions.md:24: link: '{static}/images/diagrams/Bunion.svg' does not exist "
                    "(did you mean {static}/images/diagrams/bunion.svg?)")


def test_a_link_to_a_file_with_a_space_in_its_name_is_one_line_that_says_so(fixture_site):
    """'{static}/images/diagrams/bunion drawing.svg': Markdown ends the link at the
    space, so the page linked to '/images/diagrams/bunion', reported only as a
    built page's link to no file, an address the webmaster never wrote."""
    def change(fs):
        fs.write("images/diagrams/bunion drawing.svg", fs.read("images/diagrams/bunion.svg"))
        fs.edit(BUNIONS, "{static}/images/diagrams/bunion.svg", "{static}/images/diagrams/bunion drawing.svg")
    line, _ = the_only_line(fixture_site, change)
    assert line == (
        "content/conditions/bunions.md:24: link: '{static}/images/diagrams/bunion drawing.svg \"Where a bunion forms. "
        "Drawing: the clinic.\"' has a space, so the link ends at '{static}/images/diagrams/bunion' (rename the file "
        "without spaces (heel-photo.jpg, not heel photo.jpg) and link to that)")


def test_a_logo_that_is_not_a_file_is_one_line_in_clinic_yaml(fixture_site):
    """It was one line too, but the wrong one: 'output/404.html: link: /images/logo.svg
    leads to no file in the site (and on 77 more pages)', blaming the templates."""
    line, _ = the_only_line(fixture_site,
                            lambda fs: fs.edit("clinic/clinic.yaml", "# logo: images/logo.svg", "logo: images/logo.svg"))
    assert line.startswith("content/clinic/clinic.yaml:") and \
        line.endswith(": logo: 'images/logo.svg' is not a file in content/images/ "
                      "(add the logo to content/images/, or fix its name)"), line


@pytest.mark.parametrize("typed, line", [
    ("opens: 8:00", "locations[0].hours[0].opens: 8:00 without quotes is read as the number 480 "
                    '(write it in quotes: "08:00")'),
    ('opens: "8am"', "locations[0].hours[0].opens: '8am' is not a time (write 24-hour time in quotes, e.g. \"08:30\")")])
def test_an_opening_time_that_is_not_one_is_one_line_not_a_crash_as_well(fixture_site, typed, line):
    """The pages that show opening hours formatted every time as HH:MM, so the
    build also stopped with 'ValueError: not enough values to unpack'."""
    found, result = the_only_line(fixture_site, lambda fs: fs.edit("clinic/locations.yaml", 'opens: "08:00"', typed))
    assert found.startswith("content/clinic/locations.yaml:") and found.endswith(line), found
    assert "Traceback" not in result.log and "Error" not in result.log


def test_a_map_link_that_is_not_a_web_address_is_one_line_in_locations_yaml(fixture_site):
    """'map_url: www.openstreetmap.org' was a link inside the site on the contact
    page, reported only there, as a link 'from a template in theme/templates/'."""
    line, _ = the_only_line(fixture_site, lambda fs: fs.edit("clinic/locations.yaml", "map_url: https://www.openstreetmap.org/",
                                                             "map_url: www.openstreetmap.org"))
    assert line.startswith("content/clinic/locations.yaml:") and line.endswith(
        "locations[0].map_url: 'www.openstreetmap.org' is not a web address (give the full link, starting with "
        "https://)"), line
