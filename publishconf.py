"""Production settings for `make publish`: everything in pelicanconf.py, plus
what only the live site needs. Set CLINIC_ADDRESS to the clinic's real address."""

import os
import sys
from urllib.parse import urlsplit

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F401,F403

# The live site's address, which canonical links, the sitemap, the feed and
# social tags name. Set it here, or for one run: SITEURL=https://... make publish
CLINIC_ADDRESS = os.environ.get("SITEURL", "https://www.clinic.example").rstrip("/")
# Pages link to each other from the site's root ("/a-z/", or "/clinic/a-z/" for a
# site that lives in a folder), so `make serve` shows exactly what will go live.
SITEURL = urlsplit(CLINIC_ADDRESS).path.rstrip("/")
FEED_DOMAIN = CLINIC_ADDRESS
RELATIVE_URLS = False

FEED_ALL_ATOM = "feeds/all.atom.xml"
# A feed per language: feeds/all-es.atom.xml lists the Spanish pages.
TRANSLATION_FEED_ATOM = "feeds/all-{lang}.atom.xml"
FEED_MAX_ITEMS = 50

CLINIC_MINIFY = True
CLINIC_PRECOMPRESS = True

# Pelican's content cache: a publish converts again only the Markdown files
# whose text changed since the last one (a digest of each file, not its
# modification time, so a file put back with an old date is still seen). The
# cache is kept apart for each version of the settings, the plugin's code and
# the libraries, and used only if the build that wrote it finished
# (plugins/clinic/speed/content_cache.py). Not gzipped: see tools/build.py DEV_CACHE.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CHECK_MODIFIED_METHOD = "sha256"
GZIP_CACHE = False
# A publish writes a new folder: it does not render again into the pages it
# wrote itself, as the dev server does (CLINIC_INCREMENTAL), but copies from
# the last publish the pages no edit can have changed, by the same rule, and
# renders the rest (plugins/clinic/speed/reuse.py).
CLINIC_INCREMENTAL = False
CLINIC_REUSE_PAGES = True
