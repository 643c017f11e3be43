"""Every CLINIC_* setting is read once, by one module (clinic/model/settings.py),
with its default and a check: a wrong value or a misspelt name is one line
naming the settings file, the setting, the value and what is allowed, and
`make publish` stops without touching output/."""

from __future__ import annotations

import pytest

from clinic.model import settings as settings_model
from conftest import live_site, tree_hash

# the translations are tested in test_translated_site.py; these builds do without them
pytestmark = pytest.mark.english_only


def lines_of(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.strip() and not line.startswith(("Done:", "pages and"))]


@pytest.mark.parametrize("override, line", [
    ({"CLINIC_REVIEW_OVERDUE": "sometimes"},
     "pelicanconf.py: CLINIC_REVIEW_OVERDUE: 'sometimes' is not allowed (write one of 'warn', 'error'; it sets "
     "what a page past its Next-review date does to `make publish`)"),
    ({"CLINIC_READABILITY_TARGET": "8"},
     "pelicanconf.py: CLINIC_READABILITY_TARGET: '8' is not allowed (write a whole number from 1 to 20, or None; "
     "it sets the highest reading grade a page may have without a warning; None turns the check off)"),
    ({"CLINIC_TODAY": "06/12/2026"},
     "pelicanconf.py: CLINIC_TODAY: '06/12/2026' is not allowed (write None or a date written YYYY-MM-DD, for "
     "example \"2026-11-20\"; it sets a fixed 'today' for reports and tests; None is the real date)"),
    ({"CLINIC_REVEIW_OVERDUE": "error"},
     "pelicanconf.py: CLINIC_REVEIW_OVERDUE: is not a setting of the site (did you mean 'CLINIC_REVIEW_OVERDUE'?)"),
])
def test_a_wrong_setting_stops_publish_with_one_line(fixture_site, override, line):
    before = live_site(fixture_site)
    result = fixture_site.publish(**override)
    assert result.status == 1
    assert lines_of(result.log) == [line, "Publish failed: 1 error. output/ was not changed."]
    assert tree_hash(fixture_site.output) == before
    assert not list(fixture_site.base.glob("output.staging-*"))


def test_a_wrong_setting_is_shown_and_the_default_used_by_make_html(fixture_site):
    result = fixture_site.html(CLINIC_RELATED_LIMIT=-1)
    assert result.status == 0  # `make html` shows every problem and builds the site for a look
    assert ("pelicanconf.py: CLINIC_RELATED_LIMIT: -1 is not allowed (write a whole number from 0 to 50; it sets "
            "how many related articles each medical page shows)") in result.log
    assert (fixture_site.output / "conditions" / "bunions" / "index.html").exists()


def test_every_default_passes_its_own_check_and_has_a_field():
    values, problems = settings_model.read({})
    assert problems == []
    for spec in settings_model.SPECS:
        assert spec.check(spec.default) is None, spec.name
        assert spec.help
    assert values.review_overdue == "warn" and values.related_limit == 5


def test_the_message_names_the_file_that_sets_the_value():
    files = [("pelicanconf.py", "CLINIC_MINIFY = False\nCLINIC_RELATED_LIMIT = 5\n"),
             ("publishconf.py", "from pelicanconf import *\nCLINIC_MINIFY = True\n")]
    assert settings_model.setting_file("CLINIC_MINIFY", files) == "publishconf.py"
    assert settings_model.setting_file("CLINIC_RELATED_LIMIT", files) == "pelicanconf.py"
    assert settings_model.setting_file("CLINIC_TODAY", files) == "pelicanconf.py"  # set nowhere: the main file
    _, problems = settings_model.read({"CLINIC_MINIFY": "yes"},
                                      lambda name: settings_model.setting_file(name, files))
    assert [p.format() for p in problems] == [
        "publishconf.py: CLINIC_MINIFY: 'yes' is not allowed (write True or False; it sets minify HTML "
        "(publishconf.py turns it on))"]


def test_overrides_name_only_real_settings():
    assert settings_model.overrides(minify=False, readability_target=None) == {
        "CLINIC_MINIFY": False, "CLINIC_READABILITY_TARGET": None}
    with pytest.raises(KeyError):
        settings_model.overrides(minfy=False)
