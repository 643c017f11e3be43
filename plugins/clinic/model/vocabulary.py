"""The controlled vocabulary (content/taxonomy.yaml): facets and their terms."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from .problems import Problem, closest, did_you_mean
from .rules import FILL_IN, words_of_a_language

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FACET_KEYS = {"label", "plural", "key", "description", "terms"}
TERM_KEYS = {"slug", "label", "description", "synonyms", "type"}
# Under a language's code (es:), the same words in that language: what the pages in it show.
FACET_WORDS = ("label", "plural", "description")
TERM_WORDS = ("label", "description", "synonyms")


@dataclass
class Term:
    facet: str
    slug: str
    label: str
    description: str
    synonyms: list[str] = field(default_factory=list)
    type: str | None = None  # procedure facet: a treatment-type slug
    words: dict[str, dict] = field(default_factory=dict, repr=False)  # language -> its label, description, synonyms

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
    words: dict[str, dict] = field(default_factory=dict, repr=False)  # language -> its label, plural, description


@dataclass
class Vocabulary:
    facets: dict[str, Facet]

    def term(self, facet: str, slug: str) -> Term | None:
        f = self.facets.get(facet)
        return f.terms.get(slug) if f else None

    def in_language(self, lang: str) -> "Vocabulary":
        """The same facets and terms with the words of another language (its
        es: blocks), for the pages in that language."""
        def term(t: Term) -> Term:
            w = t.words[lang]
            return dataclasses.replace(t, label=w["label"], description=w["description"],
                                       synonyms=list(w.get("synonyms", [])))
        return Vocabulary({slug: dataclasses.replace(
            f, label=f.words.get(lang, {}).get("label", f.label), plural=f.words.get(lang, {}).get("plural", f.plural),
            description=f.words.get(lang, {}).get("description", f.description),
            terms={s: term(t) for s, t in f.terms.items() if {"label", "description"} <= set(t.words.get(lang, {}))})
            for slug, f in self.facets.items()})

    def untranslated(self, lang: str) -> list[Term]:
        """The terms without words in this language: left out of its pages."""
        return [t for f in self.facets.values() for t in f.terms.values()
                if not {"label", "description"} <= set(t.words.get(lang, {}))]


REQUIRED_FACETS = ("region", "condition", "procedure", "symptom", "treatment-type")


def words_in(data: dict, lang: str, wanted: tuple[str, ...], path: str, where: str, what: str,
             missing: str | None = "error") -> tuple[dict, list[Problem]]:
    """The words of one language under `lang:` in a facet or term (or a clinic
    data entry): each wanted field but synonyms must be there. missing: the
    severity of having no `lang:` at all (None: allowed)."""
    block = data.get(lang)
    if block is None and missing is None:
        return {}, []
    if not isinstance(block, dict):
        needed = ", ".join(w for w in wanted if w != "synonyms")
        shown = "; until then its pages in that language show the English" if missing == "warning" else ""
        return {}, [Problem(path, None, f"{where}.{lang}" if block is not None else where,
                            f"{what} has no words in {lang!r}{shown}" if block is None else f"{lang}: is not a mapping",
                            f"add '{lang}:' with {needed} in that language (its pages show them)",
                            missing if block is None else "error")]
    problems, out = [], {}
    misspelt = set()
    for k in block:
        if k not in wanted:
            problems.append(Problem(path, None, f"{where}.{lang}.{k}", "is not a field of a translation",
                                    did_you_mean(str(k), wanted, "fields")))
            misspelt.update(closest(str(k), wanted, n=1))
    for k in wanted:
        value = block.get(k)
        if k in misspelt and value is None:
            continue  # the misspelt key's line says what to write
        if k == "synonyms":
            if value is not None and not isinstance(value, list):
                problems.append(Problem(path, None, f"{where}.{lang}.{k}", "must be a list",
                                        "write it as [first name, second name]"))
            elif value is not None:
                out[k] = [str(v) for v in value]
        elif FILL_IN in str(value or ""):
            problems.append(Problem(path, None, f"{where}.{lang}.{k}", f"{what} is not filled in yet",
                                    f"replace the {FILL_IN} text"))
        elif not str(value or "").strip():
            problems.append(Problem(path, None, f"{where}.{lang}.{k}", f"{what} has no {k} in {lang!r}", "add it"))
        else:
            out[k] = str(value)
    return out, problems


def build(data, path: str, languages=()) -> tuple[Vocabulary, list[Problem]]:
    """Check the parsed YAML and build the vocabulary; problems for every mistake.
    languages: the site's translation languages; every facet and term needs its words in each."""
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
        facet_words = {}
        for lang in languages:
            facet_words[lang], probs = words_in(fdata, lang, FACET_WORDS, path, where, f"facet {fslug!r}")
            problems += probs
        for k, v in fdata.items():
            if k not in FACET_KEYS and k not in languages and not words_of_a_language(k, v):
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
            for k, v in tdata.items():
                if k not in TERM_KEYS and k not in languages and not words_of_a_language(k, v):
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
            term_words = {}
            for lang in languages:
                # a term without them is left out of that language's pages (a new English term
                # must not stop the build); `make review-report` lists it
                term_words[lang], probs = words_in(tdata, lang, TERM_WORDS, path, twhere, f"term {slug!r}", None)
                problems += probs
            terms[slug] = Term(fslug, slug, str(tdata.get("label") or slug), str(tdata.get("description") or ""),
                               [str(s) for s in synonyms], tdata.get("type"), term_words)
        facets[fslug] = Facet(fslug, str(fdata.get("label") or fslug), str(fdata.get("plural") or fslug),
                              str(fdata.get("key") or fslug), str(fdata.get("description") or ""), terms,
                              facet_words)
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
