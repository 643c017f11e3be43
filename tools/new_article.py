"""Start a new article with every required field and section, ready to fill in.

    make new-condition SLUG=heel-bursitis TITLE="Heel bursitis"
    make new-procedure SLUG=ankle-fusion TITLE="Ankle fusion"
    make new-treatment SLUG=night-splints TITLE="Night splints"

Writes content/<folder>/<SLUG>.md and, when the topic is new, adds its term to
content/taxonomy.yaml. Never overwrites a file. Every place to fill in says
FILL IN; the build refuses to publish a page until none is left.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from pelican.settings import read_settings  # noqa: E402

from clinic.checks.sources import check_site  # noqa: E402
from clinic.model import dates, settings as settings_model  # noqa: E402
from clinic.model.paths import RealPaths, display_paths  # noqa: E402
from clinic.model.rules import EMERGENCY_NUMBER, FILL_IN, KINDS  # noqa: E402
from clinic.model.vocabulary import SLUG  # noqa: E402

EXAMPLE_VALUES = {
    "summary": f"{FILL_IN} one or two plain sentences: what it is and what helps",
    "regions": f"{FILL_IN} body regions, e.g. heel, ankle",
    "symptoms": f"{FILL_IN} symptoms, e.g. heel-pain, swelling",
    "treats": f"{FILL_IN} the conditions it treats, e.g. plantar-fasciitis",
    "reviewed-by": f"{FILL_IN} the reviewer's slug from content/clinic/providers.yaml",
    "sources": f"{FILL_IN} Title | Publisher | Year | https://link",
}


# The scaffold's callouts in 'When to get help': their titles and what to write.
CALLOUT_TITLES = {"non-urgent": "See a foot specialist if", "urgent": "Ask for an urgent appointment if",
                  "emergency": f"Call {EMERGENCY_NUMBER} or go to the emergency room if"}
CALLOUT_FILL = {"non-urgent": "when to book a routine visit", "urgent": "warning signs",
                "emergency": "signs that need the emergency number"}


def scaffold(kind_name: str, slug: str, title: str, today: dt.date) -> str:
    kind = KINDS[kind_name]
    lines = []
    order = ("title", "summary", "date", "regions", "symptoms", "treats", "conditions", "procedures",
             "reviewed-by", "last-reviewed", "next-review", "sources")
    for key in sorted(kind.required, key=lambda k: order.index(k) if k in order else len(order)):
        name = key.capitalize()
        if key == "title":
            value = title
        elif key == "date" or key == "last-reviewed":
            value = today.isoformat()
        elif key == "next-review":
            value = today.replace(year=today.year + 1).isoformat() if not (today.month == 2 and today.day == 29) \
                else (today + dt.timedelta(days=365)).isoformat()
        else:
            value = EXAMPLE_VALUES.get(key, FILL_IN)
        lines.append(f"{name}: {value}")
    body = []
    for section in kind.sections:
        body.append(f"## {section}\n\n{FILL_IN} the text for this section.\n")
        if section == kind.section("help"):
            for tier in kind.help_tiers or ("non-urgent", "urgent"):
                title = CALLOUT_TITLES[tier]
                body.append(f'!!! {tier} "{title}"\n    - {FILL_IN} {CALLOUT_FILL[tier]}\n')
    if not kind.sections:
        body.append(f"{FILL_IN} the text of the page.\n")
    return "\n".join(lines) + "\n\n" + "\n".join(body)


def add_term(taxonomy: Path, facet: str, slug: str, title: str, extra: str = "") -> bool:
    """Insert a term at the end of a facet's list in taxonomy.yaml, keeping comments. False if present."""
    text = taxonomy.read_text(encoding="utf-8")
    if re.search(rf"^\s+- slug: {re.escape(slug)}\s*$", text, re.M):
        return False
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.rstrip() == f"  {facet}:")
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"^  \S", lines[i])), len(lines))
    while end > start and not lines[end - 1].strip():
        end -= 1
    entry = [f"      - slug: {slug}", f"        label: {title}"] + ([f"        {extra}"] if extra else []) + [
        f'        description: "{FILL_IN} one plain sentence"',
        "        synonyms: []  # other names patients use, e.g. [heel bursitis, retrocalcaneal bursitis]"]
    lines[end:end] = entry
    taxonomy.write_text("\n".join(lines), encoding="utf-8")
    return True


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    content = ROOT / "content"
    if len(argv) >= 4 and argv[0] == "--content":
        content, argv = Path(argv[1]), argv[2:]
    if len(argv) != 3 or argv[0] not in ("condition", "procedure", "treatment"):
        print('usage: make new-condition SLUG=heel-bursitis TITLE="Heel bursitis" (or new-procedure, new-treatment)')
        return 2
    kind_name, slug, title = argv[0], argv[1].strip(), " ".join(argv[2].split())
    if not SLUG.match(slug):
        print(f"SLUG: {slug!r} cannot be a web address: use lowercase letters, digits and hyphens, e.g. heel-bursitis")
        return 2
    if not title:
        print('TITLE: is missing: add TITLE="Heel bursitis" to the command')
        return 2
    kind = KINDS[kind_name]
    target = content / kind.folder / f"{slug}.md"
    if target.exists():
        print(f"{target.relative_to(content.parent)}: already exists, so nothing was written "
              "(edit that file, or choose another SLUG)")
        return 1
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={"PATH": str(content.resolve())})
    clinic = settings_model.of(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    today = dates.today(clinic.today, settings.get("TIMEZONE"))
    target.write_text(scaffold(kind_name, slug, title, today), encoding="utf-8")
    print(f"Wrote {target.relative_to(content.parent)}")
    extra = "" if kind_name == "condition" else f"type: {'surgical' if kind_name == 'procedure' else 'non-surgical'}"
    taxonomy = content / clinic.taxonomy_file
    if add_term(taxonomy, kind.term_facet, slug, title, extra):
        print(f"Added {slug!r} to the {kind.term_facet} list in {taxonomy.relative_to(content.parent)}")
    # the same check as the build's, on the new page: how much is left to write
    shown = display_paths(content, RealPaths())
    site = check_site(content, clinic.taxonomy_file, clinic.data_dir, settings["ARTICLE_PATHS"] + settings["PAGE_PATHS"],
                      shown, today=today)
    mine = [p for p in site.problems if p.path == shown(target) and p.severity == "error"]
    print(f"Next: replace every '{FILL_IN}' in those files ({len(mine)} problem(s) in the new page now), "
          "then run `make html` to check.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
