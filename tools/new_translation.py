"""Start the translation of a page, ready to translate in place.

    make new-translation SLUG=bunions LANG=es
    make new-translation SLUG=after-surgery-warning-signs LANG=es    (a shared block)
    make new-translation SLUG=conditions/bunions LANG=es             (when two folders have the name)

Writes <folder>/<SLUG>.<LANG>.md beside the English page: its metadata copied
(the title and summary to translate), who translated and checked it to fill
in, Translated-from: the English page's last review or change, and its text
with every section title already in that language (the theme's catalog) and
each piece of English text under a 'FILL IN: translate:' line. Never
overwrites a file. The build refuses to publish a page until no FILL IN is left.

LANG is also the shell's locale (LANG=C.UTF-8): the Makefile passes only a
LANG given on make's command line, so a locale is never taken for the language.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import re
import sys
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from pelican.settings import read_settings  # noqa: E402

from clinic.checks.links import INTERNAL, MD_LINK  # noqa: E402
from clinic.checks.sources import check_site, name_of  # noqa: E402
from clinic.checks.validate import CALLOUT, FENCE, ISO_DATE  # noqa: E402
from clinic.model import dates, frontmatter, settings as settings_model  # noqa: E402
from clinic.model.article import ArticleMeta  # noqa: E402
from clinic.model.blocks import LINE as BLOCK_LINE  # noqa: E402
from clinic.model.paths import RealPaths, display_paths, files_under  # noqa: E402
from clinic.model.problems import did_you_mean  # noqa: E402
from clinic.model.rules import (BLOCK_FOLDER, BLOCK_KIND, FILL_IN, KIND_BY_FOLDER, MARKDOWN_SUFFIXES,  # noqa: E402
                                TRANSLATION_KEYS, Kind, is_language_code)
from clinic.model.vocabulary import SLUG  # noqa: E402

USAGE = "usage: make new-translation SLUG=bunions LANG=es (SLUG: the English page's file name without .md)"
# the line above each piece of text to translate; the translator replaces both
TRANSLATE = f"{FILL_IN} translate:"
TRANSLATION_VALUES = {
    "translated-by": f"{FILL_IN} the translator's slug from content/clinic/providers.yaml",
    "translation-reviewed-by": f"{FILL_IN} the slug of the clinician who checks the translation against the "
                               "English page (content/clinic/providers.yaml)",
}
# English keys a translation does not take: its old addresses stay with the English
# page; the translation keys and the language come from this scaffold and the file's name
DROPPED_KEYS = {"moved-from", "lang", *TRANSLATION_KEYS}
TO_TRANSLATE_KEYS = ("title", "summary")
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.*?)\s*#*\s*$")
IMAGE_LINE = re.compile(r"^(?P<indent>\s*)!\[(?P<alt>[^\]]*)\]\((?P<src>[^)\s]+)(?:\s+\"(?P<title>[^\"]*)\")?\s*\)\s*$")
QUOTED = re.compile(r'"(?P<title>[^"]*)"')


# -- the English page -------------------------------------------------------------------

def english_sources(content: Path, folders) -> list[tuple[Path, str]]:
    """Every English source file (no language in its name), with its folder:
    the article and page folders (and their subfolders, as the build reads
    them) and content/blocks/ (the blocks directly in it)."""
    found = []
    for folder in folders:
        root = content / folder
        if not root.is_dir():
            continue
        paths = root.iterdir() if folder == BLOCK_FOLDER else root.rglob("*")
        for p in sorted(paths):
            if p.is_file() and p.suffix.lower() in MARKDOWN_SUFFIXES and not p.name.startswith("."):
                slug, lang, problems = name_of(p, (), "")
                if not lang and not problems:
                    found.append((p, folder))
    return found


def kind_of(folder: str) -> Kind:
    return BLOCK_KIND if folder == BLOCK_FOLDER else KIND_BY_FOLDER[folder]


def changed_date(header: frontmatter.Header) -> dt.date | None:
    """The English page's last review or change, as the build's checks take it
    (ArticleMeta.changed): what the translation says it was made from."""
    meta = ArticleMeta(path="", kind="", slug="")
    for key, attr in (("last-reviewed", "last_reviewed"), ("modified", "modified"), ("date", "date")):
        entry = header.get(key)
        if entry and ISO_DATE.match(entry.text):
            try:
                setattr(meta, attr, dt.date.fromisoformat(entry.text))
            except ValueError:
                pass  # not a real date: the English page's own problem
    return meta.changed


# -- the translation --------------------------------------------------------------------

def translated_header(text: str, header: frontmatter.Header, translated_from: dt.date) -> list[str]:
    """The English metadata, key by key as written (continued values too): the title
    and summary to translate, no old addresses; then who translated and checked it,
    and which review of the English page it was made from."""
    lines = text.split("\n")
    raw = lines[: header.body_line - 1] if header.entries else []
    if raw and raw[0].strip() == "---":
        raw = raw[1:]
    if raw and (not raw[-1].strip() or raw[-1].strip() == "---"):
        raw = raw[:-1]
    out: list[str] = []
    key = None
    for line in raw:
        m, c = frontmatter.KEY_LINE.match(line), frontmatter.CONTINUATION.match(line)
        if c and key is not None:  # a continued value: with its key
            if key not in DROPPED_KEYS and key not in TO_TRANSLATE_KEYS:
                out.append(line)
            continue
        key = m.group("key").lower() if m else None
        if key in DROPPED_KEYS:
            continue
        if key in TO_TRANSLATE_KEYS:
            entry = header.get(key)
            out.append(f"{m.group('key')}: {TRANSLATE} {entry.text if entry else m.group('value').strip()}")
        else:
            out.append(line)
    out += [f"Translated-by: {TRANSLATION_VALUES['translated-by']}",
            f"Translation-reviewed-by: {TRANSLATION_VALUES['translation-reviewed-by']}",
            f"Translated-from: {translated_from.isoformat()}"]
    return out


def translated_body(body: str, kind: Kind, words) -> str:
    """The English text with the same structure: the kind's section titles in the
    language (`words`: its gettext), any other heading, each callout's title and
    each image's description to translate, the blocks, callouts, images and blank
    lines where they were, and each run of text lines under a 'FILL IN: translate:'
    line with the English text below it."""
    titles = {t: words(t) for t in kind.sections + kind.optional_sections}
    out: list[str] = []
    run = False  # inside a run of text lines
    in_fence = False
    for line in body.split("\n"):
        stripped = line.strip()
        if in_fence or FENCE.match(stripped):  # code: text like any other, nothing in it is a heading
            if FENCE.match(stripped):
                in_fence = not in_fence
            if not run:
                out.append(line[: len(line) - len(line.lstrip())] + TRANSLATE)
                run = True
            out.append(line)
            continue
        heading, callout, image = HEADING.match(line), CALLOUT.match(line), IMAGE_LINE.match(line)
        if not stripped:
            out.append(line)
        elif heading:
            title, hashes = heading.group("title"), heading.group("hashes")
            out.append(f"## {titles[title]}" if hashes == "##" and title in titles else f"{hashes} {FILL_IN} {title}")
        elif BLOCK_LINE.match(line):
            out.append(line)
        elif callout:
            out.append(QUOTED.sub(lambda q: f'"{FILL_IN} {q.group("title")}"' if q.group("title").strip()
                                  else q.group(0), line, count=1))
        elif image:  # its description and caption are text too
            alt, title = image.group("alt"), image.group("title")
            alt = f"{FILL_IN} {alt}" if alt.strip() else alt
            title = f' "{FILL_IN} {title}"' if title and title.strip() else f' "{title}"' if title is not None else ""
            out.append(f"{image.group('indent')}![{alt}]({image.group('src')}{title})")
        else:
            if not run:
                out.append(line[: len(line) - len(line.lstrip())] + TRANSLATE)
            out.append(line)
            run = True
            continue
        run = False
    return "\n".join(out)


def scaffold(text: str, kind: Kind, words, translated_from: dt.date) -> str:
    header = frontmatter.parse(text)
    head = translated_header(text, header, translated_from)
    body = translated_body(header.body, kind, words).strip("\n")
    return "\n".join(head) + "\n\n" + body + "\n"


# -- what the webmaster is told ---------------------------------------------------------

def links_to_translated(written: str, folder: str, lang: str, content_files: set[str]) -> list[tuple[int, str, str]]:
    """{filename} links in the new file to a page that has a translation in this
    language: (line, link, the translation's link)."""
    found = []
    for i, line in enumerate(written.split("\n"), 1):
        for m in MD_LINK.finditer(line):
            im = INTERNAL.match(m.group("target"))
            if not im or im.group("kind") != "filename":
                continue
            rel = unquote(im.group("path").split("#")[0].split("?")[0])
            resolved = posixpath.normpath(rel.lstrip("/") if rel.startswith("/") else posixpath.join(folder, rel))
            stem, dot, suffix = resolved.rpartition(".")
            if not dot or f".{suffix.lower()}" not in MARKDOWN_SUFFIXES:
                continue
            translation = f"{stem}.{lang}.{suffix}"
            if translation in content_files:
                target = m.group("target")
                found.append((i, target, target.replace(Path(rel).name, Path(translation).name)))
    return found


def missing_block_translations(body: str, content: Path, lang: str) -> list[str]:
    """The shared blocks the page includes that have no translation in this language yet."""
    names = dict.fromkeys(m.group("name") for line in body.split("\n") if (m := BLOCK_LINE.match(line)))
    folder = content / BLOCK_FOLDER
    return [n for n in names if SLUG.match(n) and any((folder / f"{n}{s}").is_file() for s in MARKDOWN_SUFFIXES)
            and not any((folder / f"{n}.{lang}{s}").is_file() for s in MARKDOWN_SUFFIXES)]


def missing_lang(environment: str | None) -> str:
    shell = (f" (LANG={environment!r} in your shell is its locale, not a language of the site, so it is not used)"
             if environment else "")
    return ("LANG: is missing: add the language to translate into to make's command line, e.g. "
            f"make new-translation SLUG=bunions LANG=es{shell}")


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    content = ROOT / "content"
    if len(argv) >= 2 and argv[0] == "--content":
        content, argv = Path(argv[1]), argv[2:]
    if len(argv) != 2:
        print(USAGE)
        return 2
    asked, lang = argv[0].strip().strip("/"), argv[1].strip()
    if not asked:
        print(f"SLUG: is missing: add the English page's name to the command, e.g. {USAGE.split(': ', 1)[1]}")
        return 2
    if not lang:
        print(missing_lang(os.environ.get("LANG")))
        return 2
    settings = read_settings(str(ROOT / "pelicanconf.py"), override={"PATH": str(content.resolve())})
    clinic = settings_model.of(settings)
    if lang not in clinic.translation_languages:
        listed = ", ".join(repr(x) for x in clinic.translation_languages) or "none yet"
        if not is_language_code(lang):  # C.UTF-8, en_US.UTF-8: a locale, not a language
            print(f"LANG: {lang!r} is a locale setting, not a language code: give the language to translate into, "
                  f"one of CLINIC_TRANSLATION_LANGUAGES in pelicanconf.py ({listed}), e.g. LANG=es")
        else:
            print(f"LANG: {lang!r} is not a translation language of this site: CLINIC_TRANSLATION_LANGUAGES in "
                  f"pelicanconf.py lists {listed}; add {lang!r} there (with its catalog) first, or use one of those")
        return 2
    from clinic.pages.i18n import Catalogs
    theme = Path(settings["THEME"])
    catalogs = Catalogs(theme if theme.is_absolute() else ROOT / theme, clinic.country)
    if lang not in catalogs.by_lang:
        print(settings_model.languages_without_catalog(clinic, catalogs.by_lang)[0].format())
        return 2

    folders = [f for f in settings["ARTICLE_PATHS"] + settings["PAGE_PATHS"] if f in KIND_BY_FOLDER] + [BLOCK_FOLDER]
    asked = re.sub(r"^content/", "", asked)
    asked = next((asked[: -len(s)] for s in MARKDOWN_SUFFIXES if asked.lower().endswith(s)), asked)
    where, _, slug = asked.rpartition("/")
    slug = slug.lower()
    if not SLUG.match(slug):
        print(f"SLUG: {slug!r} is not a page's name: give the English file's name without .md, e.g. bunions")
        return 2
    if where and where not in folders:
        print(f"SLUG: {where!r} is not a folder of pages: " + ", ".join(f"{f}/" for f in folders))
        return 2
    sources = english_sources(content, [where] if where else folders)
    matches = [(p, f) for p, f in sources if name_of(p, (), "")[0] == slug]
    if not matches:
        every = english_sources(content, folders) if where else sources
        hint = did_you_mean(slug, {name_of(p, (), "")[0] for p, _ in every}, "pages")
        looked = f"content/{where}/" if where else "any of " + ", ".join(f"content/{f}/" for f in folders)
        print(f"SLUG: there is no English page named {slug!r} in {looked}; {hint}")
        return 2
    if len(matches) > 1:
        shown_all = " and ".join(p.relative_to(content.parent).as_posix() for p, _ in matches)
        print(f"SLUG: {slug!r} is the name of {shown_all}: say which, e.g. "
              f"make new-translation SLUG={matches[0][1]}/{slug} LANG={lang}")
        return 2
    source, folder = matches[0]
    stem = source.name[: -len(source.suffix)]
    target = source.with_name(f"{stem}.{lang}{source.suffix}")
    existing = next((p for s in MARKDOWN_SUFFIXES if (p := source.with_name(f"{stem}.{lang}{s}")).exists()), None)
    if existing is not None:
        print(f"{existing.relative_to(content.parent).as_posix()}: already exists, so nothing was written "
              "(edit that file; `make review-report` says whether it is behind the English page)")
        return 1
    try:
        text = source.read_text(encoding="utf-8-sig")  # as the build reads it (checks/validate.decode)
    except UnicodeDecodeError:
        print(f"{source.relative_to(content.parent).as_posix()}: is not valid UTF-8, so nothing was written "
              "(run `make html` to see the line, fix it, then run this again)")
        return 1

    today = dates.today(clinic.today, settings.get("TIMEZONE"))
    dated = changed_date(frontmatter.parse(text))
    translated_from = dated or today
    kind = kind_of(folder)
    words = catalogs.of(lang).gettext
    written = scaffold(text, kind, words, translated_from)
    target.write_text(written, encoding="utf-8")
    shown_source = source.relative_to(content.parent).as_posix()
    print(f"Wrote {target.relative_to(content.parent).as_posix()} (Translated-from: {translated_from}, "
          + (f"the last review or change of {shown_source})" if dated else f"today, as {shown_source} has no date)"))

    # where the translation should link to, and the blocks it needs
    source_dir = source.parent.relative_to(content).as_posix()
    links = links_to_translated(written, source_dir, lang, files_under(content))
    count = len(re.findall(r"\{filename\}", written))
    if links:
        print(f"Links: the {{filename}} links still point to English pages; these have a {lang!r} translation, "
              f"so point each to its .{lang}.md file:")
        for line, old, new in links:
            print(f"    line {line}: {old} -> {new}")
    elif count:
        print(f"Links: {count} {{filename}} link(s) point to English pages with no {lang!r} translation yet; "
              f"when one is translated, point the link to its .{lang}.md file")
    for name in missing_block_translations(frontmatter.parse(text).body, content, lang):
        print(f"Blocks: content/{BLOCK_FOLDER}/{name}.md has no {lang!r} translation yet: "
              f"run `make new-translation SLUG={name} LANG={lang}` too")

    # the same check as the build's, on the new file: how much is left to translate
    shown = display_paths(content, RealPaths())
    languages = catalogs.gettexts(clinic.translation_languages)
    site = check_site(content, clinic.taxonomy_file, clinic.data_dir, settings["ARTICLE_PATHS"] + settings["PAGE_PATHS"],
                      shown, today=today, languages=languages)
    mine = problems_of(site, shown(target))
    errors = [p for p in mine if p.severity == "error"]
    places = sum(1 for line in written.split("\n") if FILL_IN in line)
    print(f"Next: translate the text below each '{TRANSLATE}' line and replace every '{FILL_IN}' "
          f"({places} place(s); {len(errors)} problem(s) in the new page now), have the translation checked, "
          "then run `make html` to check.")
    return 0


def problems_of(site, path: str) -> list:
    """Every problem the build's checks find in one file: its own, and the
    translation's against its English page (translations.check)."""
    found, _ = site.check_translations()
    return [p for p in site.problems + found if p.path == path]


if __name__ == "__main__":
    sys.exit(main())
