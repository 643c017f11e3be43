"""The controlled vocabulary (content/taxonomy.yaml): facets and their terms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .problems import Problem, did_you_mean
from .rules import FILL_IN

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FACET_KEYS = {"label", "plural", "key", "description", "terms"}
TERM_KEYS = {"slug", "label", "description", "synonyms", "type"}


@dataclass
class Term:
    facet: str
    slug: str
    label: str
    description: str
    synonyms: list[str] = field(default_factory=list)
    type: str | None = None  # procedure facet: a treatment-type slug

    def __hash__(self):
        return hash((self.facet, self.slug))

    def __eq__(self, other):
        return isinstance(other, Term) and (self.facet, self.slug) == (other.facet, other.slug)


@dataclass
class Facet:
    slug: str
    label: str
    plural: str
    key: str  # the article metadata key that names terms of this facet
    description: str
    terms: dict[str, Term]


@dataclass
class Vocabulary:
    facets: dict[str, Facet]

    def term(self, facet: str, slug: str) -> Term | None:
        f = self.facets.get(facet)
        return f.terms.get(slug) if f else None


REQUIRED_FACETS = ("region", "condition", "procedure", "symptom", "treatment-type")


def build(data, path: str) -> tuple[Vocabulary, list[Problem]]:
    """Check the parsed YAML and build the vocabulary; problems for every mistake."""
    problems: list[Problem] = []
    facets: dict[str, Facet] = {}
    placed: dict[tuple[str, str], str] = {}  # (facet, term) -> where the term is in the file
    if not isinstance(data, dict) or not isinstance(data.get("facets"), dict):
        return Vocabulary({}), [Problem(path, None, "facets", "is missing",
                                        "the file must start with 'facets:' followed by the facets")]
    for fslug, fdata in data["facets"].items():
        where = f"facets.{fslug}"
        if not isinstance(fdata, dict):
            problems.append(Problem(path, None, where, "is not a mapping", "give it label, plural, key, description and terms"))
            continue
        for k in fdata:
            if k not in FACET_KEYS:
                problems.append(Problem(path, None, f"{where}.{k}", "is not a known facet field",
                                        did_you_mean(k, FACET_KEYS, "fields")))
        for k in ("label", "plural", "key", "description"):
            if not str(fdata.get(k) or "").strip():
                problems.append(Problem(path, None, f"{where}.{k}", "is missing or empty", "add it"))
        terms: dict[str, Term] = {}
        for i, tdata in enumerate(fdata.get("terms") or []):
            twhere = f"{where}.terms[{i}]"
            if not isinstance(tdata, dict):
                problems.append(Problem(path, None, twhere, "is not a mapping", "give it slug, label and description"))
                continue
            for k in tdata:
                if k not in TERM_KEYS:
                    problems.append(Problem(path, None, f"{twhere}.{k}", "is not a known term field",
                                            did_you_mean(k, TERM_KEYS, "fields")))
            slug = str(tdata.get("slug") or "")
            if not SLUG.match(slug):
                problems.append(Problem(path, None, f"{twhere}.slug", f"{slug!r} is not a valid slug",
                                        "use lowercase letters, digits and single hyphens, e.g. 'plantar-fasciitis'"))
                continue
            if slug in terms:
                problems.append(Problem(path, None, f"{twhere}.slug", f"{slug!r} is used twice in facet {fslug!r}",
                                        "give each term its own slug"))
            for k in ("label", "description"):
                if FILL_IN in str(tdata.get(k) or ""):
                    problems.append(Problem(path, None, f"{twhere}.{k}", f"term {slug!r} is not filled in yet",
                                            f"replace the {FILL_IN} text"))
                elif not str(tdata.get(k) or "").strip():
                    problems.append(Problem(path, None, f"{twhere}.{k}", f"term {slug!r} has no {k}", "add it"))
            synonyms = tdata.get("synonyms") or []
            if not isinstance(synonyms, list):
                problems.append(Problem(path, None, f"{twhere}.synonyms", "must be a list",
                                        "write it as [first name, second name]"))
                synonyms = []
            placed.setdefault((fslug, slug), twhere)
            terms[slug] = Term(fslug, slug, str(tdata.get("label") or slug), str(tdata.get("description") or ""),
                               [str(s) for s in synonyms], tdata.get("type"))
        facets[fslug] = Facet(fslug, str(fdata.get("label") or fslug), str(fdata.get("plural") or fslug),
                              str(fdata.get("key") or fslug), str(fdata.get("description") or ""), terms)
    for required in REQUIRED_FACETS:
        if required not in facets:
            problems.append(Problem(path, None, f"facets.{required}", "is missing", "the site needs this facet"))
    types = facets.get("treatment-type")
    for term in (facets["procedure"].terms.values() if "procedure" in facets else []):
        if types and term.type not in types.terms:
            problems.append(Problem(path, None, f"{placed[('procedure', term.slug)]}.type",
                                    f"{term.type!r} is not a treatment type",
                                    did_you_mean(str(term.type), types.terms, "treatment types")))
    return Vocabulary(facets), problems
