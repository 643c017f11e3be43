"""Reports for the clinic's editors.

    python tools/reports.py review        # make review-report
    python tools/reports.py readability   # make readability

Both print a table and exit 0: they inform, they never block.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))


def load_settings(content: Path | None, today: str | None):
    from pelican.settings import read_settings

    from clinic.model import settings as settings_model
    override = {"PATH": str(content.resolve())} if content else {}
    if today:
        override.update(settings_model.overrides(today=today))
    return read_settings(str(ROOT / "pelicanconf.py"), override=override)


def review_report(settings, out=sys.stdout) -> int:
    from clinic.checks import review
    from clinic.checks.sources import check_site
    from clinic.model import dates, settings as settings_model
    from clinic.model.paths import RealPaths, display_paths

    clinic = settings_model.of(settings)
    content = Path(settings["PATH"])
    shown = display_paths(content, RealPaths())
    today = dates.today(clinic.today, settings.get("TIMEZONE"))
    languages = translation_words(settings, clinic)
    site = check_site(content, clinic.taxonomy_file, clinic.data_dir, settings["ARTICLE_PATHS"] + settings["PAGE_PATHS"],
                      shown, today=today, languages=languages)
    metas = [c.meta for c in site.checked + site.translations] + [b.meta for b in site.blocks.values()]
    rows = review.rows(metas, site.data.providers, today, clinic.review_soon_days)
    print(f"Medical review status on {today} (most urgent first)\n", file=out)
    header = ("Status", "Next review", "Last reviewed", "Reviewer", "Page")
    table = [(r.status + (f" ({-r.days_left} days late)" if r.status == review.OVERDUE and r.days_left is not None
                          else f" (in {r.days_left} days)" if r.status == review.DUE_SOON else ""),
              str(r.next_review or "missing"), str(r.last_reviewed or "missing"), r.reviewer, r.path) for r in rows]
    print_table(header, table, out)
    counts = {s: sum(1 for r in rows if r.status == s) for s in (review.OVERDUE, review.DUE_SOON, review.CURRENT)}
    print(f"\n{len(rows)} medical pages and shared blocks: {counts[review.OVERDUE]} overdue, "
          f"{counts[review.DUE_SOON]} due soon, {counts[review.CURRENT]} current.", file=out)
    old = review.old_sources([m for m in metas if m.kind != "page"], today, clinic.source_max_age)
    print(f"\nSources more than {clinic.source_max_age} years old (check each is still current, "
          "or cite a newer one):\n", file=out)
    if old:
        print_table(("Year", "Source", "Publisher", "Page"), [(o.year, o.title, o.publisher, o.path) for o in old], out)
    else:
        print("None.", file=out)
    if languages:
        translations_report(site, clinic, out)
    return 0


def translation_words(settings, clinic) -> dict:
    """Each translation language's gettext (the theme's catalogs): its section titles."""
    from clinic.pages.i18n import Catalogs
    catalogs = Catalogs(settings["THEME"] if Path(settings["THEME"]).is_absolute() else ROOT / settings["THEME"],
                        clinic.country)
    return catalogs.gettexts(clinic.translation_languages)


def translations_report(site, clinic, out) -> None:
    """Each translation against the page it translates: out of date when that page
    was reviewed or changed after the translation was made (CLINIC_TRANSLATION_STALE)."""
    from clinic.checks import translations
    translated = [c.meta for c in site.translations] + [b.meta for b in site.blocks.values() if b.meta.lang]
    _, stale = site.check_translations(clinic.translation_stale)
    behind = {s.translation.path: s for s in stale}
    rows = sorted(((f"out of date ({behind[m.path].days_behind} days behind)" if m.path in behind else "up to date",
                    str(m.translated_from or "missing"),
                    str(behind[m.path].changed) if m.path in behind else "", m.path, translations.original_path(m))
                   for m in translated), key=lambda r: (not r[0].startswith("out"), r[3]))
    print(f"\nTranslations (CLINIC_TRANSLATION_STALE = {clinic.translation_stale!r}; out of date first):\n", file=out)
    if rows:
        print_table(("Status", "Made from", "Page changed", "Translation", "Page"), rows, out)
    else:
        print("None.", file=out)
    for lang in clinic.translation_languages:
        missing = site.vocab.untranslated(lang)
        if missing:
            print(f"\nTerms of content/taxonomy.yaml without words in {lang!r} (left out of its pages; add '{lang}:' "
                  f"with label and description): " + ", ".join(f"{t.facet}/{t.slug}" for t in missing), file=out)


def readability_report(settings, out=sys.stdout) -> int:
    import clinic
    from clinic.checks import readability

    with tempfile.TemporaryDirectory() as tmp:
        settings["OUTPUT_PATH"] = tmp
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.CRITICAL)  # this report is not the place for build problems
        try:
            built = clinic.run(settings)
        finally:
            root.setLevel(level)
            if "built" in locals() and built is not None:
                built.close()
        rows = list(built.readability_rows) if built is not None else []
        target = built.settings.readability_target if built is not None else None
        ease_target = built.settings.readability_ease_target if built is not None else None
    # Pages in Spanish are scored by their own formula (readability.py): kept apart,
    # so the English table, and its median, are what they were.
    spanish = sorted((row for row in rows if _lang(row[0]) == "es"), key=lambda row: _ease(row[1]))
    rows = [row for row in rows if _lang(row[0]) != "es"]
    rows.sort(key=lambda r: -r[1].grade)
    print(f"Reading level of each medical page, hardest first (target: grade {target} or lower)\n", file=out)
    table = []
    for meta, r in rows:
        table.append(("OVER" if target is not None and r.grade > target else "ok", f"{r.grade:.1f}", f"{r.smog:.1f}",
                      str(r.words), meta.path))
    print_table(("", "Grade", "SMOG", "Words", "Page"), table, out)
    if spanish:
        print(f"\n{spanish_heading(ease_target)}\n", file=out)
        print_table(("", "Ease", "INFLESZ", "Words", "Page"), spanish_table(spanish, ease_target), out)
    print("\nLongest sentences (words, line in the file):", file=out)
    for meta, r in rows + spanish:
        print(f"  {meta.path}", file=out)
        for words, line, sentence in r.longest:
            short = sentence if len(sentence) <= 90 else sentence[:87] + "..."
            print(f"    {words:3d} words, line {line or '?'}: {short}", file=out)
    print(f"\nSite median: grade {readability.median(r.grade for _, r in rows)}, "
          f"SMOG {readability.median(r.smog for _, r in rows)} ({len(rows)} pages).", file=out)
    if spanish:
        print(spanish_median(spanish), file=out)
    return 0


def _lang(meta) -> str:
    return getattr(meta, "lang", "en")  # page metadata without a language: English


def _ease(reading) -> float:
    """For sorting, hardest (lowest ease) first; a reading without one (measured as English) first of all."""
    return -1.0 if reading.ease is None else reading.ease


def _score(value: float | None) -> str:
    return "?" if value is None else f"{value:.1f}"


def spanish_heading(ease_target: int | None) -> str:
    wanted = f"target: {ease_target} or higher" if ease_target is not None else "no target"
    return (f"Reading ease of each medical page in Spanish, hardest first "
            f"(Fernández Huerta, 0-100, higher is easier; {wanted})")


def spanish_table(rows, ease_target: int | None) -> list[tuple]:
    """One row a page in Spanish: UNDER when its reading ease is below the target, ? when
    it was measured without one (as English)."""
    return [("?" if r.ease is None else "UNDER" if ease_target is not None and r.ease < ease_target else "ok",
             _score(r.ease), _score(r.szigriszt), str(r.words), meta.path) for meta, r in rows]


def spanish_median(rows) -> str:
    from clinic.checks import readability

    scored = [r for _, r in rows if r.ease is not None]
    return (f"Site median in Spanish: reading ease {readability.median(r.ease for r in scored)} (Fernández Huerta), "
            f"INFLESZ {readability.median(r.szigriszt for r in scored)} ({len(rows)} pages).")


def print_table(header, rows, out) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)] if rows else [len(h) for h in header]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    print(line(header), file=out)
    print(line("-" * w for w in widths), file=out)
    for r in rows:
        print(line(r), file=out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", choices=["review", "readability"])
    parser.add_argument("--content", type=Path, default=None, help="content folder (default: content/)")
    parser.add_argument("--today", default=None, help="report as if today were this date (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    settings = load_settings(args.content, args.today)
    return review_report(settings) if args.report == "review" else readability_report(settings)


if __name__ == "__main__":
    sys.exit(main())
