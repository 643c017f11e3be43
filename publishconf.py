"""Production settings for `make publish`: everything in pelicanconf.py, plus
what only the live site needs. Set SITEURL to the clinic's real address."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F401,F403

SITEURL = os.environ.get("SITEURL", "https://www.clinic.example")
RELATIVE_URLS = False

FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_MAX_ITEMS = 50

CLINIC_MINIFY = True
CLINIC_PRECOMPRESS = True
