"""Check one article's source text, and the articles against each other.

Pure functions: source text, vocabulary and providers in; an ArticleMeta (the
checked, typed metadata the site uses) and a list of Problems out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..model import frontmatter
from . import links
from .lastbuild import LastBuild, digest
from ..model.problems import Problem, closest, did_you_mean
from ..model.rules import (ADDRESS_KEY_MESSAGE, ADDRESS_KEYS, CALLOUT_TIERS, FILL_IN, KIND_TREATMENT_TYPE, KINDS, OLD_ADDRESS, PAGE_TEMPLATES,
                           RESERVED_SLUGS, SITE_FOLDERS, STATUSES, TERM_KEYS, TRANSLATION_KEYS, WEB_ADDRESS, Kind)
from ..model.blocks import LINE as BLOCK_LINE
from ..model.article import ArticleMeta, Source  # noqa: F401 (re-exported for the reports)
from ..model.vocabulary import SLUG, Vocabulary

# What to write for a missing callout of the 'When to get help' section.
HELP_CALLOUT_HINTS = {
    "urgent": "'!!! urgent \"Call your surgeon's office or doctor straight away if\"'",
    "emergency": "'!!! emergency \"Call {emergency_number} or go to the emergency room if\"' "
                 "({emergency_number} becomes the number in content/clinic/clinic.yaml)",
}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
YEAR = re.compile(r"^(1[89]\d\d|20\d\d|n\.d\.)$")
HEADING2 = re.compile(r"^##\s+(?P<title>[^#].*?)\s*#*\s*$")
OTHER_HEADING = re.compile(r"^(?P<hashes>#|#{3,6})\s+(?P<title>[^#].*?)\s*#*\s*$")
CALLOUT = re.compile(r"^!!!\s+(?P<tier>[\w-]+)(?P<rest>.*)$")
FENCE = re.compile(r"^(```|~~~)")
# HTML or Markdown in a Title or Summary: shown as typed wherever the text is
# plain (the tab, search results, listings, the page's description).
MARKUP = re.compile(r"<[A-Za-z/!][^>]*>|\*\*?[^*\s][^*]*\*\*?|(?<!\w)__?[^_\s][^_]*__?(?!\w)|`[^`]+`"
                    r"|\[[^\]]+\]\([^)]*\)")
# The words in braces a page may use: the numbers the site fills in, its shared
# blocks, and Pelican's link starts ({filename}/conditions/bunions.md). Any other
# word in braces reaches patients as typed: '{emergency_numbr}' in an emergency
# callout, where the number should be. Markdown's attribute lists ({: .note},
# {#id}) start with no letter or digit and are not matched.
PLACEHOLDERS = ("emergency_number", "clinic_phone", "block", "filename", "static", "attach", "index", "tag",
                "category", "author")
BRACED = re.compile(r"\{\s*(\w[\w -]*?)\s*\}")  # \w: a word in any language, {número_de_emergencia}


def decode(path: str, data: bytes) -> tuple[str | None, list[Problem]]:
    """Bytes of a source file -> text, or a problem naming the bad line."""
    if not data.strip():
        return None, [Problem(path, None, "file", "is empty", "write the page's metadata and text, or delete the file")]
    try:
        # "utf-8-sig": without the byte-order mark some Windows editors put first, as
        # Pelican's own reader reads the file (pelican_open); kept, it was part of the
        # first key, and every metadata line of the page was reported missing
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [Problem(path, line, "file", f"is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                              "save the file as UTF-8 in your editor, or retype the odd character on this line")]


OTHER_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def _real_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(value: str, path: str, line: int, key: str) -> tuple[dt.date | None, list[Problem]]:
    if not ISO_DATE.match(value):
        other = OTHER_DATE.match(value)
        if other:  # a full date in another order: say which date it is, or the two it could be
            a, b, year = (int(x) for x in other.groups())
            readings = sorted({d for d in (_real_date(year, a, b), _real_date(year, b, a)) if d})
            if len(readings) == 1:
                hint = f"write it as YYYY-MM-DD: {readings[0].isoformat()}"
            elif readings:
                first, second = _real_date(year, a, b), _real_date(year, b, a)
                hint = (f"write it as YYYY-MM-DD: {first.isoformat()} for {first:%B} {first.day}, "
                        f"or {second.isoformat()} for {second:%B} {second.day}")
            else:
                hint = "write it as YYYY-MM-DD, for example 2026-11-20, and check the month and day"
            return None, [Problem(path, line, key, f"{value!r} is not written YYYY-MM-DD", hint)]
        return None, [Problem(path, line, key, f"{value!r} is not a full date",
                              "write the date as YYYY-MM-DD, for example 2026-11-20")]
    try:
        return dt.date.fromisoformat(value), []
    except ValueError:
        return None, [Problem(path, line, key, f"{value!r} is not a real date",
                              "check the month (01-12) and the day of the month")]


def parse_sources(entry: frontmatter.Entry, path: str) -> tuple[list[Source], list[Problem]]:
    sources, problems = [], []
    for offset, raw in enumerate(v for v in entry.values if v):
        line = entry.line + offset
        parts = [p.strip() for p in raw.split("|")]
        if len(parts) != 4:
            problems.append(Problem(path, line, entry.key, f"{raw!r} does not have 4 parts",
                                    "write Title | Publisher | Year | https://link"))
            continue
        title, publisher, year, url = parts
        if not title or not publisher:
            problems.append(Problem(path, line, entry.key, "a source has no title or publisher",
                                    "write Title | Publisher | Year | https://link"))
        if not YEAR.match(year):
            problems.append(Problem(path, line, entry.key, f"{year!r} is not a year",
                                    "write the year as 4 digits, or n.d. when the source shows no date"))
        if not WEB_ADDRESS.match(url):
            problems.append(Problem(path, line, entry.key, f"{url!r} is not a web address",
                                    "give the full link, starting with https://"))
            continue  # not shown as a link: the link check would report it again, as a page of the site
        sources.append(Source(title, publisher, year, url))
    return sources, problems


def check_body(body: str, body_line: int, kind: Kind, path: str, blocks=None, lang: str = "") -> list[Problem]:
    """Required sections in order, known callout types, the callouts of the
    'When to get help' section. blocks: the shared blocks by name, each with the
    callout tiers it holds (an included block's callouts count where it stands)."""
    problems: list[Problem] = []
    headings: list[tuple[str, int]] = []
    callouts: list[tuple[str, int, str | None]] = []  # tier, line, section
    unknown_in: set[str | None] = set()  # sections with an unknown block, whose callouts cannot be known
    in_fence = False
    text_lines = 0
    other_level: list[tuple[str, int, str]] = []  # a required section's title under '#' or '###': line, hashes
    for i, line in enumerate(body.split("\n")):
        lineno = body_line + i
        if FENCE.match(line.strip()):
            in_fence = not in_fence
        if in_fence:
            continue
        if line.strip():
            text_lines += 1
        h = HEADING2.match(line)
        if h:
            headings.append((h.group("title"), lineno))
        c = CALLOUT.match(line)
        if c:
            callouts.append((c.group("tier"), lineno, headings[-1][0] if headings else None))
        b = BLOCK_LINE.match(line)
        if b and blocks is not None:
            name = b.group("name")
            if name in blocks:
                callouts += [(tier, lineno, headings[-1][0] if headings else None) for tier in blocks[name]]
            elif lang and SLUG.match(name):
                problems.append(Problem(path, lineno, "block", f"{name!r} has no translation in this language",
                                        f"translate content/blocks/{name}.md as content/blocks/{name}.{lang}.md"))
                unknown_in.add(headings[-1][0] if headings else None)
            else:
                near = closest(name, blocks, n=1)
                problems.append(Problem(path, lineno, "block", f"{name!r} is not a block in content/blocks/",
                                        f"did you mean {near[0]!r}?" if near else did_you_mean(name, blocks, "blocks")))
                unknown_in.add(headings[-1][0] if headings else None)
        for braced in BRACED.finditer(line):
            if braced.group(0)[1:-1] not in PLACEHOLDERS:
                near = closest(braced.group(1).replace(" ", "_"), PLACEHOLDERS, n=1)
                problems.append(Problem(path, lineno, "body", f"{braced.group(0)!r} is not a word the site fills in, "
                                        "so patients would see it as typed",
                                        f"write {{{near[0]}}}" if near else
                                        "write {emergency_number} or {clinic_phone}, in English in every language, for a number, "
                                        "or remove the braces"))
        other = OTHER_HEADING.match(line)
        if other and other.group("title") in kind.sections:  # a section at the wrong level? (below)
            other_level.append((other.group("title"), lineno, other.group("hashes")))
        elif re.match(r"^#\s", line):
            problems.append(Problem(path, lineno, "body", "has a level-1 heading ('# ...')",
                                    "the title is the page's only level-1 heading; use '## ' for sections"))
    if text_lines == 0:
        return [Problem(path, None, "body", "has metadata but no text",
                        "write the page's text after a blank line below the metadata")]
    found = [t for t, _ in headings]
    # a required section's title at another level: one line saying so where the section is missing
    # (not that it is missing as well); otherwise a level-1 heading is one as any other
    misplaced = {}
    for title, lineno, hashes in other_level:
        if title not in found and title not in misplaced:
            misplaced[title] = (lineno, hashes)
        elif hashes == "#":
            problems.append(Problem(path, lineno, "body", "has a level-1 heading ('# ...')",
                                    "the title is the page's only level-1 heading; use '## ' for sections"))
    if kind.sections:
        lines = {t: n for t, n in reversed(headings)}
        for wanted in kind.sections:
            if wanted not in found and wanted in misplaced:
                lineno, hashes = misplaced[wanted]
                problems.append(Problem(path, lineno, "body", f"'{hashes} {wanted}' is a level-{len(hashes)} heading",
                                        f"write '## {wanted}': each section of the page is a level-2 heading"))
            elif wanted not in found:
                near = did_you_mean(wanted, [f for f in found if f not in kind.sections], "headings")
                prev = kind.sections.index(wanted)
                after = f"after '## {kind.sections[prev - 1]}'" if prev else "at the start of the text"
                problems.append(Problem(path, None, "body", f"section '## {wanted}' is missing",
                                        f"add it {after}" + (f"; {near}" if near.startswith("did") else "")))
        present = [t for t in found if t in kind.sections]
        expected = [t for t in kind.sections if t in present]
        if present != expected:
            first_bad = next(a for a, b in zip(present, expected) if a != b)
            problems.append(Problem(path, lines[first_bad], "body", f"section '## {first_bad}' is out of order",
                                    "put the sections in this order: " + ", ".join(kind.sections)))
        # empty sections: a required heading directly followed by another heading
        body_lines = body.split("\n")
        for idx, (title, lineno) in enumerate(headings):
            end = headings[idx + 1][1] if idx + 1 < len(headings) else body_line + len(body_lines)
            chunk = body_lines[lineno - body_line + 1: end - body_line]
            if title in kind.sections and not any(x.strip() for x in chunk):
                problems.append(Problem(path, lineno, "body", f"section '## {title}' is empty", "write its text"))
    for tier, lineno, _ in callouts:
        if tier not in CALLOUT_TIERS:
            problems.append(Problem(path, lineno, "callout", f"'!!! {tier}' is not a callout type",
                                    did_you_mean(tier, CALLOUT_TIERS, "callout types")))
    help_section = kind.section("help")
    # only where the section is there (a missing section is its own line above)
    # and holds no unknown block (that line says what is wrong)
    if help_section and any(t == help_section for t, _ in headings) and help_section not in unknown_in:
        line = next((n for t, n in headings if t == help_section), None)
        tiers = {t for t, _, s in callouts if s == help_section and t in CALLOUT_TIERS}
        missing = [t for t in kind.help_tiers if t not in tiers]
        if missing:
            problems.append(Problem(path, line, "callout", f"'{help_section}' has no {' and no '.join(missing)} callout",
                                    "add " + " and ".join(HELP_CALLOUT_HINTS[t] for t in missing)
                                    + ", each with an indented list of the signs"))
        elif not kind.help_tiers and not tiers:
            problems.append(Problem(path, line, "callout", f"'{help_section}' has no callout",
                                    "add '!!! urgent \"Ask for an urgent appointment if\"' with an indented list",
                                    severity="warning"))
    return problems


class Remembered:
    """validate_article() answers kept from one build to the next in a process
    that builds again and again (the dev server): an edit changes one file,
    and checking every other file again was about a tenth of a rebuild.

    An answer is found by everything it depends on: the file's name, text,
    kind, slug and folder, the vocabulary, the provider names and the list of
    content files (begin()). Only the last build's files are kept. The
    ArticleMeta is shared, not copied: nothing changes one after
    validate_article has made it."""

    def __init__(self):
        self.answers = LastBuild()
        self.context = b""

    def begin(self, vocab: Vocabulary, providers, content_files: set[str] | None, blocks=None,
              today: dt.date | None = None) -> None:
        self.answers.begin()
        self.context = digest(repr(vocab).encode(), "\n".join(sorted(providers)).encode(),
                              "\n".join(sorted(content_files)).encode() if content_files is not None else b"\1",
                              repr(sorted((blocks or {}).items())).encode(), str(today).encode())

    def validate_article(self, path: str, text: str, kind: Kind, slug: str, vocab: Vocabulary, providers,
                         content_files: set[str] | None = None, source_dir: str = "",
                         blocks=None, today: dt.date | None = None, lang: str = "") -> tuple[ArticleMeta, list[Problem]]:
        """validate_article(), for the vocabulary, providers, content files, blocks and day given to begin()."""
        key = digest(self.context, path.encode(), repr(kind).encode(), slug.encode(), source_dir.encode(),
                     text.encode(), lang.encode(), repr(sorted((blocks or {}).items())).encode())
        meta, problems = self.answers.get(key, lambda: validate_article(path, text, kind, slug, vocab, providers,
                                                                        content_files, source_dir, blocks, today, lang))
        return meta, list(problems)


def validate_article(path: str, text: str, kind: Kind, slug: str, vocab: Vocabulary,
                     providers, content_files: set[str] | None = None,
                     source_dir: str = "", blocks=None, today: dt.date | None = None,
                     lang: str = "") -> tuple[ArticleMeta, list[Problem]]:
    """Check one file's metadata and body. `providers` is a mapping of provider slugs;
    `content_files` (paths relative to content/) enables the {filename} link check.
    lang: a translation's language; `kind` is then kind.translated() (its section titles
    in that language)."""
    header = frontmatter.parse(text)
    meta = ArticleMeta(path=path, kind=kind.name, slug=slug, lang=lang)
    problems: list[Problem] = []
    known = set(kind.required) | set(kind.optional)
    all_keys = {k for kd in KINDS.values() for k in kd.required + kd.optional}
    meta.line_of = {k: e.line for k, e in header.entries.items()}

    for lineno, raw in header.bad_lines:
        problems.append(Problem(path, lineno, "metadata", f"line {raw.strip()[:40]!r} is not 'Key: value'",
                                "end the metadata with one blank line, or indent a continued value by 4 spaces"))
    for dup in header.duplicates:
        problems.append(Problem(path, dup.line, dup.key, "is given twice", "keep one line for each key"))
    for key, entry in header.entries.items():
        if key not in known:
            if key == "lang":
                problems.append(Problem(path, entry.line, entry.key, "is taken from the file's name",
                                        "remove this line; a translation's file is named after its page and "
                                        "language, e.g. bunions.es.md beside bunions.md"))
            elif key in TRANSLATION_KEYS and not lang:
                problems.append(Problem(path, entry.line, entry.key, "is only used in a translation",
                                        "remove this line, or name the file after its language, e.g. bunions.es.md"))
            elif key in ADDRESS_KEYS:
                problems.append(Problem(path, entry.line, entry.key, ADDRESS_KEY_MESSAGE,
                                        "remove this line; to move a page, rename its file and add "
                                        "Moved-from: with the old address"))
            elif key in all_keys:
                problems.append(Problem(path, entry.line, entry.key, f"is not used on a {kind.singular.lower()} page",
                                        "remove this line; known keys here: " + ", ".join(sorted(k.capitalize() for k in known))))
            else:
                problems.append(Problem(path, entry.line, entry.key, "is not a known key",
                                        did_you_mean(key, {k.capitalize() for k in known}, "keys")))
    filled_later = set()
    for key, entry in list(header.entries.items()):
        if FILL_IN in " ".join(entry.values):
            problems.append(Problem(path, entry.line, entry.key, "is not filled in yet", "replace the FILL IN: text"))
            del header.entries[key]  # no further complaints about a value still to be written
            filled_later.add(key)
    unfilled = [header.body_line + i for i, line in enumerate(header.body.split("\n")) if FILL_IN in line]
    if unfilled:
        problems.append(Problem(path, unfilled[0], "body", f"{len(unfilled)} place(s) still say FILL IN",
                                "replace each FILL IN: text, starting at this line"))
    for key in kind.required:
        entry = header.get(key)
        if entry is None and key in filled_later:
            continue
        if entry is None:
            problems.append(Problem(path, None, key.capitalize(), "is missing", "add a line: " + _help(key)))
        elif not entry.text:
            problems.append(Problem(path, entry.line, entry.key, "is empty", "write: " + _help(key)))

    def text_of(key):
        e = header.get(key)
        return (e.text if e else ""), (e.line if e else None), (e.key if e else key.capitalize())

    meta.title = text_of("title")[0]
    meta.summary = text_of("summary")[0]
    for key in ("title", "summary"):
        value, line, written = text_of(key)
        markup = MARKUP.search(value)
        if markup:
            problems.append(Problem(path, line, written, f"has {markup.group(0)!r}, which patients would see as typed "
                                    "in search results, listings and the browser's tab",
                                    "write plain text: no HTML tags and no Markdown (*, _, `, [link](...))",
                                    "warning"))  # escaped everywhere (tests/test_escaping.py): untidy, not unsafe
    for key in ("date", "modified", "last-reviewed", "next-review"):
        value, line, written = text_of(key)
        if value and key in known:
            d, probs = parse_date(value, path, line, written)
            problems += probs
            setattr(meta, key.replace("-", "_") if key != "date" else "date", d)
    if today is not None and meta.last_reviewed and meta.last_reviewed > today:
        problems.append(Problem(path, meta.line_of.get("last-reviewed"), "Last-reviewed",
                                f"{meta.last_reviewed} is in the future (today is {today})",
                                "write the date the review took place, YYYY-MM-DD"))
    if meta.last_reviewed and meta.next_review and meta.next_review <= meta.last_reviewed:
        problems.append(Problem(path, meta.line_of.get("next-review"), "Next-review",
                                f"{meta.next_review} is not after Last-reviewed {meta.last_reviewed}",
                                "set the next review after the last one, usually a year later"))
    if meta.date and meta.modified and meta.modified < meta.date:
        problems.append(Problem(path, meta.line_of.get("modified"), "Modified", f"{meta.modified} is before Date {meta.date}",
                                "Modified is the date of the last change, on or after Date"))

    status, line, written = text_of("status")
    if status:
        if status.lower() not in STATUSES:
            problems.append(Problem(path, line, written, f"{status!r} is not a status", did_you_mean(status.lower(), STATUSES, "statuses")))
        meta.status = status.lower()
    moved, line, written = text_of("moved-from")
    if moved and "moved-from" in known:
        meta.moved_from, probs = parse_moved_from(moved, path, line, written)
        problems += probs
    template, line, written = text_of("template")
    if template:
        if template not in PAGE_TEMPLATES:
            problems.append(Problem(path, line, written, f"{template!r} is not a page template",
                                    did_you_mean(template, PAGE_TEMPLATES, "templates")))
        meta.template = template

    for key, facet_slug in TERM_KEYS.items():
        value, line, written = text_of(key)
        if not value or key not in known:
            continue
        facet = vocab.facets.get(facet_slug)
        slugs = frontmatter.split_list(value)
        good = []
        for s in slugs:
            if facet is None or s in facet.terms:
                good.append(s)
            else:
                problems.append(Problem(path, line, written, f"{s!r} is not a known {facet.label.lower()}",
                                        did_you_mean(s, facet.terms, facet.plural.lower()) +
                                        " (terms are listed in content/taxonomy.yaml)"))
        meta.terms[facet_slug] = list(dict.fromkeys(good))
    value, line, written = text_of("treats")
    if value and "treats" in known:
        meta.treats = list(dict.fromkeys(frontmatter.split_list(value)))  # checked against pages in validate_site

    # the people a page names: each one of the clinic's providers
    for key, attr in (("reviewed-by", "reviewer"), ("translated-by", "translated_by"),
                      ("translation-reviewed-by", "translation_reviewer")):
        value, line, written = text_of(key)
        if value and key in known:
            if value not in providers:
                problems.append(Problem(path, line, written, f"{value!r} is not a provider",
                                        did_you_mean(value, providers, "providers")
                                        + " (providers are listed in content/clinic/providers.yaml)"))
            else:
                setattr(meta, attr, value)
    value, line, written = text_of("translated-from")
    if value and "translated-from" in known:
        meta.translated_from, probs = parse_date(value, path, line, written)
        problems += probs
        if today is not None and meta.translated_from and meta.translated_from > today:
            problems.append(Problem(path, line, written, f"{meta.translated_from} is in the future (today is {today})",
                                    "write the English page's Last-reviewed date the translation was made from"))
    entry = header.get("sources")
    if entry and entry.text and "sources" in known:
        meta.sources, probs = parse_sources(entry, path)
        problems += probs

    if kind.term_facet:
        facet = vocab.facets.get(kind.term_facet)
        term = facet.terms.get(slug) if facet else None
        if facet and term is None:
            problems.append(Problem(path, None, "file name", f"{slug!r} is not a {facet.label.lower()} in content/taxonomy.yaml",
                                    "name the file after its term's slug, or add the term to content/taxonomy.yaml; "
                                    + did_you_mean(slug, facet.terms, facet.plural.lower())))
        elif term is not None and kind.name in KIND_TREATMENT_TYPE and term.type != KIND_TREATMENT_TYPE[kind.name] \
                and term.type in KIND_TREATMENT_TYPE.values():  # an unknown type is the taxonomy's own problem
            problems.append(Problem(path, None, "file name", f"{slug!r} has type {term.type!r} in content/taxonomy.yaml",
                                    f"put {term.type} treatments in content/{'procedures' if term.type == 'surgical' else 'treatments'}/"))
        if term is not None:
            meta.terms.setdefault(kind.term_facet, [])
            if slug not in meta.terms[kind.term_facet]:
                meta.terms[kind.term_facet].insert(0, slug)
    if not SLUG.match(slug):
        problems.append(Problem(path, None, "file name", f"{slug!r} makes a poor web address",
                            "rename the file using lowercase letters, digits and hyphens, e.g. heel-pain.md"))
    if kind.name == "page" and slug in RESERVED_SLUGS:
        problems.append(Problem(path, None, "file name", f"the address /{slug}/ is used by the site itself",
                                "rename the file"))
    problems += check_body(header.body, header.body_line, kind, path, blocks, lang)
    if content_files is not None:
        problems += links.content_links(path, header.body, header.body_line, source_dir, content_files)
    return meta, problems


def _help(key: str) -> str:
    from ..model.rules import KEY_HELP
    return KEY_HELP.get(key, key)


def parse_moved_from(value: str, path: str, line: int | None, written: str) -> tuple[list[str], list[Problem]]:
    """The old addresses of a page, each as the path after the site's name
    ("/conditions/heel-pain/"); a full address of the old page is taken by its path."""
    from urllib.parse import urlsplit
    found, problems = [], []
    for raw in filter(None, (v.strip() for v in value.split(","))):
        address = urlsplit(raw).path if raw.startswith(("http://", "https://")) else raw
        if not address.startswith("/"):
            address = "/" + address
        if not OLD_ADDRESS.fullmatch(address) or "/../" in address or address == "/":
            problems.append(Problem(path, line, written, f"{raw!r} is not an address a page can move from",
                                    "write the old address as it appeared after the site's name, ending in / "
                                    "or .html, e.g. /conditions/heel-pain/"))
        elif address in found:
            problems.append(Problem(path, line, written, f"{raw!r} is given twice", "keep it once"))
        else:
            found.append(address)
    return found, problems


def validate_site(metas: list[ArticleMeta], unread=frozenset()) -> list[Problem]:
    """Problems between files: relations to missing pages, two files with one address.
    unread: (kind, slug) of the files that exist but could not be read: their own
    line says so, and a relation to one is not a second problem."""
    problems: list[Problem] = []
    by_kind_slug: dict[tuple[str, str], ArticleMeta] = {}
    for m in metas:
        folder = KINDS[m.kind].folder
        key = (folder if m.kind != "page" else "", m.slug)
        if key in by_kind_slug:
            other = by_kind_slug[key]
            problems.append(Problem(m.path, None, "file name", f"has the same address as {other.path}",
                                    "rename one of the two files"))
        else:
            by_kind_slug[key] = m
    problems += moved_from_clashes(metas)
    conditions = {m.slug for m in metas if m.kind == "condition" and m.status != "draft"}
    unread_conditions = {slug for kind, slug in unread if kind == "condition"}
    for m in metas:
        for target in m.treats:
            if target not in conditions and target not in unread_conditions:
                problems.append(Problem(m.path, m.line_of.get("treats"), "Treats",
                                        f"{target!r} has no page in content/conditions/",
                                        did_you_mean(target, conditions, "condition pages")))
    return problems


def moved_from_clashes(metas: list[ArticleMeta]) -> list[Problem]:
    """An old address (Moved-from) that a page still has, that the site uses
    for its own pages, or that two files claim."""
    problems: list[Problem] = []
    current = {m.address: m for m in metas}
    claimed: dict[str, ArticleMeta] = {}
    for m in metas:
        for old in m.moved_from:
            where = m.line_of.get("moved-from")
            top = old.strip("/").split("/")[0]
            if old in current:
                problems.append(Problem(m.path, where, "Moved-from", f"{old} is the address of {current[old].path}",
                                        "a page can only move from an address no page has now: remove it here"))
            elif top in SITE_FOLDERS or (old.count("/") == 2 and top in RESERVED_SLUGS):
                problems.append(Problem(m.path, where, "Moved-from", f"{old} is an address the site uses itself",
                                        "remove it here"))
            elif old in claimed:
                problems.append(Problem(m.path, where, "Moved-from", f"{old} is also given by {claimed[old].path}",
                                        "keep it on the page it moved to, and remove it from the other"))
            else:
                claimed[old] = m
    return problems
