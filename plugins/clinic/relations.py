"""Relations typed once, read both ways, and the taxonomy index.

A procedure page says `Treats: bunions`. From that one line the bunion page
lists the procedure under its surgical options, the procedure page lists
bunions, and both appear on each other's term pages. Pure functions over
ArticleMeta; nothing here knows about Pelican.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .validate import ArticleMeta
from .vocabulary import Vocabulary


@dataclass
class Index:
    terms: dict[tuple[str, str], list[ArticleMeta]]  # (facet, term) -> articles, by title
    treated_by: dict[str, list[ArticleMeta]]  # condition slug -> procedure and treatment pages
    treats: dict[str, list[ArticleMeta]]  # procedure/treatment slug -> condition pages
    related: dict[str, list[ArticleMeta]]  # article path -> related articles
    by_kind_slug: dict[tuple[str, str], ArticleMeta] = field(default_factory=dict)


def effective_terms(metas: list[ArticleMeta], vocab: Vocabulary) -> dict[str, dict[str, list[str]]]:
    """Each article's terms including those implied by relations, by path."""
    out = {m.path: {f: list(s) for f, s in m.terms.items()} for m in metas}
    by_condition = {m.slug: m for m in metas if m.kind == "condition"}

    def add(path, facet, slug):
        lst = out[path].setdefault(facet, [])
        if slug not in lst:
            lst.append(slug)

    for m in metas:
        if m.kind not in ("procedure", "treatment"):
            continue
        term = vocab.term("procedure", m.slug)
        for c in m.treats:
            add(m.path, "condition", c)
            if c in by_condition:
                add(by_condition[c].path, "procedure", m.slug)
                if term and term.type:
                    add(by_condition[c].path, "treatment-type", term.type)
        if term and term.type:
            add(m.path, "treatment-type", term.type)
    return out


def build_index(metas: list[ArticleMeta], vocab: Vocabulary, related_limit: int = 5) -> Index:
    metas = [m for m in metas if m.status == "published" and m.kind != "page"]
    metas.sort(key=lambda m: m.title.lower())
    terms_of = effective_terms(metas, vocab)
    terms: dict[tuple[str, str], list[ArticleMeta]] = defaultdict(list)
    for m in metas:
        for facet, slugs in terms_of[m.path].items():
            for s in slugs:
                terms[(facet, s)].append(m)
    conditions = {m.slug: m for m in metas if m.kind == "condition"}
    treated_by: dict[str, list[ArticleMeta]] = defaultdict(list)
    treats: dict[str, list[ArticleMeta]] = defaultdict(list)
    for m in metas:
        if m.kind in ("procedure", "treatment"):
            for c in m.treats:
                if c in conditions:
                    treated_by[c].append(m)
                    treats[m.slug].append(conditions[c])
    related: dict[str, list[ArticleMeta]] = {}
    # Rank by shared terms; direct relations first. Facets differ in weight:
    # sharing a condition says more than sharing a body region.
    weights = {"condition": 3, "procedure": 3, "symptom": 1, "region": 1, "treatment-type": 0}
    by_path = {x.path: x for x in metas}
    for m in metas:
        score: dict[str, int] = defaultdict(int)
        for facet, slugs in terms_of[m.path].items():
            w = weights.get(facet, 1)
            for s in slugs:
                for other in terms[(facet, s)]:
                    if other.path != m.path:
                        score[other.path] += w
        ranked = sorted((p for p, sc in score.items() if sc > 0), key=lambda p: (-score[p], by_path[p].title.lower()))
        related[m.path] = [by_path[p] for p in ranked[:related_limit]]
    return Index(dict(terms), dict(treated_by), dict(treats), related,
                 {(m.kind, m.slug): m for m in metas})


@dataclass(frozen=True)
class AZEntry:
    label: str  # what the patient reads
    slug: str  # the condition it leads to
    is_synonym: bool
    condition_label: str

    @property
    def letter(self) -> str:
        first = self.label[:1].upper()
        return first if first.isalpha() else "#"


def a_to_z(vocab: Vocabulary, pages: set[str]) -> list[AZEntry]:
    """Every condition and every synonym, alphabetically; synonyms point to their condition.
    Only conditions with a page are listed."""
    entries = []
    for term in vocab.facets["condition"].terms.values():
        if term.slug not in pages:
            continue
        entries.append(AZEntry(term.label, term.slug, False, term.label))
        for syn in term.synonyms:
            if syn.lower() != term.label.lower():
                entries.append(AZEntry(syn, term.slug, True, term.label))
    entries.sort(key=lambda e: (e.label.lower(), e.is_synonym))
    return entries
