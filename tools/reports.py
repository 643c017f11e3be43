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
    site = check_site(content, clinic.taxonomy_file, clinic.data_dir, settings["ARTICLE_PATHS"] + settings["PAGE_PATHS"],
                      shown, today=today)
    metas = [c.meta for c in site.checked] + [b.meta for b in site.blocks.values()]
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
    return 0


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
    rows.sort(key=lambda r: -r[1].grade)
    print(f"Reading level of each medical page, hardest first (target: grade {target} or lower)\n", file=out)
    table = []
    for meta, r in rows:
        table.append(("OVER" if target is not None and r.grade > target else "ok", f"{r.grade:.1f}", f"{r.smog:.1f}",
                      str(r.words), meta.path))
    print_table(("", "Grade", "SMOG", "Words", "Page"), table, out)
    print("\nLongest sentences (words, line in the file):", file=out)
    for meta, r in rows:
        print(f"  {meta.path}", file=out)
        for words, line, sentence in r.longest:
            short = sentence if len(sentence) <= 90 else sentence[:87] + "..."
            print(f"    {words:3d} words, line {line or '?'}: {short}", file=out)
    print(f"\nSite median: grade {readability.median(r.grade for _, r in rows)}, "
          f"SMOG {readability.median(r.smog for _, r in rows)} ({len(rows)} pages).", file=out)
    return 0


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
