"""The clinic's own details: content/clinic/{clinic,locations,providers}.yaml.

Header, footer, contact and appointment pages, review stamps and structured
data all read from these three files, so the clinic is described in one place.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from .problems import Problem, closest, did_you_mean
from .rules import WEB_ADDRESS, words_of_a_language
from .vocabulary import SLUG, Vocabulary, words_in

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# What a page links to with tel: and tells a patient to call in an emergency: a
# letter typed for a digit ('9ll') would reach patients as the number to dial.
EMERGENCY = re.compile(r"^\d{2,6}$")
DIALABLE = re.compile(r"^\+?[\d ().-]+$")
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
CLINIC_FIELDS = {"sample", "name", "short_name", "description", "phone", "phone_display", "email",
                 "booking_note", "emergency_number", "logo"}
CLINIC_REQUIRED = ("name", "phone", "phone_display", "emergency_number")
LOCATION_FIELDS = {"slug", "name", "street", "city", "region", "postcode", "country", "phone",
                   "phone_display", "map_url", "hours", "access"}
LOCATION_REQUIRED = ("slug", "name", "street", "city", "postcode", "country", "phone", "phone_display", "hours")
PROVIDER_FIELDS = {"slug", "name", "credentials", "role", "bio", "photo", "specialties", "locations"}
PROVIDER_REQUIRED = ("slug", "name", "credentials", "role")
# The words each entry has in another language, under its code (es:). Opening
# hours are not here: they are written from the days and times in each language.
CLINIC_WORDS = ("description", "booking_note")
LOCATION_WORDS = ("name", "access")
PROVIDER_WORDS = ("role", "bio")


def _words(data: dict, languages, wanted, path: str, where: str, what: str) -> tuple[dict, list[Problem]]:
    """The entry's words in each translation language (only those it has in English are required)."""
    out, problems = {}, []
    wanted = tuple(w for w in wanted if str(data.get(w) or "").strip())
    for lang in languages:
        out[lang], probs = words_in(data, lang, wanted, path, where, what, "warning")
        problems += probs
    return out, problems


@dataclass
class Hours:
    days: list[str]
    opens: str
    closes: str

    @property
    def days_run(self) -> tuple[str, str] | None:
        """The first and last day, when the days are three or more in a row."""
        idx = [DAYS.index(d) for d in self.days]
        if len(idx) > 2 and idx == list(range(idx[0], idx[-1] + 1)):
            return self.days[0], self.days[-1]
        return None

    @property
    def days_label(self) -> str:
        run = self.days_run
        return f"{run[0]} to {run[1]}" if run else ", ".join(self.days)


@dataclass
class Location:
    slug: str
    name: str
    street: str
    city: str
    region: str
    postcode: str
    country: str
    phone: str
    phone_display: str
    map_url: str = ""
    access: str = ""
    hours: list[Hours] = field(default_factory=list)
    words: dict[str, dict] = field(default_factory=dict, repr=False)  # language -> its name, access


@dataclass
class Provider:
    slug: str
    name: str
    credentials: str
    role: str
    bio: str = ""
    photo: str = ""
    specialties: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    words: dict[str, dict] = field(default_factory=dict, repr=False)  # language -> its role, bio

    @property
    def display_name(self) -> str:
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


@dataclass
class ClinicData:
    clinic: dict
    locations: dict[str, Location]
    providers: dict[str, Provider]

    @property
    def main_location(self) -> Location | None:
        return next(iter(self.locations.values()), None)

    def in_language(self, lang: str) -> "ClinicData":
        """The same clinic with the words of another language (the es: blocks)."""
        clinic = {**self.clinic, **self.clinic.get("words", {}).get(lang, {})}
        return ClinicData(
            clinic,
            {k: dataclasses.replace(v, **v.words.get(lang, {})) for k, v in self.locations.items()},
            {k: dataclasses.replace(v, **v.words.get(lang, {})) for k, v in self.providers.items()})


def _unknown(data: dict, known: set, path: str, where: str) -> list[Problem]:
    return [Problem(path, None, f"{where}{k}", "is not a known field", did_you_mean(str(k), known, "fields"))
            for k, v in data.items() if k not in known and not words_of_a_language(k, v)]


def _missing(data: dict, required, path: str, where: str) -> list[Problem]:
    return [Problem(path, None, f"{where}{k}", "is missing or empty", "add it")
            for k in required if not str(data.get(k) or "").strip() and not _unquoted_number(data.get(k))]


def _unquoted_number(value) -> bool:
    """A value YAML read as a number: 000 unquoted is 0 (not missing, and its zeros are lost)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _dialable(data: dict, path: str, where: str, keys=("phone",)) -> list[Problem]:
    """Each number patients dial, as digits they can dial (a missing one is _missing's line)."""
    problems = []
    for key in keys:
        raw = data.get(key)
        value = str(raw).strip() if _unquoted_number(raw) else str(raw or "").strip()
        if not value:
            continue
        if key == "emergency_number" and not EMERGENCY.match(value):
            said = f"{value!r} is not a number to dial" + (
                f" (YAML read {raw} without quotes, so any zeros in front are lost)" if _unquoted_number(raw) else "")
            problems.append(Problem(path, None, f"{where}{key}", said,
                                    'write only the digits patients dial in an emergency, in quotes, e.g. "911"'))
        elif key != "emergency_number" and (not DIALABLE.match(value) or sum(c.isdigit() for c in value) < 5):
            problems.append(Problem(path, None, f"{where}{key}", f"{value!r} is not a number to dial",
                                    'write digits, with spaces, +, - or brackets if you like, in quotes, '
                                    'e.g. "+1 555-010-0100" (phone_display is the text shown)'))
    return problems


def image_files(clinic_data, providers_data, images: set[str], clinic_path: str, providers_path: str) -> list[Problem]:
    """The clinic's logo (named from content/, as images/logo.svg) and each
    provider's photo (named from content/images/, as avery.jpg) are files in
    content/images/. images: the files there, relative to it, with '/'.
    Missing, each was only a built page's link to no file, blamed on a template."""
    problems = []
    logo = str(clinic_data.get("logo") or "").strip().lstrip("/") if isinstance(clinic_data, dict) else ""
    if logo and not (logo.startswith("images/") and logo.removeprefix("images/") in images):
        near = closest(logo.removeprefix("images/"), images, 1)
        hint = (f"write 'images/{logo}': the logo is named from content/" if logo in images else
                f"did you mean 'images/{near[0]}'?" if near else "add the logo to content/images/, or fix its name")
        problems.append(Problem(clinic_path, None, "logo", f"{logo!r} is not a file in content/images/", hint))
    items = providers_data.get("providers") if isinstance(providers_data, dict) else None
    for i, provider in enumerate(items if isinstance(items, list) else []):
        photo = str(provider.get("photo") or "").strip().lstrip("/") if isinstance(provider, dict) else ""
        if photo and photo not in images:
            bare = photo.removeprefix("images/")
            near = closest(bare, images, 1)
            hint = (f"write '{bare}': a photo is named from content/images/" if bare in images else
                    f"did you mean {near[0]!r}?" if near else "add the photo to content/images/, or fix its name")
            problems.append(Problem(providers_path, None, f"providers[{i}].photo",
                                    f"{photo!r} is not a file in content/images/", hint))
    return problems


def build_clinic(data, path: str, languages=()) -> tuple[dict, list[Problem]]:
    if not isinstance(data, dict):
        return {}, [Problem(path, None, "file", "is empty or not a mapping", "restore the example from git")]
    problems = _unknown({k: v for k, v in data.items() if k not in languages}, CLINIC_FIELDS, path, "") \
        + _missing(data, CLINIC_REQUIRED, path, "") + _dialable(data, path, "", ("phone", "emergency_number"))
    email = str(data.get("email") or "").strip()
    if email and not EMAIL.match(email):  # the contact page's mailto: link
        problems.append(Problem(path, None, "email", f"{email!r} is not an email address",
                                "write it as patients would type it, e.g. appointments@your-clinic.com"))
    clinic = {k: data.get(k) for k in CLINIC_FIELDS}
    clinic["sample"] = bool(data.get("sample"))
    words, probs = _words(data, languages, CLINIC_WORDS, path, "clinic", "the clinic")
    clinic["words"] = words
    return clinic, problems + [dataclasses.replace(p, field=p.field.removeprefix("clinic.")) for p in probs]


def build_locations(data, path: str, languages=()) -> tuple[dict[str, Location], list[Problem]]:
    problems: list[Problem] = []
    out: dict[str, Location] = {}
    items = data.get("locations") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        return {}, [Problem(path, None, "locations", "is missing or empty", "list at least one location")]
    for i, loc in enumerate(items):
        where = f"locations[{i}]."
        if not isinstance(loc, dict):
            problems.append(Problem(path, None, where[:-1], "is not a mapping", "give it slug, name, street, ..."))
            continue
        problems += _unknown({k: v for k, v in loc.items() if k not in languages}, LOCATION_FIELDS, path, where) \
            + _missing(loc, LOCATION_REQUIRED, path, where) + _dialable(loc, path, where)
        map_url = str(loc.get("map_url") or "").strip()
        if map_url and not WEB_ADDRESS.match(map_url):  # a link on the contact page: inside the site, it leads nowhere
            problems.append(Problem(path, None, f"{where}map_url", f"{map_url!r} is not a web address",
                                    "give the full link, starting with https://"))
            map_url = ""  # not shown as a link: the link check would report it again, as a page of the site
        words, probs = _words(loc, languages, LOCATION_WORDS, path, where[:-1], f"location {loc.get('slug')!r}")
        problems += probs
        hours = []
        for j, h in enumerate(loc.get("hours") or []):
            hw = f"{where}hours[{j}]"
            if not isinstance(h, dict):
                problems.append(Problem(path, None, hw, "is not a mapping", "give it days, opens and closes"))
                continue
            days = h.get("days") or []
            for d in days:
                if d not in DAYS:
                    problems.append(Problem(path, None, f"{hw}.days", f"{d!r} is not a day", did_you_mean(str(d), DAYS, "days")))
            for k in ("opens", "closes"):
                value = h.get(k)
                if _unquoted_number(value) and 0 <= value < 24 * 60:  # YAML 1.1 reads 8:30 unquoted as 510 minutes
                    problems.append(Problem(path, None, f"{hw}.{k}", f"{value // 60}:{value % 60:02d} without quotes "
                                            f"is read as the number {value}",
                                            f'write it in quotes: "{value // 60:02d}:{value % 60:02d}"'))
                elif not TIME.match(str(value or "")):
                    problems.append(Problem(path, None, f"{hw}.{k}", f"{value!r} is not a time",
                                            "write 24-hour time in quotes, e.g. \"08:30\""))
            opens, closes = str(h.get("opens")), str(h.get("closes"))
            if TIME.match(opens) and TIME.match(closes) and closes <= opens:  # "HH:MM" strings sort as times
                problems.append(Problem(path, None, f"{hw}.closes", f"{closes} is not after opens {opens}",
                                        "write 24-hour times: a clinic open 8 a.m. to 5 p.m. opens \"08:00\" "
                                        "and closes \"17:00\""))
            hours.append(Hours([d for d in days if d in DAYS], opens, closes))
        slug = str(loc.get("slug") or "")
        if slug and not SLUG.match(slug):
            problems.append(Problem(path, None, f"{where}slug", f"{slug!r} is not a valid slug", "use lowercase letters, digits and hyphens"))
        if slug in out:
            problems.append(Problem(path, None, f"{where}slug", f"{slug!r} is used twice", "give each location its own slug"))
        out[slug] = Location(slug=slug, name=str(loc.get("name") or ""), street=str(loc.get("street") or ""),
                             city=str(loc.get("city") or ""), region=str(loc.get("region") or ""),
                             postcode=str(loc.get("postcode") or ""), country=str(loc.get("country") or ""),
                             phone=str(loc.get("phone") or ""), phone_display=str(loc.get("phone_display") or ""),
                             map_url=map_url, access=str(loc.get("access") or ""), hours=hours,
                             words=words)
    return out, problems


def build_providers(data, path: str, vocab: Vocabulary, locations: dict[str, Location], languages=()) \
        -> tuple[dict[str, Provider], list[Problem]]:
    problems: list[Problem] = []
    out: dict[str, Provider] = {}
    items = data.get("providers") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        return {}, [Problem(path, None, "providers", "is missing or empty", "list at least one provider")]
    procedures = vocab.facets["procedure"].terms if "procedure" in vocab.facets else {}
    for i, p in enumerate(items):
        where = f"providers[{i}]."
        if not isinstance(p, dict):
            problems.append(Problem(path, None, where[:-1], "is not a mapping", "give it slug, name, credentials, role"))
            continue
        problems += _unknown({k: v for k, v in p.items() if k not in languages}, PROVIDER_FIELDS, path, where) \
            + _missing(p, PROVIDER_REQUIRED, path, where)
        words, probs = _words(p, languages, PROVIDER_WORDS, path, where[:-1], f"provider {p.get('slug')!r}")
        problems += probs
        slug = str(p.get("slug") or "")
        if slug and not SLUG.match(slug):
            problems.append(Problem(path, None, f"{where}slug", f"{slug!r} is not a valid slug", "use lowercase letters, digits and hyphens"))
        if slug in out:
            problems.append(Problem(path, None, f"{where}slug", f"{slug!r} is used twice", "give each provider their own slug"))
        for s in p.get("specialties") or []:
            if s not in procedures:
                problems.append(Problem(path, None, f"{where}specialties", f"{s!r} is not a procedure or treatment",
                                        did_you_mean(str(s), procedures, "procedures")))
        for loc in p.get("locations") or []:
            if loc not in locations:
                problems.append(Problem(path, None, f"{where}locations", f"{loc!r} is not a location",
                                        did_you_mean(str(loc), locations, "locations")))
        out[slug] = Provider(slug=slug, name=str(p.get("name") or ""), credentials=str(p.get("credentials") or ""),
                             role=str(p.get("role") or ""), bio=str(p.get("bio") or ""), photo=str(p.get("photo") or ""),
                             specialties=list(p.get("specialties") or []), locations=list(p.get("locations") or []),
                             words=words)
    return out, problems
