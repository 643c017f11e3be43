"""Structured data (schema.org JSON-LD), built from the same metadata as the page.

Built as Python dicts and serialised by `dumps`, never string-templated, so a
title with quotes or `</script>` cannot break out of the script block.
Every type and property used here must exist in schema.org; tests/test_jsonld.py
checks them against the vocabulary.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

CONTEXT = "https://schema.org"


def dumps(data) -> str:
    """JSON for a <script type="application/ld+json"> block: '<', '>' and '&'
    are escaped so no value can close the block or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


@dataclass
class PageFacts:
    url: str
    title: str
    summary: str
    kind: str
    date: dt.date | None
    modified: dt.date | None
    last_reviewed: dt.date | None
    reviewer: object | None  # clinicdata.Provider
    term: object | None  # vocabulary.Term this page describes
    facets: dict = field(default_factory=dict)  # facet slug -> [Term]
    treatments: list = field(default_factory=list)  # (name, url, kind)
    treats: list = field(default_factory=list)  # (name, url)
    breadcrumbs: list = field(default_factory=list)  # (name, url)
    how_performed: str = ""
    preparation: str = ""
    followup: str = ""
    sources: list = field(default_factory=list)  # validate.Source
    lang: str = "en"
    translation_of: str = ""  # a translation: the address of the page it translates
    translations: list = field(default_factory=list)  # the addresses of its translations


def clinic_id(siteurl: str) -> str:
    return f"{siteurl}/#clinic"


def person(provider) -> dict:
    return {"@type": "Person", "name": provider.name, "honorificSuffix": provider.credentials,
            "jobTitle": provider.role}


def address(loc) -> dict:
    return {"@type": "PostalAddress", "streetAddress": loc.street, "addressLocality": loc.city,
            "addressRegion": loc.region, "postalCode": loc.postcode, "addressCountry": loc.country}


def opening_hours(loc) -> list[dict]:
    return [{"@type": "OpeningHoursSpecification", "dayOfWeek": list(h.days), "opens": h.opens, "closes": h.closes}
            for h in loc.hours]


def clinic(data, siteurl: str) -> dict:
    """The clinic as a MedicalClinic, from the same data the header and footer show."""
    c = data.clinic
    main = data.main_location
    out = {
        "@context": CONTEXT, "@type": "MedicalClinic", "@id": clinic_id(siteurl),
        "name": c.get("name"), "url": f"{siteurl}/", "telephone": c.get("phone"),
        "medicalSpecialty": "https://schema.org/Podiatric",
    }
    if c.get("description"):
        out["description"] = c["description"]
    if c.get("email"):
        out["email"] = c["email"]
    if main:
        out["address"] = address(main)
        out["openingHoursSpecification"] = opening_hours(main)
    others = list(data.locations.values())[1:]
    if others:
        out["department"] = [{"@type": "MedicalClinic", "name": f"{c.get('name')}: {loc.name}",
                              "telephone": loc.phone, "address": address(loc),
                              "openingHoursSpecification": opening_hours(loc)} for loc in others]
    return out


def citation(source) -> dict:
    out = {"@type": "CreativeWork", "name": source.title, "url": source.url,
           "publisher": {"@type": "Organization", "name": source.publisher}}
    if source.year[:1].isdigit():
        out["datePublished"] = source.year
    return out


def _names(terms) -> list[str]:
    return [t.label for t in terms]


def main_entity(f: PageFacts) -> dict | None:
    term = f.term
    if f.kind == "condition":
        entity = {"@type": "MedicalCondition", "name": f.title, "url": f.url, "description": f.summary}
        if term and term.synonyms:
            entity["alternateName"] = list(term.synonyms)
        regions = f.facets.get("region", [])
        if regions:
            entity["associatedAnatomy"] = [{"@type": "AnatomicalStructure", "name": n} for n in _names(regions)]
        symptoms = f.facets.get("symptom", [])
        if symptoms:
            entity["signOrSymptom"] = [{"@type": "MedicalSymptom", "name": n} for n in _names(symptoms)]
        if f.treatments:
            entity["possibleTreatment"] = [
                {"@type": "TherapeuticProcedure" if kind == "procedure" else "MedicalTherapy", "name": name, "url": url}
                for name, url, kind in f.treatments]
        return entity
    if f.kind in ("procedure", "treatment"):
        surgical = f.kind == "procedure"
        entity = {"@type": "SurgicalProcedure" if surgical else "MedicalTherapy", "name": f.title, "url": f.url,
                  "description": f.summary}
        if term and term.synonyms:
            entity["alternateName"] = list(term.synonyms)
        regions = f.facets.get("region", [])
        if regions:
            entity["bodyLocation"] = ", ".join(_names(regions))
        entity["procedureType"] = ("https://schema.org/SurgicalProcedure" if surgical
                                   else "https://schema.org/NoninvasiveProcedure")
        for key, value in (("howPerformed", f.how_performed), ("preparation", f.preparation),
                           ("followup", f.followup)):
            if value:
                entity[key] = value
        if f.treats:
            entity["relevantSpecialty"] = "https://schema.org/Podiatric"
        return entity
    return None


def medical_page(f: PageFacts, data, siteurl: str) -> dict:
    page = {
        "@context": CONTEXT, "@type": "MedicalWebPage", "@id": f.url, "url": f.url, "name": f.title,
        "description": f.summary, "inLanguage": f.lang,
        "audience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "publisher": {"@id": clinic_id(siteurl)},
    }
    if f.date:
        page["datePublished"] = f.date.isoformat()
    if f.modified or f.date:
        page["dateModified"] = (f.modified or f.date).isoformat()
    if f.last_reviewed:
        page["lastReviewed"] = f.last_reviewed.isoformat()
    if f.reviewer:
        page["reviewedBy"] = person(f.reviewer)
    entity = main_entity(f)
    if entity:
        page["mainEntity"] = entity
        page["about"] = {"@type": entity["@type"], "name": entity["name"]}
    else:
        about = [t for key in ("condition", "procedure") for t in f.facets.get(key, [])]
        if about:
            page["about"] = [{"@type": "MedicalCondition" if t.facet == "condition" else "MedicalProcedure",
                              "name": t.label} for t in about]
        page["mainEntity"] = {"@type": "Article", "headline": f.title, "description": f.summary}
    if f.breadcrumbs:
        page["breadcrumb"] = {"@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": i + 1, "name": name, "item": url}
            for i, (name, url) in enumerate(f.breadcrumbs)]}
    if f.sources:
        page["citation"] = [citation(s) for s in f.sources]
    if f.translation_of:
        page["translationOfWork"] = {"@id": f.translation_of}
    if f.translations:
        page["workTranslation"] = [{"@id": url} for url in f.translations]
    return page
