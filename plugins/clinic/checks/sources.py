"""Every source file of the site checked, in one place: the build
(pages/generator.py), the reports (tools/reports.py) and the scaffold
(tools/new_article.py) all call check_sources()."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..model import clinicdata, yamlfile
from ..model.article import ArticleMeta
from ..model.paths import files_under
from ..model.problems import Problem
from ..model.rules import KIND_BY_FOLDER, KINDS, MARKDOWN_SUFFIXES
from ..model.vocabulary import Vocabulary, build as build_vocabulary
from . import validate


def load_site_data(content: Path, taxonomy_file: str, data_dir: str, shown: Callable[[Path], str]) \
        -> tuple[Vocabulary, clinicdata.ClinicData, list[Problem]]:
    """The taxonomy and the clinic's data files, with their problems."""
    problems: list[Problem] = []
    tax_path = content / taxonomy_file
    data, probs = yamlfile.load(tax_path, shown(tax_path))
    problems += probs
    vocab, probs = build_vocabulary(data, shown(tax_path))
    problems += probs if data is not None else []
    ddir = content / data_dir
    loaded = {}
    for name in ("clinic", "locations", "providers"):
        p = ddir / f"{name}.yaml"
        loaded[name], probs = yamlfile.load(p, shown(p))
        problems += probs
    clinic, probs = clinicdata.build_clinic(loaded["clinic"], shown(ddir / "clinic.yaml"))
    problems += probs
    locations, probs = clinicdata.build_locations(loaded["locations"], shown(ddir / "locations.yaml"))
    problems += probs
    providers, probs = clinicdata.build_providers(loaded["providers"], shown(ddir / "providers.yaml"),
                                                  vocab, locations)
    problems += probs
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
            if p.is_file() and p.suffix.lower() in MARKDOWN_SUFFIXES and not p.name.startswith("."):
                out.append((p, kind.name))
    return out


@dataclass
class Checked:
    """One source file that could be read: where it is, its text and its checked metadata."""

    path: Path
    text: str
    meta: ArticleMeta


def check_sources(content: Path, folders, vocab: Vocabulary, providers, shown: Callable[[Path], str],
                  remembered: validate.Remembered | None = None) -> tuple[list[Checked], list[Problem]]:
    """Decode and validate every source file (validate.py), with the {filename}
    link check against the files under content/. `remembered`: the dev server's
    answers from the last rebuild, so that only changed files are checked again."""
    content_files = files_under(content)
    if remembered is not None:
        remembered.begin(vocab, providers, content_files)
    checker = remembered or validate
    checked, problems = [], []
    for path, kind_name in source_files(content, folders):
        name = shown(path)
        text, probs = validate.decode(name, path.read_bytes())
        problems += probs
        if text is None:
            continue
        meta, probs = checker.validate_article(name, text, KINDS[kind_name], path.stem.lower(), vocab, providers,
                                               content_files, path.parent.relative_to(content).as_posix())
        problems += probs
        checked.append(Checked(path, text, meta))
    return checked, problems
