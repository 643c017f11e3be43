"""Pages in Spanish: Fernández Huerta reading ease and Szigriszt-Pazos (INFLESZ), as
textstat computes them, with the longest sentences found at their lines."""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

import pytest
import textstat

import clinic
from clinic.checks import readability
import reports

PARAGRAPHS = [
    "Un juanete es un bulto duro de hueso en el costado del pie. Suele salir en la base del dedo gordo. "
    "Puede doler más al final del día.",
    "La fascitis plantar causa dolor en el talón. El dolor es más fuerte con los primeros pasos de la mañana. "
    "Estire el pie antes de levantarse de la cama.",
    "¿Cuándo debe llamar a la clínica? Llame si el pie está rojo, caliente o hinchado. "
    "¡No espere si tiene fiebre! Los niños y las personas con diabetes deben venir pronto.",
    "Use zapatos anchos y cómodos. Evite los tacones altos. Póngase hielo en la zona durante quince minutos.",
]
EASY = "<p>Un juanete es un bulto en el pie. Puede doler. Use zapatos anchos.</p>"
HARD = ("<p>La osteocondritis disecante del astrágalo frecuentemente requiere desbridamiento artroscópico "
        "combinado con microperforaciones subcondrales para estimular la regeneración fibrocartilaginosa "
        "de la superficie articular lesionada.</p>")


def in_spanish(function, text: str) -> float:
    """textstat's own answer after set_lang("es"), its default language back after."""
    textstat.set_lang("es")
    try:
        return function(text)
    finally:
        textstat.set_lang("en_US")


@pytest.mark.parametrize("paragraph", PARAGRAPHS)
def test_spanish_scores_are_textstats_own(paragraph):
    html = f"<h2>Qué es</h2><p>{paragraph}</p>"
    text = readability.visible_text(html)
    r = readability.ReadingLevels().measure(html, lang="es")
    assert r.lang == "es"
    assert r.ease == round(in_spanish(textstat.fernandez_huerta, text), 1)
    assert r.szigriszt == round(in_spanish(textstat.szigriszt_pazos, text), 1)
    assert (r.grade, r.smog) == (0.0, 0.0)  # English formulas: not used for Spanish
    assert r.ease > 70, "plain patient text reads as fairly easy or easier"


def test_a_hard_spanish_text_scores_lower_than_an_easy_one():
    levels = readability.ReadingLevels()
    easy, hard = levels.measure(EASY, lang="es"), levels.measure(HARD, lang="es")
    assert hard.ease < 50 < easy.ease
    assert hard.szigriszt < easy.szigriszt


def test_measuring_spanish_leaves_english_as_it_was():
    readability.use_bundled_cmudict()  # textstat's English reads the dictionary through NLTK
    html = "<p>A bunion is a bump on the side of the foot. It can hurt when you walk in tight shoes.</p>"
    text = readability.visible_text(html)
    before = readability.ReadingLevels().measure(html)
    ease_before = textstat.flesch_reading_ease(text)  # Spanish would change its constants and syllables
    readability.ReadingLevels().measure(f"<p>{PARAGRAPHS[0]}</p>", lang="es")
    assert readability.ReadingLevels().measure(html) == before
    assert before.lang == "en" and before.ease is None and before.szigriszt is None
    assert textstat.flesch_reading_ease(text) == ease_before


def test_the_key_differs_by_language():
    text, source = "Un juanete es un bulto.", "Un juanete es un bulto.\n"
    assert readability.key(text, source, 3, "es") != readability.key(text, source, 3)
    assert readability.key(text, source, 3, "en") == readability.key(text, source)
    # one ReadingLevels keeps both readings of the same page apart
    levels = readability.ReadingLevels()
    html = f"<p>{text}</p>"
    es, en = levels.measure(html, source, lang="es"), levels.measure(html, source)
    assert (es.lang, en.lang) == ("es", "en") and es != en
    assert levels.measure_unresolved(html, source, lambda: html, lang="es") == es
    assert levels.measure_unresolved(html, source, lambda: html) == en
    with pytest.raises(ValueError, match="'fr'"):
        levels.measure(html, source, lang="fr")


def test_the_longest_spanish_sentence_is_found_at_its_line():
    source = ("## Cuándo llamar\n"
              "\n"
              "Un juanete es un bulto duro de hueso.\n"
              "\n"
              "¿Qué *síntomas* indican que el niño necesita ver al [podólogo]({filename}/x.md) esta misma semana, "
              "aunque el dolor parezca pequeño?\n"
              "\n"
              "- Póngase hielo.\n")
    html = ("<h2>Cuándo llamar</h2><p>Un juanete es un bulto duro de hueso.</p>"
            "<p>¿Qué <em>síntomas</em> indican que el niño necesita ver al <a href=\"/x/\">podólogo</a> "
            "esta misma semana, aunque el dolor parezca pequeño?</p><ul><li>Póngase hielo.</li></ul>")
    r = readability.ReadingLevels().measure(html, source, longest=2, lang="es")
    sentence = ("¿Qué síntomas indican que el niño necesita ver al podólogo esta misma semana, "
                "aunque el dolor parezca pequeño?")
    assert r.longest == [(18, 5, sentence), (8, 3, "Un juanete es un bulto duro de hueso.")]
    assert r.words == 2 + 8 + 18 + 2  # "niño", "Qué", "Póngase": one word each
    assert readability.source_line(sentence, source) is None, "English words stop at the accents"


def test_a_spanish_reading_is_kept_between_builds(tmp_path, monkeypatch):
    path = tmp_path / "reading-levels.json"
    html, source = f"<p>{PARAGRAPHS[2]}</p>", PARAGRAPHS[2] + "\n"
    first = readability.ReadingLevels()
    es, en = first.measure(html, source, lang="es"), first.measure(html, source)
    first.store(path)
    assert {r["lang"] for r in json.loads(path.read_text())["readings"].values()} == {"es", "en"}

    def measured_again(*args):
        raise AssertionError("measured again, though stored")
    monkeypatch.setattr(readability.ReadingLevels, "_measure_es", measured_again)
    monkeypatch.setattr(readability.ReadingLevels, "_measure", measured_again)
    again = readability.ReadingLevels()
    again.load(path)
    key = readability.key(readability.visible_text(html), source, 3, "es")
    assert again.measured[key] == es
    assert again.measure(html, source, lang="es") == es and again.measure(html, source) == en


def fake_report(monkeypatch, rows, ease_target=70) -> str:
    """readability_report's output for these (meta, reading) rows, without a build."""
    built = SimpleNamespace(readability_rows=rows, close=lambda: None,
                            settings=SimpleNamespace(readability_target=8, readability_ease_target=ease_target))
    monkeypatch.setattr(clinic, "run", lambda settings: built)
    out = io.StringIO()
    assert reports.readability_report({}, out) == 0
    return out.getvalue()


def test_the_report_shows_spanish_pages_with_their_own_formula(monkeypatch):
    english = readability.Reading(9.2, 10.1, 120, [(25, 7, "A long English sentence.")])
    easy = readability.Reading(0.0, 0.0, 80, [(12, 3, "Un juanete es un bulto duro de hueso.")], "es", 78.4, 74.0)
    hard = readability.Reading(0.0, 0.0, 95, [(30, 9, "La osteocondritis disecante.")], "es", 55.2, 50.9)
    rows = [(SimpleNamespace(path="content/conditions/bunions.md"), english),  # no lang: English
            (SimpleNamespace(path="content/conditions/bunions.es.md", lang="es"), easy),
            (SimpleNamespace(path="content/conditions/ocd.es.md", lang="es"), hard)]
    text = fake_report(monkeypatch, rows)
    english_only = fake_report(monkeypatch, rows[:1])
    assert "Spanish" not in english_only
    expected = [
        "Reading level of each medical page, hardest first (target: grade 8 or lower)",
        "",
        "      Grade  SMOG  Words  Page",
        "----  -----  ----  -----  " + "-" * len("content/conditions/bunions.md"),
        "OVER  9.2    10.1  120    content/conditions/bunions.md",
        "",
        "Reading ease of each medical page in Spanish, hardest first "
        "(Fernández Huerta, 0-100, higher is easier; target: 70 or higher)",
        "",
        "       Ease  INFLESZ  Words  Page",
        "-----  ----  -------  -----  " + "-" * len("content/conditions/bunions.es.md"),
        "UNDER  55.2  50.9     95     content/conditions/ocd.es.md",
        "ok     78.4  74.0     80     content/conditions/bunions.es.md",
        "",
        "Longest sentences (words, line in the file):",
        "  content/conditions/bunions.md",
        "     25 words, line 7: A long English sentence.",
        "  content/conditions/ocd.es.md",
        "     30 words, line 9: La osteocondritis disecante.",
        "  content/conditions/bunions.es.md",
        "     12 words, line 3: Un juanete es un bulto duro de hueso.",
        "",
        "Site median: grade 9.2, SMOG 10.1 (1 pages).",
        "Site median in Spanish: reading ease 66.8 (Fernández Huerta), INFLESZ 62.5 (2 pages).",
    ]
    assert text.splitlines() == expected
    # without pages in Spanish, the report is the English one it was
    assert english_only.splitlines() == expected[:5] + expected[12:16] + expected[20:22]
    assert "no target" in fake_report(monkeypatch, rows, ease_target=None)
