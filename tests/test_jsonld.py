"""Structured data: each page type carries the JSON-LD issue 4 asks for, and
every type, property and enumeration value exists in schema.org.

The vocabulary comes from msgspec-schemaorg, which is generated from the
schema.org release files: one class per type, with its properties. Its
classes keep only one parent (MedicalClinic loses the Place properties it
has through LocalBusiness), so a property is checked to exist in schema.org,
not to belong to the type."""

from __future__ import annotations

import importlib
import json
import pkgutil
from functools import lru_cache

import msgspec_schemaorg.enums
from clinic.pages.filters import clock
import msgspec_schemaorg.models


@lru_cache(maxsize=1)
def vocabulary():
    types, members = {}, set()
    for package, into in ((msgspec_schemaorg.models, "types"), (msgspec_schemaorg.enums, "enums")):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.ispkg:
                continue
            name = info.name.rsplit(".", 1)[1]
            cls = getattr(importlib.import_module(info.name), name, None)
            if cls is None:
                continue
            if into == "types":
                types[name] = set(cls.__struct_encode_fields__)
            else:
                members.update(m.value for m in cls)
    return types, members, set().union(*types.values())


def schema_problems(node, where="$") -> list[str]:
    types, members, properties = vocabulary()
    out = []
    if isinstance(node, list):
        for i, item in enumerate(node):
            out += schema_problems(item, f"{where}[{i}]")
    elif isinstance(node, dict):
        kinds = node.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds] if kinds else []
        for kind in kinds:
            if kind not in types:
                out.append(f"{where}: @type {kind!r} is not a schema.org type")
        for key, value in node.items():
            if key.startswith("@"):
                continue
            if key not in properties:
                out.append(f"{where}: {key!r} is not a schema.org property")
            out += schema_problems(value, f"{where}.{key}")
    elif isinstance(node, str) and node.startswith("https://schema.org/"):
        term = node.rsplit("/", 1)[1]
        if term not in members and term not in types:  # an enumeration value may also be a class (SurgicalProcedure)
            out.append(f"{where}: {node!r} is not a schema.org term")
    return out


def blocks(site, rel):
    soup = site.soup(rel)
    return [json.loads(s.string) for s in soup.find_all("script", type="application/ld+json")]


def test_vocabulary_check_catches_mistakes():
    assert schema_problems({"@type": "MedicalCondition", "name": "x", "possibleTreatment": []}) == []
    assert schema_problems({"@type": "MedicalConditon"})
    assert schema_problems({"@type": "MedicalCondition", "treatments": []})
    assert schema_problems({"@type": "MedicalCondition", "nested": {"@type": "Person", "nmae": "x"}})
    assert schema_problems({"@type": "MedicalProcedure", "procedureType": "https://schema.org/Surgery"})
    assert not schema_problems({"@type": "MedicalProcedure", "procedureType": "https://schema.org/SurgicalProcedure"})


def test_every_page_uses_only_schema_org_terms(site):
    checked = 0
    for rel in site.html_files():
        for block in blocks(site, rel):
            assert block["@context"] == "https://schema.org"
            assert schema_problems(block) == [], rel
            checked += 1
    assert checked >= 20


def test_medical_pages_are_medical_web_pages(site):
    for rel in ("conditions/bunions/index.html", "procedures/ankle-arthroscopy/index.html",
                "treatments/custom-orthotics/index.html", "guides/recovery-after-foot-surgery/index.html"):
        [page] = blocks(site, rel)
        assert page["@type"] == "MedicalWebPage"
        for key in ("lastReviewed", "reviewedBy", "audience", "about", "mainEntity", "breadcrumb", "citation"):
            assert page.get(key), (rel, key)
        assert page["audience"]["audienceType"] == "Patient"
        assert page["reviewedBy"]["@type"] == "Person"
        crumbs = page["breadcrumb"]["itemListElement"]
        assert [c["position"] for c in crumbs] == list(range(1, len(crumbs) + 1))
        assert crumbs[-1]["item"] == page["url"] == f"https://clinic.test/{rel[:-len('index.html')]}"


def test_condition_page_describes_the_condition(site):
    [page] = blocks(site, "conditions/bunions/index.html")
    cond = page["mainEntity"]
    assert cond["@type"] == "MedicalCondition" and cond["name"] == "Bunions"
    assert "hallux valgus" in cond["alternateName"]
    assert {a["name"] for a in cond["associatedAnatomy"]} >= {"Toes", "Front of the foot"}
    assert cond["signOrSymptom"] and all(s["@type"] == "MedicalSymptom" for s in cond["signOrSymptom"])
    treatments = {t["url"]: t["@type"] for t in cond["possibleTreatment"]}
    assert treatments["https://clinic.test/procedures/bunionectomy/"] == "TherapeuticProcedure"
    assert treatments["https://clinic.test/treatments/custom-orthotics/"] == "MedicalTherapy"


def test_procedure_page_describes_the_procedure(site):
    [page] = blocks(site, "procedures/ankle-arthroscopy/index.html")
    proc = page["mainEntity"]
    assert proc["@type"] == "SurgicalProcedure"
    assert proc["procedureType"] == "https://schema.org/SurgicalProcedure"
    assert proc["bodyLocation"] == "Ankle"
    for key in ("howPerformed", "preparation", "followup"):
        assert len(proc[key]) > 40, key
    soup = site.soup("procedures/ankle-arthroscopy/index.html")
    during = next(s for s in soup.select("section.clinic-section") if s.h2.get_text() == "During surgery")
    assert " ".join(proc["howPerformed"].split()) == " ".join(during.p.get_text().split())


def test_clinic_is_a_medical_clinic_from_the_footer_data(site):
    [clinic] = blocks(site, "index.html")
    assert clinic["@type"] == "MedicalClinic"
    soup = site.soup("index.html")
    footer = soup.select_one("footer").get_text(" ", strip=True)
    assert clinic["address"]["streetAddress"] in footer
    assert clinic["telephone"].replace(" ", "").replace("-", "")[-10:] in \
        soup.select_one(".clinic-header__phone")["href"].replace("-", "")
    hours = clinic["openingHoursSpecification"][0]
    assert f"{clock(hours['opens'])} to {clock(hours['closes'])}" in footer
    assert [d["name"] for d in clinic["department"]]
    [contact] = blocks(site, "contact/index.html")
    assert contact == clinic
