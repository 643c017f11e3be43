"""What each kind of page must contain: the one table the validator,
the article scaffolder (`make new-condition`) and the docs read from."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from .words import N_

# metadata key (lowercase) -> how the webmaster should write it
KEY_HELP = {
    "title": "Title: Bunions",
    "summary": "Summary: one or two plain sentences for listings and search results",
    "date": "Date: 2026-11-20 (the date the page was first published)",
    "modified": "Modified: 2026-11-20 (the date of the last real change)",
    "status": "Status: draft (to keep a page off the site) or published",
    "template": "Template: contact (pages only: a special page layout)",
    "regions": "Regions: heel, ankle (slugs from the region facet in content/taxonomy.yaml)",
    "conditions": "Conditions: bunions (slugs from the condition facet in content/taxonomy.yaml)",
    "procedures": "Procedures: bunionectomy (slugs from the procedure facet in content/taxonomy.yaml)",
    "symptoms": "Symptoms: heel-pain, swelling (slugs from the symptom facet in content/taxonomy.yaml)",
    "treats": "Treats: bunions (the condition pages this procedure or treatment treats)",
    "reviewed-by": "Reviewed-by: avery-sample (a provider slug from content/clinic/providers.yaml)",
    "last-reviewed": "Last-reviewed: 2026-11-20",
    "next-review": "Next-review: 2027-11-20 (after Last-reviewed)",
    "sources": "Sources: Title | Publisher | Year | https://link (one per line, further lines indented 4 spaces)",
    "translated-by": "Translated-by: avery-sample (who translated it: a provider slug from content/clinic/providers.yaml)",
    "translation-reviewed-by": "Translation-reviewed-by: avery-sample (the clinician who checked the translation "
                               "against the English page: a provider slug)",
    "translated-from": "Translated-from: 2026-11-20 (the English page's Last-reviewed date when it was translated)",
}

# A translation is a file beside its page: bunions.es.md is the Spanish
# bunions.md. The same pattern is pelicanconf.py's FILENAME_METADATA (a test
# keeps them equal), which gives Pelican the slug and the language.
LANGUAGE_CODE = r"[a-z]{2}"
TRANSLATION_NAME = re.compile(rf"(?P<slug>[^.]+)(?:\.(?P<lang>{LANGUAGE_CODE}))?$")


def is_language_code(value) -> bool:
    """Two lowercase letters, as CLINIC_TRANSLATION_LANGUAGES and file names give a language: "es"."""
    return isinstance(value, str) and re.fullmatch(LANGUAGE_CODE, value) is not None


def words_of_a_language(key, value) -> bool:
    """`es:` holding a mapping, in the taxonomy or the clinic's data: the words of
    one language. A language the site does not publish (yet, or any more) keeps
    its words for when it does: switching a language off is a settings change,
    not a file edit."""
    return is_language_code(key) and isinstance(value, dict)


def language_of(filename: str) -> str:
    """The language a source file's name gives it: "es" for bunions.es.md, ""
    for bunions.md (the site's own language, as for a name that is not one)."""
    found = TRANSLATION_NAME.fullmatch(filename.rsplit(".", 1)[0] if "." in filename else filename)
    return (found.group("lang") or "") if found else ""


# The keys every translation has besides its kind's own.
TRANSLATION_KEYS = ("translated-by", "translation-reviewed-by", "translated-from")

# Where Pelican's context keeps the articles and pages it read, of every status.
CONTENT_KEYS = ("articles", "drafts", "hidden_articles", "pages", "hidden_pages", "draft_pages")

# A link to another site, as a page's Sources and a location's map_url give it.
WEB_ADDRESS = re.compile(r"^https?://[^\s/$.?#][^\s]*$")

# The file endings Pelican reads as Markdown (its MarkdownReader's), everywhere the site looks for sources.
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mkd", ".mdown")

# The marker the article scaffold (tools/new_article.py) leaves in every place to fill in.
FILL_IN = "FILL IN:"

MEDICAL_COMMON = ("title", "summary", "date", "reviewed-by", "last-reviewed", "next-review", "sources")


@dataclass(frozen=True)
class Kind:
    name: str  # condition, procedure, treatment, guide, page
    folder: str  # the folder under content/ (also the category and URL prefix)
    label: str  # shown to patients, plural
    singular: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    sections: tuple[str, ...]  # required ## headings, in order; () = free
    medical: bool
    term_facet: str | None = None  # the facet whose term this page describes (its slug must be one)
    # what some sections are for, by role: the templates' related-page boxes, the
    # structured data and the validator find a section by its role, never by its title
    roles: tuple[tuple[str, str], ...] = ()
    # the callouts its 'help' section must hold (an error if one is missing); a
    # kind without them only warns when that section has no callout at all
    help_tiers: tuple[str, ...] = ()
    # sections a page may add after the required ones (their roles still apply)
    optional_sections: tuple[str, ...] = ()

    def section(self, role: str) -> str | None:
        """The title of the section that plays this role on this kind of page, if any."""
        return dict(self.roles).get(role)

    def translated(self, words) -> "Kind":
        """This kind in another language: its section titles through `words` (a
        gettext function of that language's catalog); a translation has the
        same keys plus who translated and reviewed it, and no old addresses."""
        return dataclasses.replace(
            self, sections=tuple(words(t) for t in self.sections),
            optional_sections=tuple(words(t) for t in self.optional_sections),
            roles=tuple((role, words(t)) for role, t in self.roles),
            required=self.required + TRANSLATION_KEYS,
            optional=tuple(k for k in self.optional if k != "moved-from"))


KINDS = {
    "condition": Kind(
        "condition", "conditions", N_("Conditions"), N_("Condition"),
        MEDICAL_COMMON + ("regions", "symptoms"), ("modified", "status", "moved-from"),
        (N_("Overview"), N_("Symptoms"), N_("Causes"), N_("Diagnosis"), N_("Non-surgical treatment"),
         N_("Surgical options"), N_("Recovery"), N_("When to get help")),
        True, "condition",
        (("treatments", N_("Non-surgical treatment")), ("procedures", N_("Surgical options")), ("help", N_("When to get help")))),
    "procedure": Kind(
        "procedure", "procedures", N_("Surgical procedures"), N_("Procedure"),
        MEDICAL_COMMON + ("regions", "treats"), ("modified", "status", "symptoms", "moved-from"),
        (N_("What it is"), N_("Who it helps"), N_("Before surgery"), N_("During surgery"), N_("After surgery"),
         N_("Risks"), N_("Recovery timeline"), N_("When to get help")),
        True, "procedure",
        (("treats", N_("Who it helps")), ("preparation", N_("Before surgery")), ("how", N_("During surgery")),
         ("followup", N_("After surgery")), ("help", N_("When to get help"))),
        ("urgent", "emergency")),
    "treatment": Kind(
        "treatment", "treatments", N_("Non-surgical treatments"), N_("Treatment"),
        MEDICAL_COMMON + ("regions", "treats"), ("modified", "status", "symptoms", "moved-from"),
        (N_("What it is"), N_("Who it helps"), N_("What to expect"), N_("Risks and side effects"), N_("How long it takes")),
        True, "procedure",
        (("treats", N_("Who it helps")), ("how", N_("What to expect")), ("followup", N_("How long it takes")),
         ("help", N_("When to get help"))),
        # a treatment with a cast, a boot or injections adds this section; it then needs both
        ("urgent", "emergency"), (N_("When to get help"),)),
    "guide": Kind(
        "guide", "guides", N_("Guides"), N_("Guide"),
        MEDICAL_COMMON + ("regions",), ("modified", "status", "conditions", "procedures", "symptoms", "moved-from"),
        (), True),
    "page": Kind(
        "page", "pages", "Pages", "Page",
        ("title", "summary"), ("date", "modified", "status", "template", "moved-from"),
        (), False),
}
KIND_BY_FOLDER = {k.folder: k for k in KINDS.values()}

# A shared block (content/blocks/): text many pages include by name with a line
# '{block}name' (pages/blocks.py). Not a page of its own, so not in KINDS; it has
# its own reviewer and review dates, and the review report lists it.
BLOCK_KIND = Kind("block", "blocks", "Shared blocks", "Shared block",
                  ("title", "reviewed-by", "last-reviewed", "next-review"), ("modified", "summary", "sources"),
                  (), True)
BLOCK_FOLDER = "blocks"
# In a block or a page, replaced by the clinic's emergency number (content/clinic/clinic.yaml).
EMERGENCY_NUMBER = "{emergency_number}"
# In a page or a block, replaced by the clinic's phone number as a link to call it.
CLINIC_PHONE = "{clinic_phone}"
assert all(title in k.sections + k.optional_sections for k in KINDS.values() for _, title in k.roles), \
    "a role names a section of its kind"

# Which facet each list key names terms of.
TERM_KEYS = {"regions": "region", "conditions": "condition", "procedures": "procedure", "symptoms": "symptom"}
# The treatment type a kind's own term must have.
KIND_TREATMENT_TYPE = {"procedure": "surgical", "treatment": "non-surgical"}

CALLOUT_TIERS = {
    # tier: (visually hidden prefix for screen readers, default title)
    "info": (N_("Information:"), N_("Good to know")),
    "non-urgent": (N_("Non-urgent advice:"), N_("See a doctor if")),
    "urgent": (N_("Urgent advice:"), N_("Ask for an urgent appointment if")),
    "emergency": (N_("Emergency:"), N_("Call the emergency number if")),
}

# Callouts whose advice is to contact the clinic: each ends with its number.
CALLOUTS_WITH_PHONE = ("non-urgent", "urgent")

PAGE_TEMPLATES = ("page", "contact", "appointments")
STATUSES = ("published", "draft", "hidden")
# Addresses the site itself uses; a page may not take them.
# Moved-from: the old addresses of a page that was renamed or came from an
# earlier site; each gets a page that sends the reader on (pages/generator.py).
OLD_ADDRESS = re.compile(r"/(?:[A-Za-z0-9._~%-]+/)*(?:[A-Za-z0-9._~%-]+\.html?)?")

# Metadata Pelican would act on to write a page elsewhere (or outside output/):
# the site takes every address from the file's name and folder.
ADDRESS_KEYS = {"slug", "save_as", "url", "lang", "category", "path"}
ADDRESS_KEY_MESSAGE = "sets where the page is written, which the site takes from the file's name and folder"

# The folders the site writes itself: no old address can be in one.
SITE_FOLDERS = {"browse", "a-z", "search", "providers", "theme", "pagefind", "feeds", "extra"}
RESERVED_SLUGS = {"conditions", "procedures", "treatments", "guides", "browse", "a-z", "search", "providers", "blocks",
                  "theme", "images", "feeds", "pagefind", "extra", "404"}
