"""Every source file of the site checked, in one place (the shared blocks
first, since pages include them): the build
(pages/generator.py), the reports (tools/reports.py) and the scaffold
(tools/new_article.py) all call check_sources()."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..model import clinicdata, frontmatter, yamlfile
from ..model.article import ArticleMeta
from ..model.blocks import LINE as BLOCK_LINE, Block
from ..model.paths import files_under
from ..model.problems import STOPS_WRITING, Problem
from ..model.rules import BLOCK_FOLDER, BLOCK_KIND, KIND_BY_FOLDER, KINDS, MARKDOWN_SUFFIXES, TRANSLATION_NAME
from ..model.vocabulary import Vocabulary, build as build_vocabulary
from . import translations, validate


def load_site_data(content: Path, taxonomy_file: str, data_dir: str, shown: Callable[[Path], str],
                   languages=()) -> tuple[Vocabulary, clinicdata.ClinicData, list[Problem]]:
    """The taxonomy and the clinic's data files, with their problems; each
    needs its words in every translation language."""
    problems: list[Problem] = []
    tax_path = content / taxonomy_file
    data, probs = yamlfile.load(tax_path, shown(tax_path))
    problems += probs
    vocab, probs = build_vocabulary(data, shown(tax_path), tuple(languages))
    problems += yamlfile.with_lines(probs, tax_path, shown(tax_path)) if data is not None else []
    ddir = content / data_dir
    loaded = {}
    for name in ("clinic", "locations", "providers"):
        p = ddir / f"{name}.yaml"
        loaded[name], probs = yamlfile.load(p, shown(p))
        problems += probs
    clinic, probs = clinicdata.build_clinic(loaded["clinic"], shown(ddir / "clinic.yaml"), tuple(languages))
    problems += yamlfile.with_lines(probs, ddir / "clinic.yaml", shown(ddir / "clinic.yaml"))
    locations, probs = clinicdata.build_locations(loaded["locations"], shown(ddir / "locations.yaml"),
                                                  tuple(languages))
    problems += yamlfile.with_lines(probs, ddir / "locations.yaml", shown(ddir / "locations.yaml"))
    providers, probs = clinicdata.build_providers(loaded["providers"], shown(ddir / "providers.yaml"),
                                                  vocab, locations, tuple(languages))
    problems += yamlfile.with_lines(probs, ddir / "providers.yaml", shown(ddir / "providers.yaml"))
    probs = clinicdata.image_files(loaded["clinic"], loaded["providers"], files_under(content / "images"),
                                   shown(ddir / "clinic.yaml"), shown(ddir / "providers.yaml"))
    for name in ("clinic", "providers"):
        problems += yamlfile.with_lines([p for p in probs if p.path == shown(ddir / f"{name}.yaml")],
                                        ddir / f"{name}.yaml", shown(ddir / f"{name}.yaml"))
    return vocab, clinicdata.ClinicData(clinic, locations, providers), problems


def source_files(content: Path, folders) -> list[tuple[Path, str]]:
    """Every Markdown file under the article and page folders, with its kind."""
    out = []
    for folder in folders:
        kind = KIND_BY_FOLDER.get(folder)
        root = content / folder
        if kind is None or not root.is_dir():
            continue
        for p in sorted(root.rglob("*")):
            if p.is_file() and p.suffix in MARKDOWN_SUFFIXES and not p.name.startswith("."):
                out.append((p, kind.name))
    return out


def misnamed(path: Path, by_pelican: bool = True) -> tuple[str, str] | None:
    """A file that is meant as a page but will not be read because of how its
    name ends: .MD, when Pelican reads it (its endings are lowercase only; the
    shared blocks are read here, in any case), or .md.txt (an editor that saves
    as plain text adds .txt). (what is wrong, the new name)."""
    if path.name.startswith("."):
        return None
    if by_pelican and path.suffix.lower() in MARKDOWN_SUFFIXES and path.suffix not in MARKDOWN_SUFFIXES:
        return f"ends in {path.suffix!r}, which Pelican does not read (it reads lowercase endings only)", \
            path.stem + path.suffix.lower()
    inner = Path(path.stem).suffix
    if path.suffix.lower() == ".txt" and inner.lower() in MARKDOWN_SUFFIXES:
        return f"ends in '{inner}{path.suffix}', so it is not read as a page (an editor saved it as plain text)", \
            Path(path.stem).stem + inner.lower()
    return None


def misnamed_sources(content: Path, folders, shown: Callable[[Path], str]) -> list[Problem]:
    """Each page or shared block whose name keeps it from being read (misnamed()):
    it would be missing from the site with no other word about it."""
    problems = []
    for folder in [f for f in folders if f in KIND_BY_FOLDER] + [BLOCK_FOLDER]:
        root = content / folder
        if not root.is_dir():
            continue
        for rel in sorted(files_under(root)):  # names only: os.walk, no stat of every file (30 ms at 1,000 pages)
            found = misnamed(Path(rel), by_pelican=folder != BLOCK_FOLDER)
            if found:
                problems.append(Problem(shown(root / rel), None, "file name", found[0], f"rename it to {found[1]}"))
    return problems


# A language's gettext function: the words of its catalog (pages/i18n.py Catalogs).
Words = Callable[[str], str]


def name_of(path: Path, languages, shown: str) -> tuple[str, str, list[Problem]]:
    """A source file's slug and language from its name: bunions.md is the page,
    bunions.es.md its Spanish translation. `languages`: the translation
    languages of the site."""
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    found = TRANSLATION_NAME.fullmatch(stem)
    if found is None:
        return stem.lower(), "", [Problem(shown, None, "file name", f"{path.name!r} makes a poor web address",
                                          "name a page like heel-pain.md, and its translation like heel-pain.es.md")]
    slug, lang = found.group("slug").lower(), found.group("lang") or ""
    if lang and lang not in languages:
        listed = ", ".join(repr(x) for x in languages) or "none"
        return slug, lang, [Problem(shown, None, "file name", f"{lang!r} is not a language of this site "
                                    f"(CLINIC_TRANSLATION_LANGUAGES: {listed})",
                                    f"add {lang!r} to CLINIC_TRANSLATION_LANGUAGES in pelicanconf.py, with its catalog "
                                    "(make translations), or rename the file")]
    return slug, lang, []


@dataclass
class Checked:
    """One source file: where it is, its text and its checked metadata (None
    for both when it could not be read: its problem says why)."""

    path: Path
    text: str | None
    meta: ArticleMeta | None
    kind: str = ""
    lang: str = ""  # a translation's language

    @property
    def read(self) -> bool:
        return self.meta is not None


def load_blocks(content: Path, vocab: Vocabulary, providers, shown: Callable[[Path], str],
                today: dt.date | None = None, languages: dict[str, Words] | None = None) \
        -> tuple[dict[str, Block], list[Problem]]:
    """The shared blocks in content/blocks/, each checked like a page of its own
    kind (rules.BLOCK_KIND: a title, a reviewer and review dates). A block's
    translation (name.es.md) is kept under "name.es"."""
    blocks, problems = {}, []
    folder = content / BLOCK_FOLDER
    if not folder.is_dir():
        return blocks, problems
    languages = languages or {}
    for path in sorted(folder.iterdir()):
        if not (path.is_file() and path.suffix.lower() in MARKDOWN_SUFFIXES and not path.name.startswith(".")):
            continue
        name = shown(path)
        slug, lang, probs = name_of(path, languages, name)
        problems += probs
        if probs:
            continue
        text, probs = validate.decode(name, path.read_bytes())
        problems += probs
        if text is None:
            continue
        kind = BLOCK_KIND.translated(languages[lang]) if lang else BLOCK_KIND
        meta, probs = validate.validate_article(name, text, kind, slug, vocab, providers, today=today, lang=lang)
        problems += probs
        body = frontmatter.parse(text).body
        tiers = tuple(m.group("tier") for line in body.split("\n") if (m := validate.CALLOUT.match(line)))
        key = f"{slug}.{lang}" if lang else slug
        blocks[key] = Block(key, meta, body, tiers)
    return blocks, problems


def blocks_in(blocks: dict[str, Block], lang: str = "") -> dict[str, Block]:
    """The blocks a page in this language includes, by name ("" = the site's language)."""
    if not lang:
        return {k: b for k, b in blocks.items() if not b.meta.lang}
    return {k.removesuffix(f".{lang}"): b for k, b in blocks.items() if b.meta.lang == lang}


def check_sources(content: Path, folders, vocab: Vocabulary, providers, shown: Callable[[Path], str],
                  remembered: validate.Remembered | None = None, blocks: dict[str, Block] | None = None,
                  today: dt.date | None = None, languages: dict[str, Words] | None = None) \
        -> tuple[list[Checked], list[Problem]]:
    """Decode and validate every source file (validate.py), with the {filename}
    link check against the files under content/ and the blocks it includes.
    `remembered`: the dev server's answers from the last rebuild, so that only
    changed files are checked again."""
    content_files = files_under(content)
    languages = languages or {}
    tiers = {lang: {name: block.tiers for name, block in blocks_in(blocks or {}, lang).items()}
             for lang in ("", *languages)}
    if remembered is not None:
        remembered.begin(vocab, providers, content_files, tiers[""], today)
    checker = remembered or validate
    kinds = {(lang, name): kind.translated(languages[lang]) if lang else kind
             for lang in ("", *languages) for name, kind in KINDS.items()}
    checked, problems = [], []
    for path, kind_name in source_files(content, folders):
        name = shown(path)
        slug, lang, probs = name_of(path, languages, name)
        problems += probs
        if probs:
            continue
        text, probs = validate.decode(name, path.read_bytes())
        problems += probs
        if text is None:
            checked.append(Checked(path, None, None, kind_name, lang))
            continue
        meta, probs = checker.validate_article(name, text, kinds[lang, kind_name], slug, vocab, providers,
                                               content_files, path.parent.relative_to(content).as_posix(),
                                               tiers[lang], today, lang)
        problems += probs
        checked.append(Checked(path, text, meta, kind_name, lang))
    return checked, problems


@dataclass
class SiteCheck:
    """Everything the checks found in content/, for the build, the reports and the scaffold."""

    vocab: Vocabulary
    data: clinicdata.ClinicData
    blocks: dict[str, Block]
    checked: list[Checked]  # the files that could be read, in the site's language
    problems: list[Problem]
    unread: set[tuple[str, str]]  # (kind, slug) of the files that could not be (validate_site)
    stop: bool = False  # a data file could not be read: every other check would be against nothing
    translations: list[Checked] = field(default_factory=list)  # the translations that could be read

    def check_translations(self, stale_mode: str = "warn", found=()) -> tuple[list[Problem], list]:
        """Each translation, of a page or a shared block, against what it translates
        (checks/translations.py): the build, the review report and the scaffold ask the same."""
        blocks = list(self.blocks.values())
        return translations.check([c.meta for c in self.checked] + [b.meta for b in blocks if not b.meta.lang],
                                  [c.meta for c in self.translations] + [b.meta for b in blocks if b.meta.lang],
                                  stale_mode, frozenset(self.unread), found)


def check_site(content: Path, taxonomy_file: str, data_dir: str, folders, shown: Callable[[Path], str],
               remembered: validate.Remembered | None = None, today: dt.date | None = None,
               languages: dict[str, Words] | None = None) -> SiteCheck:
    """The taxonomy, the clinic's data, the shared blocks and every source file,
    checked, with every problem (the checks across pages aside: validate_site)."""
    outside = links_outside(content, shown)
    if outside:  # Pelican would read or copy what they point to: nothing is checked or written
        return SiteCheck(Vocabulary({}), clinicdata.ClinicData({}, {}, {}), {}, [], outside, set(), stop=True)
    vocab, data, problems = load_site_data(content, taxonomy_file, data_dir, shown, tuple(languages or ()))
    problems += misnamed_sources(content, folders, shown)
    unreadable = [p for p in problems if p.field in ("yaml", "file") and p.path.endswith((".yaml", ".yml"))]
    if unreadable:  # the taxonomy or the clinic's data: its own line, not one more per page that uses it
        return SiteCheck(vocab, data, {}, [], unreadable, set(), stop=True)
    blocks, found = load_blocks(content, vocab, data.providers, shown, today, languages)
    problems += found
    checked, found = check_sources(content, folders, vocab, data.providers, shown, remembered, blocks, today,
                                   languages)
    unread = {(c.kind, c.path.stem.lower()) for c in checked if not c.read and not c.lang}
    read = [c for c in checked if c.read]
    return SiteCheck(vocab, data, blocks, [c for c in read if not c.lang], problems + found, unread,
                     translations=[c for c in read if c.lang])


def links_outside(content: Path, shown: Callable[[Path], str]) -> list[Problem]:
    """A symbolic link in content/ to a file or folder outside the project (the
    folder that holds content/): the build would publish whatever it points to."""
    project = content.resolve().parent
    problems = []
    for folder, dirs, files in os.walk(content):
        for name in sorted(dirs + files):
            path = Path(folder, name)
            if path.is_symlink():
                target = path.resolve()
                if target != project and project not in target.parents:
                    problems.append(Problem(f"{shown(content)}/{path.relative_to(content).as_posix()}", None, "file",
                                            f"is a link to {target}, outside the project, {STOPS_WRITING[2]}",
                                            "copy the file into content/ instead of linking to it"))
    return problems


def with_blocks_inline(text: str, blocks: dict[str, Block]) -> str:
    """A page's source with each '{block}name' line replaced by the block's text
    on that one line: what the reading-level check matches sentences against,
    so a sentence from a block is found at the line that includes it."""
    def line(text_line: str) -> str:
        found = BLOCK_LINE.match(text_line)
        block = blocks.get(found.group("name")) if found else None
        return " ".join(part.strip() for part in block.text.split("\n")) if block else text_line
    return "\n".join(line(x) for x in text.split("\n")) if "{block}" in text else text
