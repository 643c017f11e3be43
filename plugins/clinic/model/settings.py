"""Every CLINIC_* setting: its default, what it may be, and one check.

pelicanconf.py and publishconf.py set them; `read()` turns Pelican's settings
dict into one frozen ClinicSettings, once per build, and every other module
reads that object instead of the dict. A wrong value is one problem naming
the settings file, the setting, the value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .problems import Problem, closest
from .rules import is_language_code

# A check takes the value and answers None (fine) or what is allowed.
Check = Callable[[Any], "str | None"]


def _one_of(*allowed) -> Check:
    return lambda v: None if v in allowed else "one of " + ", ".join(repr(a) for a in allowed)


def _int(low: int, high: int | None = None, none_ok: bool = False) -> Check:
    def check(v):
        if v is None and none_ok:
            return None
        ok = isinstance(v, int) and not isinstance(v, bool) and v >= low and (high is None or v <= high)
        span = f"from {low} to {high}" if high is not None else f"{low} or more"
        return None if ok else f"a whole number {span}" + (", or None" if none_ok else "")
    return check


def _bool(v) -> str | None:
    return None if isinstance(v, bool) else "True or False"


def _text(v) -> str | None:
    return None if isinstance(v, str) and v.strip() else "a non-empty text in quotes"


def _texts(v) -> str | None:
    ok = isinstance(v, (list, tuple)) and all(isinstance(x, str) and x for x in v)
    return None if ok else 'a list of texts, for example ["a", "b"]'


def _patterns(v) -> str | None:
    if _texts(v):
        return "a list of regular expressions in quotes"
    for p in v:
        try:
            re.compile(p)
        except re.error as exc:
            return f"a list of valid regular expressions ({p!r}: {exc})"
    return None


def _country(v) -> str | None:
    return None if isinstance(v, str) and re.fullmatch(r"[A-Z]{2}", v) else 'a country code in quotes, such as "US"'


def _languages(v) -> str | None:
    ok = isinstance(v, (list, tuple)) and all(is_language_code(x) for x in v) \
        and len(set(v)) == len(v)
    return None if ok else 'a list of two-letter language codes in quotes, each once, for example ["es"], or []'


def _date_or_none(v) -> str | None:
    import datetime as dt
    if v is None:
        return None
    try:
        dt.date.fromisoformat(str(v))
        return None
    except ValueError:
        return "None or a date written YYYY-MM-DD, for example \"2026-11-20\""


def _headers(v) -> str | None:
    if not isinstance(v, Mapping):
        return 'a table of header names and values, for example {"X-Frame-Options": "DENY"}'
    for name, value in v.items():
        if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9-]+", name):
            return f"header names of letters, digits and '-' only ({name!r} is not one)"
        if not isinstance(value, str) or '"' in value or "\\" in value or "\n" in value:
            return f"header values as plain text without \" or \\ (the value of {name} is not)"
    return None


def _cache_control(v) -> str | None:
    return None if isinstance(v, str) and v.strip() and '"' not in v and "\n" not in v \
        else 'a Cache-Control value, for example "public, max-age=300"'


def _address(v) -> str | None:
    from urllib.parse import urlsplit
    if v == "":
        return None
    url = urlsplit(v) if isinstance(v, str) else None
    ok = url and url.scheme in ("http", "https") and url.netloc and not (url.query or url.fragment) \
        and not v.endswith("/")
    return None if ok else 'the full address without a slash at the end, for example "https://www.your-clinic.com"'


def _extensions(v) -> str | None:
    ok = isinstance(v, (list, tuple)) and all(isinstance(x, str) and x.startswith(".") for x in v)
    return None if ok else 'a list of file endings with their dot, for example [".html", ".css"]'


@dataclass(frozen=True)
class Spec:
    name: str
    default: Any
    check: Check
    help: str  # what it does, for docs/architecture.md and error messages


SPECS: tuple[Spec, ...] = (
    Spec("CLINIC_ADDRESS", "", _address,
         "the live site's address, which canonical links, the sitemap, the feed and social tags name "
         "(empty: SITEURL)"),
    Spec("CLINIC_DATA_DIR", "clinic", _text, "folder inside content/ with clinic.yaml, locations.yaml, providers.yaml"),
    Spec("CLINIC_TAXONOMY_FILE", "taxonomy.yaml", _text, "the topics file inside content/"),
    Spec("CLINIC_FEATURED_CONDITIONS", (), _texts, "condition slugs shown on the home page"),
    Spec("CLINIC_HOME_REGIONS", (), _texts, "region slugs shown on the home page, in order"),
    Spec("CLINIC_RELATED_LIMIT", 5, _int(0, 50), "how many related articles each medical page shows"),
    Spec("CLINIC_ROBOTS_DISALLOW", (), _texts, "addresses robots.txt asks crawlers to skip"),
    Spec("CLINIC_REVIEW_OVERDUE", "warn", _one_of("warn", "error"),
         "what a page past its Next-review date does to `make publish`"),
    Spec("CLINIC_REVIEW_SOON_DAYS", 60, _int(0, 3650), "days before Next-review a page shows as due soon"),
    Spec("CLINIC_REQUIRE_PROVIDER", False, _bool,
         "whether a procedure or treatment page that no provider offers stops `make publish` (otherwise it warns)"),
    Spec("CLINIC_SOURCE_MAX_AGE", 5, _int(1, 50),
         "how many years old a cited source may be before `make review-report` lists it for checking"),
    Spec("CLINIC_TODAY", None, _date_or_none, "a fixed 'today' for reports and tests; None is the real date"),
    Spec("CLINIC_COUNTRY", "US", _country,
         "the clinic's country (two capital letters): dates and times in a language other than English follow "
         "its customs (Spanish in 'US': 5:30 p.m.)"),
    Spec("CLINIC_READABILITY_TARGET", 8, _int(1, 20, none_ok=True),
         "the highest reading grade a page may have without a warning; None turns the check off"),
    Spec("CLINIC_READABILITY_EASE_TARGET", 70, _int(0, 100, none_ok=True),
         "the lowest reading-ease score (0-100, higher is easier) of a page in Spanish, by the "
         "Fernandez Huerta formula; 70 starts the 'fairly easy' band; None: no check"),
    Spec("CLINIC_READABILITY_FAIL", False, _bool, "whether a page above the target stops `make publish`"),
    Spec("CLINIC_NLTK_DATA", None, lambda v: None if v is None else _text(v),
         "where the CMU dictionary's syllable table is kept; None: .venv/nltk_data"),
    Spec("CLINIC_TRANSLATION_LANGUAGES", (), _languages,
         "the languages, besides DEFAULT_LANG, that pages are translated into (a file bunions.es.md is "
         "the Spanish bunions page); each needs a catalog in theme/translations/"),
    Spec("CLINIC_TRANSLATION_STALE", "warn", _one_of("warn", "error", "hide"),
         "what `make publish` does with a translation whose English page was reviewed or changed after it: "
         "warn (publish it with a notice), error (stop) or hide (leave it out of the site)"),
    Spec("CLINIC_PARALLEL_READ", True, _bool, "convert Markdown on both cores on large sites"),
    Spec("CLINIC_PARALLEL_READ_MIN", 200, _int(0), "articles from which the Markdown worker starts"),
    Spec("CLINIC_PARALLEL_WRITE", True, _bool, "write pages on both cores on large sites"),
    Spec("CLINIC_PARALLEL_WRITE_MIN", 200, _int(0), "articles from which the second writer starts"),
    Spec("CLINIC_SEARCH_PAGES_PER_INDEX", 450, _int(1), "searchable pages per search-index part"),
    Spec("CLINIC_INCREMENTAL", True, _bool, "the dev server renders again only the pages an edit can change"),
    Spec("CLINIC_REUSE_PAGES", False, _bool,
         "a publish copies from the last publish the pages no edit can have changed (publishconf.py turns it on)"),
    Spec("CLINIC_MINIFY", False, _bool, "minify HTML (publishconf.py turns it on)"),
    Spec("CLINIC_PRECOMPRESS", False, _bool, "write .gz and .br copies of text files (publishconf.py turns it on)"),
    Spec("PRECOMPRESS_TEXT_EXTENSIONS", (".html", ".css", ".js", ".json", ".xml", ".txt", ".svg", ".atom"),
         _extensions, "which files get .gz and .br copies"),
    Spec("PRECOMPRESS_MIN_SIZE", 512, _int(0), "files smaller than this many bytes get no copies"),
    Spec("CLINIC_IMAGE_MAX_WIDTH", 1200, _int(16, 10000), "images wider than this many pixels are resized"),
    Spec("CLINIC_SITEMAP_EXCLUDE", (), _patterns, "addresses (regular expressions) left out of sitemap.xml"),
    Spec("CLINIC_SECURITY_HEADERS", {}, _headers, "HTTP headers every page is sent with"),
    Spec("CLINIC_CACHE_HTML", "public, max-age=300, must-revalidate", _cache_control, "Cache-Control of pages"),
    Spec("CLINIC_CACHE_ASSETS", "public, max-age=31536000, immutable", _cache_control,
         "Cache-Control of fingerprinted files"),
    Spec("CLINIC_CACHE_OTHER", "public, max-age=3600", _cache_control, "Cache-Control of every other file"),
    # Set by tools/build.py and tools/devserver.py for each run, not in pelicanconf.py:
    Spec("CLINIC_LIVE_RELOAD", False, _bool,
         "add the dev server's live-reload script to every page (make devserver only, never make publish)"),
    Spec("CLINIC_SEARCH_INDEX_EARLY", False, _bool,
         "start Pagefind inside the Pelican run, once the searchable pages are written (production builds)"),
    Spec("CLINIC_HOST_FILES_AFTER_SEARCH", False, _bool,
         "leave _headers and .htaccess to tools/build.py, which writes them once the search index is done"),
)
BY_NAME = {s.name: s for s in SPECS}


def _field(name: str) -> str:
    return name.removeprefix("CLINIC_").lower()


@dataclass(frozen=True)
class ClinicSettings:
    """The checked CLINIC_* settings of one build (field = the name less CLINIC_, in lower case)."""

    address: str
    data_dir: str
    taxonomy_file: str
    featured_conditions: tuple
    home_regions: tuple
    related_limit: int
    robots_disallow: tuple
    review_overdue: str
    review_soon_days: int
    require_provider: bool
    source_max_age: int
    today: str | None
    country: str
    readability_target: int | None
    readability_ease_target: int | None
    readability_fail: bool
    nltk_data: str | None
    translation_languages: tuple
    translation_stale: str
    parallel_read: bool
    parallel_read_min: int
    parallel_write: bool
    parallel_write_min: int
    search_pages_per_index: int
    incremental: bool
    reuse_pages: bool
    minify: bool
    precompress: bool
    precompress_text_extensions: tuple
    precompress_min_size: int
    image_max_width: int
    sitemap_exclude: tuple
    security_headers: Mapping
    cache_html: str
    cache_assets: str
    cache_other: str
    live_reload: bool
    search_index_early: bool
    host_files_after_search: bool

    def replace(self, **changes) -> "ClinicSettings":
        return dataclasses.replace(self, **changes)


assert [f.name for f in dataclasses.fields(ClinicSettings)] == [_field(s.name) for s in SPECS]


def read(settings: Mapping, where: Callable[[str], str] = lambda name: "pelicanconf.py") \
        -> tuple[ClinicSettings, list[Problem]]:
    """The checked settings, and a problem for each wrong value (its default is
    used instead, so the build can go on to list every other problem).
    where(name): the settings file that sets it, for the message."""
    values, problems = {}, []
    for spec in SPECS:
        value = settings.get(spec.name, spec.default)
        allowed = spec.check(value)
        if allowed:
            problems.append(Problem(where(spec.name), None, spec.name, f"{value!r} is not allowed",
                                    f"write {allowed}; it sets {spec.help}"))
            value = spec.default
        if isinstance(value, list):
            value = tuple(value)
        values[_field(spec.name)] = value
    for name in sorted(k for k in settings if isinstance(k, str) and k.startswith("CLINIC_") and k not in BY_NAME):
        near = closest(name, BY_NAME, n=1)
        problems.append(Problem(where(name), None, name, "is not a setting of the site",
                                f"did you mean {near[0]!r}?" if near else "see docs/architecture.md for the list"))
    return ClinicSettings(**values), problems


def languages_without_catalog(settings: ClinicSettings, catalogs, where: str = "pelicanconf.py") -> list[Problem]:
    """A translation language the theme has no catalog of: its pages would show English words."""
    return [Problem(where, None, "CLINIC_TRANSLATION_LANGUAGES",
                    f"{lang!r} has no catalog of the theme's words (theme/translations/{lang}/LC_MESSAGES/messages.mo)",
                    f"start one with `.venv/bin/pybabel init -l {lang} -i theme/translations/messages.pot -d "
                    "theme/translations`, translate its messages.po, run `make translations`; or remove "
                    f"{lang!r} from the setting")
            for lang in settings.translation_languages if lang not in catalogs]


def overrides(**fields) -> dict:
    """Pelican settings for these fields (name less CLINIC_, in lower case), for
    a run's override: overrides(minify=False) == {"CLINIC_MINIFY": False}."""
    names = {_field(s.name): s.name for s in SPECS}
    unknown = set(fields) - set(names)
    if unknown:
        raise KeyError(f"no such clinic setting: {', '.join(sorted(unknown))}")
    return {names[k]: v for k, v in fields.items()}


def name_of(field: str) -> str:
    """The setting's name for a field: name_of("address") == "CLINIC_ADDRESS"."""
    return next(iter(overrides(**{field: None})))


def of(settings: Mapping) -> ClinicSettings:
    """The settings of a build, with the default for any wrong value; the
    problems are reported once, at the start of the build (plugin.py)."""
    return read(settings)[0]


def setting_file(name: str, files: list[tuple[str, str]]) -> str:
    """Which settings file assigns `name` (the last one that does, as Python
    reads them: publishconf.py imports pelicanconf.py first); files: (shown name, text)."""
    found = files[0][0] if files else "pelicanconf.py"
    pattern = re.compile(rf"^{re.escape(name)}\s*=", re.M)
    for shown, text in files:
        if pattern.search(text):
            found = shown
    return found
