"""Settings for the clinic site (development builds: `make html`, `make devserver`).

Only UPPERCASE names count. `publishconf.py` imports everything here and
overrides what production changes. The clinic's own details (name, phone,
addresses, providers) are not here: they live in content/clinic/*.yaml.
"""

AUTHOR = "Clinic editorial team"
SITENAME = "Foot and ankle clinic"  # replaced at build time by content/clinic/clinic.yaml "name"
SITEURL = ""
RELATIVE_URLS = False

PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"
TIMEZONE = "America/New_York"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%-d %B %Y"

# Always list plugins: Pelican's default (None) loads every installed plugin.
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["clinic"]

# --- Content layout -------------------------------------------------------
# Each folder of content/ is one kind of article; the folder name is the
# article's category and the first part of its address.
ARTICLE_PATHS = ["conditions", "procedures", "treatments", "guides"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
IGNORE_FILES = [".#*", "*~", "*.swp", "README*"]
SLUGIFY_SOURCE = "basename"  # a page's address comes from its file name
# bunions.md is the English page; bunions.es.md its Spanish translation (the
# language is taken from the file name only, never from the metadata).
FILENAME_METADATA = r"(?P<slug>[^.]+)(?:\.(?P<lang>[a-z]{2}))?$"
ARTICLE_TRANSLATION_ID = ("category", "slug")
USE_FOLDER_AS_CATEGORY = True

# Addresses: content/conditions/bunions.md -> /conditions/bunions/
ARTICLE_URL = "{category}/{slug}/"
ARTICLE_SAVE_AS = "{category}/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
# A translation lives under its language: /es/conditions/bunions/.
ARTICLE_LANG_URL = "{lang}/{category}/{slug}/"
ARTICLE_LANG_SAVE_AS = "{lang}/{category}/{slug}/index.html"
PAGE_LANG_URL = "{lang}/{slug}/"
PAGE_LANG_SAVE_AS = "{lang}/{slug}/index.html"
CATEGORY_URL = "{slug}/"
CATEGORY_SAVE_AS = "{slug}/index.html"
ARTICLE_ORDER_BY = "title"
DEFAULT_PAGINATION = False

# Pages Pelican would make that this site does not use.
DIRECT_TEMPLATES = ["index", "search", "404"]
SEARCH_SAVE_AS = "search/index.html"
SEARCH_URL = "search/"
TAGS_SAVE_AS = ""
TAG_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""

# Feeds are written only in production (publishconf.py).
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

# --- Markdown ---------------------------------------------------------------
# The summary stays plain text (escaped by the templates), not Markdown.
FORMATTED_FIELDS = []
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.admonition": {},
        "markdown.extensions.toc": {},
        "markdown.extensions.meta": {},
        "clinic.pages.callouts": {},
        "clinic.pages.blocks": {},
    },
    "output_format": "html5",
}

# --- Templates ----------------------------------------------------------------
# Autoescape is on: everything from metadata is escaped. Only rendered article
# bodies are marked safe in the templates.
JINJA_ENVIRONMENT = {
    "trim_blocks": True,
    "lstrip_blocks": True,
    "autoescape": True,
    # the theme's words in the page's language (plugins/clinic/pages/i18n.py), and
    # {% cache %}: the header and footer rendered once per language (pages/fragments.py).
    # babel.cfg lists the same, for `make translations`.
    "extensions": ["jinja2.ext.i18n", "clinic.pages.fragments.FragmentCache"],
    # Every build makes a new environment (and the bytecode cache is keyed by each
    # template's source), so a changed template always shows; checking each
    # template's file time on every page cost about 0.9 s at 5,000 articles.
    "auto_reload": False,
}

# --- Clinic settings ---------------------------------------------------------
# Every CLINIC_* setting, its default and what it may be: plugins/clinic/model/settings.py.
# A wrong value or a misspelt name stops `make publish` with one line saying which.
CLINIC_DATA_DIR = "clinic"  # inside content/: clinic.yaml, locations.yaml, providers.yaml
CLINIC_TAXONOMY_FILE = "taxonomy.yaml"  # inside content/
# The conditions shown on the home page as "most read". The home page shows
# only these, so it does not grow as articles are added.
CLINIC_FEATURED_CONDITIONS = [
    "bunions",
    "plantar-fasciitis",
    "achilles-tendinopathy",
    "foot-ankle-arthritis",
]
# The body regions shown on the home page, in this order.
CLINIC_HOME_REGIONS = ["toes", "forefoot", "heel", "ankle", "achilles"]
# How many related articles each medical page shows.
CLINIC_RELATED_LIMIT = 5

# robots.txt: these crawlers rules are written with a Sitemap line (see plugins/clinic).
CLINIC_ROBOTS_DISALLOW = ["/search/"]

# Medical review: a page past its Next-review date warns ("warn") or fails
# `make publish` ("error"). Pages due within this many days show as "due soon".
CLINIC_REVIEW_OVERDUE = "warn"
# A procedure or treatment page that no provider in providers.yaml offers warns;
# True makes it stop `make publish`.
CLINIC_REQUIRE_PROVIDER = False
CLINIC_REVIEW_SOON_DAYS = 60
CLINIC_TODAY = None  # a fixed "today" (YYYY-MM-DD) for reports and tests; None is the real date
CLINIC_COUNTRY = "US"  # dates and times in a language other than English follow its customs
# The languages pages are translated into, besides DEFAULT_LANG: bunions.es.md
# is the Spanish bunions page, published at /es/conditions/bunions/. Each needs
# a catalog of the theme's words (theme/translations/es/, `make translations`)
# and the words of content/taxonomy.yaml and content/clinic/*.yaml under "es:".
CLINIC_TRANSLATION_LANGUAGES = ["es"]
# A translation whose English page was reviewed or changed after it was made:
# "warn" (publish it with a notice that the English page is newer), "error"
# (stop `make publish`) or "hide" (leave it out of the site, with a warning).
CLINIC_TRANSLATION_STALE = "warn"

# Readability (Flesch-Kincaid grade, from textstat). Pages above the target
# warn; set CLINIC_READABILITY_FAIL = True to make them fail `make publish`.
CLINIC_READABILITY_TARGET = 8
# Pages in Spanish: the lowest Fernandez Huerta reading ease (higher is easier;
# 70 to 80 is "fairly easy").
CLINIC_READABILITY_EASE_TARGET = 70
CLINIC_READABILITY_FAIL = False
CLINIC_NLTK_DATA = None  # where the CMU dictionary's syllable table is kept; None: .venv/nltk_data

# Production builds minify HTML and write .gz/.br copies of text files
# (publishconf.py turns these on; see plugins/clinic/compress.py); development
# builds stay readable.
# Production builds of large sites turn Markdown into HTML on both cores
# (plugins/clinic/parallel_read.py); never with the dev server's content cache.
CLINIC_PARALLEL_READ = True
CLINIC_PARALLEL_READ_MIN = 200  # articles; below this a second process costs more than it saves
# ... and write the article pages on both cores (plugins/clinic/parallel_write.py)
# Pagefind needs about 290 KB of memory per page it indexes: a larger site is
# indexed in parts of this many pages, merged by the search page (search_index.py).
# 450 keeps a publish of 1,000 articles under 150 MiB (132 MiB; 600 took 174 MiB),
# for a slower first search on such a site (three parts to load instead of two).
CLINIC_SEARCH_PAGES_PER_INDEX = 450
CLINIC_PARALLEL_WRITE = True
CLINIC_PARALLEL_WRITE_MIN = 200  # articles
# The dev server renders again only the pages an edit can have changed: an
# edit to an article's text, its own page; any other edit, every page
# (plugins/clinic/incremental.py). Production builds always render everything.
CLINIC_INCREMENTAL = True
CLINIC_MINIFY = False
CLINIC_PRECOMPRESS = False
PRECOMPRESS_TEXT_EXTENSIONS = [".html", ".css", ".js", ".json", ".xml", ".txt", ".svg", ".atom"]
PRECOMPRESS_MIN_SIZE = 512

# Images wider than this are resized (the original stays in content/images/).
CLINIC_IMAGE_MAX_WIDTH = 1200

# Sitemap (plugins/clinic/sitemap.py): every page, each with the date its content
# last changed where it has one. Addresses matching these patterns are left out.
CLINIC_SITEMAP_EXCLUDE = [r"404\.html$", r"search/$"]

# --- Deployment -----------------------------------------------------------------
# One table of HTTP headers for every host. It produces output/_headers
# (Netlify, Cloudflare Pages), output/.htaccess (Apache) and deploy/nginx.conf.
# No 'unsafe-inline' or 'unsafe-eval': the site has no inline scripts or styles.
# Pagefind's search runs WebAssembly, which needs 'wasm-unsafe-eval'.
CLINIC_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; "
        "upgrade-insecure-requests"
    ),
    "X-Content-Type-Options": "nosniff",
    # A health site's addresses (/conditions/bunions/) say something about the reader: send none.
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# How long browsers and CDNs may keep files. Fingerprinted assets (their name
# carries a hash of their content) never change, so they are kept for a year.
CLINIC_CACHE_HTML = "public, max-age=300, must-revalidate"
CLINIC_CACHE_ASSETS = "public, max-age=31536000, immutable"
CLINIC_CACHE_OTHER = "public, max-age=3600"

# Upload targets (make rsync_upload, make s3_upload, make github).
SSH_HOST = "www.clinic.example"
SSH_PORT = 22
SSH_USER = "deploy"
SSH_TARGET_DIR = "/var/www/clinic"
S3_BUCKET = "clinic-website"
GITHUB_PAGES_BRANCH = "gh-pages"
GITHUB_PAGES_CNAME = ""  # e.g. "www.example-clinic.com"; empty: no CNAME file
