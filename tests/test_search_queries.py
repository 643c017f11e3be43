"""Search in a patient's own words (issue 20): the query set in
tests/search/queries.tsv (questions, symptoms in lay words, misspellings, other
names), each run through the search page in Chromium. Recall in the top 3 and
the mean reciprocal rank are written to test-artifacts/search-queries.json."""

from __future__ import annotations

import json

from conftest import ARTIFACTS, ROOT
from test_search_browser import search_again

QUERIES = [tuple(line.split("\t")) for line in (ROOT / "tests/search/queries.tsv").read_text().splitlines()
           if line.strip() and not line.startswith("#")]


def ranked(page, query: str) -> list[str]:
    return search_again(page, query, links=".clinic-search__results h2 a")


def test_searches_in_a_patients_own_words_find_the_right_page(tab, browser_site):
    page = tab(viewport={"width": 390, "height": 844})
    page.goto(browser_site.url + "/search/")
    page.wait_for_function("document.querySelector('.clinic-search__status').textContent.startsWith('Type')")
    rows = []
    for query, expected in QUERIES:
        found = ranked(page, query)
        rank = found.index(expected) + 1 if expected in found else None
        rows.append({"query": query, "expected": expected, "rank": rank, "top": found[:3], "count": len(found)})
    top3 = sum(1 for r in rows if r["rank"] and r["rank"] <= 3) / len(rows)
    mrr = sum(1 / r["rank"] for r in rows if r["rank"]) / len(rows)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "search-queries.json").write_text(json.dumps(
        {"queries": len(rows), "recall_at_3": round(top3, 3), "mrr": round(mrr, 3), "rows": rows}, indent=1))
    missed = [(r["query"], r["top"]) for r in rows if not r["rank"] or r["rank"] > 3]
    assert top3 >= 0.95, (round(top3, 3), round(mrr, 3), missed)
    assert [r["query"] for r in rows if r["count"] == 0] == []


def test_a_corrected_search_says_so_marks_the_words_found_and_shows_the_first_result_on_a_phone(tab, browser_site):
    page = tab(viewport={"width": 390, "height": 844})
    page.goto(browser_site.url + "/search/?q=bunyon")
    page.wait_for_function("document.querySelector('.clinic-search').dataset.searched === 'bunyon'")
    note = page.locator(".clinic-search__note")
    assert note.inner_text() == "Showing results for bunion. Search instead for bunyon."
    assert note.locator("a").get_attribute("href") == "?q=bunyon&exact=1"
    first = page.locator(".clinic-search__results li").first
    assert first.bounding_box()["y"] + 60 <= 844, "the first result is in view without scrolling"
    hrefs = page.eval_on_selector_all(".clinic-search__results h2 a", "els => els.map(e => e.getAttribute('href'))")
    assert "/conditions/bunions/" in hrefs[:3]
    marks = first.locator(".clinic-search__excerpt mark").all_inner_texts()
    assert marks and all("bunion" in m.lower() for m in marks)
    # the words as typed, when asked for
    note.locator("a").click()
    page.wait_for_function("document.querySelector('.clinic-search').dataset.searched === 'bunyon'")
    assert page.locator(".clinic-search__note").inner_text() == ""
    # filters fold into one control that counts the ones chosen
    page.goto(browser_site.url + "/search/?q=pain&Body+region=Ankle")
    page.wait_for_function("document.querySelector('.clinic-search').dataset.searched === 'pain'")
    assert " ".join(page.locator(".clinic-search__filter-button").inner_text().split()) == "Show only (1 chosen)"
