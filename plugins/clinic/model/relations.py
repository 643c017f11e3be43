"""Relations typed once, read both ways, and the taxonomy index.

A procedure page says `Treats: bunions`. From that one line the bunion page
lists the procedure under its surgical options, the procedure page lists
bunions, and both appear on each other's term pages. Pure functions over
ArticleMeta; nothing here knows about Pelican.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from .article import ArticleMeta
from .vocabulary import Vocabulary


@dataclass
class Index:
    terms: dict[tuple[str, str], list[ArticleMeta]]  # (facet, term) -> articles, by title
    treated_by: dict[str, list[ArticleMeta]]  # condition slug -> procedure and treatment pages
    treats: dict[str, list[ArticleMeta]]  # procedure/treatment slug -> condition pages
    related: dict[str, list[ArticleMeta]]  # article path -> related articles
    by_kind_slug: dict[tuple[str, str], ArticleMeta] = field(default_factory=dict)
    terms_of: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # path -> facet -> term slugs


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


# Ranking related articles: sharing a condition says more than sharing a body
# region. A facet with weight 0 links nothing by itself.
RELATED_WEIGHTS = {"condition": 3, "procedure": 3, "symptom": 1, "region": 1, "treatment-type": 0}


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
    if _fast_path_applies(metas, terms_of, related_limit):
        related = _related_bitsets(metas, terms_of, terms, related_limit)
    else:
        related = _related_pairwise(metas, terms_of, terms, related_limit)
    return Index(dict(terms), dict(treated_by), dict(treats), related,
                 {(m.kind, m.slug): m for m in metas}, terms_of)


def _related_pairwise(metas, terms_of, terms, related_limit) -> dict[str, list[ArticleMeta]]:
    """Related articles, the plain way: score every article sharing a term with each
    article. Quadratic in the number of articles (a body region is shared by a fifth
    of the site); kept for the odd inputs the fast way does not take."""
    related: dict[str, list[ArticleMeta]] = {}
    by_path = {x.path: x for x in metas}
    for m in metas:
        score: dict[str, int] = defaultdict(int)
        for facet, slugs in terms_of[m.path].items():
            w = RELATED_WEIGHTS.get(facet, 1)
            for s in slugs:
                for other in terms[(facet, s)]:
                    if other.path != m.path:
                        score[other.path] += w
        ranked = sorted((p for p, sc in score.items() if sc > 0), key=lambda p: (-score[p], by_path[p].title.lower()))
        related[m.path] = [by_path[p] for p in ranked[:related_limit]]
    return related


def _fast_path_applies(metas, terms_of, related_limit) -> bool:
    """The bitset ranking gives exactly the pairwise result when paths are unique,
    no article lists a term twice, weights are not negative and the limit is a
    positive whole number."""
    if not isinstance(related_limit, int) or isinstance(related_limit, bool) or related_limit <= 0:
        return False
    if len({m.path for m in metas}) != len(metas):
        return False
    if any(w < 0 for w in RELATED_WEIGHTS.values()):
        return False
    return all(len(set(slugs)) == len(slugs) for t in terms_of.values() for slugs in t.values())


def _add_weighted(planes: list[int], mask: int, weight: int) -> None:
    """Add `weight` to the counter of every article in `mask`. The counters are
    bit-sliced: planes[j] holds bit j of every article's score."""
    bit = 0
    while weight:
        if weight & 1:
            carry, j = mask, bit
            while carry:
                if j == len(planes):
                    planes.append(0)
                plane = planes[j]
                planes[j] = plane ^ carry
                carry &= plane
                j += 1
        weight >>= 1
        bit += 1


def _related_bitsets(metas, terms_of, terms, related_limit) -> dict[str, list[ArticleMeta]]:
    """The same ranking as _related_pairwise, in time that grows with the number of
    articles times the number of terms, not with the number of pairs.

    Articles are numbered in title order; each term's articles are one integer used
    as a bitset. One article's scores against all others are a handful of big-integer
    operations (a bit-sliced weighted sum), and the top few are read off score level
    by score level, lowest number (title) first. The pairwise version breaks a tie of
    score and lower-case title by the order it met the articles: first by which of
    this article's terms it met them through, then by title order; the same key
    orders the candidates here."""
    n = len(metas)
    full = (1 << n) - 1
    index_of = {m.path: i for i, m in enumerate(metas)}
    titles = [m.title.lower() for m in metas]
    postings: dict[tuple[str, str], int] = {}
    for key, members in terms.items():
        bits = bytearray((n + 8) // 8)
        for other in members:
            i = index_of[other.path]
            bits[i >> 3] |= 1 << (i & 7)
        postings[key] = int.from_bytes(bits, "little")
    related: dict[str, list[ArticleMeta]] = {}
    for i, m in enumerate(metas):
        met = [postings[(facet, s)] for facet, slugs in terms_of[m.path].items() for s in slugs]
        planes: list[int] = []
        top = 0
        for facet, slugs in terms_of[m.path].items():
            w = RELATED_WEIGHTS.get(facet, 1)
            if w > 0:
                for s in slugs:
                    _add_weighted(planes, postings[(facet, s)], w)
                    top += w
        others = full & ~(1 << i)
        picked: list[tuple[int, int]] = []  # (score, article number)
        level = min(top, (1 << len(planes)) - 1)
        while level > 0 and len(picked) < related_limit:
            at_level = others
            for j, plane in enumerate(planes):
                at_level &= plane if (level >> j) & 1 else ~plane
            last_title = None
            while at_level:
                low = at_level & -at_level
                at_level ^= low
                k = low.bit_length() - 1
                if len(picked) >= related_limit and titles[k] != last_title:
                    break  # past the tie (same score, same title) at the cut
                picked.append((level, k))
                last_title = titles[k]
            level -= 1

        def first_met(k: int) -> int:
            bit = 1 << k
            return next(t for t, mask in enumerate(met) if mask & bit)

        picked.sort(key=lambda sk: (-sk[0], titles[sk[1]], first_met(sk[1]), sk[1]))
        related[m.path] = [metas[k] for _, k in picked[:related_limit]]
    return related


@dataclass(frozen=True)
class AZEntry:
    label: str  # what the patient reads
    key: tuple[str, str]  # the page it leads to: (kind, slug)
    is_synonym: bool
    target_label: str  # the page's own name

    @property
    def letter(self) -> str:
        # a name in another language is listed under its letter without the accent: Órtesis under O
        first = unicodedata.normalize("NFKD", self.label[:1])[:1].upper()
        return first if "A" <= first <= "Z" else "#"


def folded(name: str) -> str:
    """A name in lower case without its accents, as an A to Z orders it (órtesis beside ortesis)."""
    return "".join(c for c in unicodedata.normalize("NFKD", name.lower()) if not unicodedata.combining(c))


def same_name(name: str) -> str:
    """A name as the A to Z compares it: 'Hammer toes', 'hammertoe' and
    'Hammertoes' are one name (case, spaces, hyphens, apostrophes, a plural s)."""
    word = re.sub(r"[\s'\u2019-]+", "", name.lower())
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


def a_to_z(vocab: Vocabulary, pages: dict[tuple[str, str], str]) -> list[AZEntry]:
    """Every condition, procedure and treatment that has a page, and each of its
    other names that is not just its own name written differently, alphabetically.
    pages: (kind, slug) -> the term facet it belongs to, for the pages that exist."""
    entries, seen = [], set()
    for (kind, slug), facet in sorted(pages.items()):
        term = vocab.facets[facet].terms.get(slug) if facet in vocab.facets else None
        if term is None:
            continue
        entries.append(AZEntry(term.label, (kind, slug), False, term.label))
        names = {same_name(term.label)}
        for syn in term.synonyms:
            if same_name(syn) in names:
                continue
            names.add(same_name(syn))
            entries.append(AZEntry(syn, (kind, slug), True, term.label))
    entries.sort(key=lambda e: (folded(e.label), e.label.lower(), e.is_synonym, e.key))
    return entries


def letters_of(entries: list[AZEntry]) -> list[tuple[str, list[AZEntry]]]:
    """Every letter A to Z (with no entries, an empty list), then # for names that start otherwise."""
    by_letter: dict[str, list[AZEntry]] = {chr(c): [] for c in range(ord("A"), ord("Z") + 1)}
    for e in entries:
        by_letter.setdefault(e.letter, []).append(e)
    return list(by_letter.items()) if by_letter.get("#") else [(k, v) for k, v in by_letter.items() if k != "#"]
