# The clinic site. Run `make help` for the list of commands.
# Everything runs inside .venv, which the first command creates and fills
# with the exact versions pinned in requirements.txt.

PY ?= python3
VENV := .venv
PYTHON := $(VENV)/bin/python
DEPS := $(VENV)/.deps-installed
TEST_DEPS := $(VENV)/.test-deps-installed
OUTPUTDIR := output
PORT ?= 8000
N ?= 100

.PHONY: help pins translations html clean regenerate serve devserver publish test screenshots bench readability review-report new-condition new-procedure new-treatment new-translation rsync_upload rollback s3_upload github

help:
	@echo 'Commands for the clinic site:'
	@echo '  make html             build the site into output/ for checking; problems are shown as warnings'
	@echo '  make devserver        rebuild on every change and serve it at http://127.0.0.1:$(PORT)/'
	@echo '  make regenerate       rebuild on every change, without serving'
	@echo '  make serve            serve output/ at http://127.0.0.1:$(PORT)/'
	@echo '  make publish          build the live site; on any problem output/ is left unchanged'
	@echo '  make clean            delete output/ and the build cache'
	@echo '  make test             run every test'
	@echo '  make translations     after changing a template: update the catalogs of the theme'"'"'s words (theme/translations/)'
	@echo '  make screenshots      screenshots of every page type in test-artifacts/ (phone, desktop, light, dark)'
	@echo '  make readability      reading grade of every medical page, hardest first'
	@echo '  make review-report    review dates of every medical page, most urgent first'
	@echo '  make new-condition SLUG=heel-bursitis TITLE="Heel bursitis"   start a new condition page'
	@echo '  make new-procedure SLUG=... TITLE="..."   start a new procedure page (also new-treatment)'
	@echo '  make new-translation SLUG=bunions LANG=es   start the translation of a page or shared block, to translate in place'
	@echo '  make bench N=1000     measure build speed on N generated articles (FEATURES=1: what each feature costs)'
	@echo '  make rsync_upload     publish, then copy output/ to the server over SSH as a new release (DRY_RUN=1 to preview)'
	@echo '  make rollback         make the release before the live one live again (after make rsync_upload)'
	@echo '  make s3_upload        publish, then upload output/ to Amazon S3 (DRY_RUN=1 to preview)'
	@echo '  make github           publish, then push output/ to the gh-pages branch (DRY_RUN=1 to preview)'
	@echo '  make help             show this list'

NODE_DEPS := node_modules/.installed

# Test tools from npm (the Nu HTML Checker); the site itself uses no npm code.
$(NODE_DEPS): package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

# uv installs the pinned versions several times faster than pip (the test tools on
# a clean clone: 34 s with pip, 7 s with uv), into the same .venv.
UV_VERSION := 0.13.9
UV := $(VENV)/bin/uv

$(UV):
	@test -x $(PYTHON) || $(PY) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Every package is pinned with its hashes (requirements*.txt, made from the short
# requirements*.in by `make pins`): a file that differs from the one pinned is refused.
# --compile-bytecode: uv leaves the packages uncompiled, and where Python may not
# write them (PYTHONDONTWRITEBYTECODE, a read-only folder) every run compiled
# Pelican, Jinja and Markdown again: a clean clone's publish took 1.9 s, not 0.9 s.
$(DEPS): requirements.txt | $(UV)
	$(UV) pip install --quiet --require-hashes --compile-bytecode --python $(PYTHON) -r requirements.txt
	@touch $@

# The site's own modules, compiled when one changes. Python compiles a module
# each time it is imported unless it may write the .pyc itself, and where it may
# not (PYTHONDONTWRITEBYTECODE, as on this machine and in CI) that was 0.06 s of
# every publish, dev-server start and build a test starts. checked-hash: Python
# compares each .pyc with its source's bytes, so an edited module is never run
# from an old .pyc, whatever its modification time.
SOURCES := $(shell find plugins tools -name '*.py')
BYTECODE := $(VENV)/.bytecode-compiled

$(BYTECODE): $(SOURCES) | $(DEPS)
	$(PYTHON) -m compileall -q --invalidation-mode checked-hash plugins tools
	@touch $@

# What every command that runs the site's code needs.
SITE := $(DEPS) $(BYTECODE)

# The test tools, only for make test (and make screenshots): the live site needs none of them.
$(TEST_DEPS): $(DEPS) requirements-test.txt
	$(UV) pip install --quiet --require-hashes --compile-bytecode --python $(PYTHON) -r requirements-test.txt
	@touch $@

# After changing requirements.in or requirements-test.in: pin them again, with
# hashes (the versions pinned now are kept unless the .in files ask otherwise).
pins: | $(UV)
	$(UV) pip compile --quiet --generate-hashes --python-version 3.11.7 requirements.in -o requirements.txt
	$(UV) pip compile --quiet --generate-hashes --python-version 3.11.7 -c requirements.txt requirements-test.in \
		-o requirements-test.txt

# After changing the words of a template (theme/templates/*.html): extract them into
# theme/translations/messages.pot, bring each language's catalog up to date (new
# words come in with an empty msgstr, to translate), and compile the .mo files the
# build reads. All of them are committed; tests/test_translations.py fails until
# this has been run and the new words translated. --omit-header: Babel's header
# holds the extraction's date and year, so every run would change the .pot; the
# .pot needs none of it (a catalog's own header keeps its language, plural forms
# and charset). --ignore-pot-creation-date keeps the catalogs' headers as they are,
# so a run with no new words changes no file. --ignore-obsolete drops words no
# template uses any more (git keeps their translations). A new language:
# $(VENV)/bin/pybabel init -i theme/translations/messages.pot -d theme/translations -l LANG
translations: $(TEST_DEPS)
	PYTHONPATH=plugins $(VENV)/bin/pybabel --quiet extract -F babel.cfg --no-location --sort-output --omit-header \
		--add-comments Translators: -o theme/translations/messages.pot .
	$(VENV)/bin/pybabel --quiet update -i theme/translations/messages.pot -d theme/translations \
		--no-fuzzy-matching --ignore-pot-creation-date --ignore-obsolete
	$(VENV)/bin/pybabel compile -d theme/translations --statistics

html: $(SITE)
	$(PYTHON) tools/build.py html

publish: $(SITE)
	$(PYTHON) tools/build.py publish

clean:
	rm -rf $(OUTPUTDIR) cache $(OUTPUTDIR).staging-*

regenerate: $(SITE)
	$(PYTHON) tools/devserver.py --no-serve

serve: $(SITE)
	PORT=$(PORT) $(PYTHON) tools/serve.py --output $(OUTPUTDIR)

devserver: $(SITE)
	PORT=$(PORT) $(PYTHON) tools/devserver.py

# -n auto: one worker per core (pytest-xdist); `make test PYTEST_ARGS="-m 'not browser'"` skips the browser.
test: $(TEST_DEPS) $(NODE_DEPS) $(BYTECODE)
	$(PYTHON) -m pytest -n auto $(PYTEST_ARGS)

# Full-page screenshots of every page type, phone and desktop, light and dark, in test-artifacts/.
screenshots: $(TEST_DEPS) $(NODE_DEPS) $(BYTECODE)
	SCREENSHOTS=1 $(PYTHON) -m pytest tests/test_accessibility.py -k axe

readability: $(SITE)
	$(PYTHON) tools/reports.py readability

review-report: $(SITE)
	$(PYTHON) tools/reports.py review

new-condition: $(SITE)
	$(PYTHON) tools/new_article.py condition "$(SLUG)" "$(TITLE)"

new-procedure: $(SITE)
	$(PYTHON) tools/new_article.py procedure "$(SLUG)" "$(TITLE)"

new-treatment: $(SITE)
	$(PYTHON) tools/new_article.py treatment "$(SLUG)" "$(TITLE)"

# LANG is also the shell's locale (LANG=C.UTF-8), which make reads as a variable
# too: only a LANG given on make's command line is the language to translate into
# (and, as make would hand it on as the locale, the tool runs without it).
new-translation: $(SITE)
	$(if $(findstring command line,$(origin LANG)),env -u LANG )$(PYTHON) tools/new_translation.py "$(SLUG)" "$(if $(findstring command line,$(origin LANG)),$(LANG))"

bench: $(TEST_DEPS) $(BYTECODE)
	$(PYTHON) tools/bench.py --n $(N) $(if $(FEATURES),--features)

# Upload targets: each publishes first and uploads only if that succeeded.
# DRY_RUN=1 shows what would be done without doing it.
rsync_upload: publish
	$(PYTHON) tools/upload.py rsync

# The release before the live one, live again (after make rsync_upload).
rollback: $(SITE)
	$(PYTHON) tools/upload.py rollback

s3_upload: publish
	$(PYTHON) tools/upload.py s3

github: publish
	$(PYTHON) tools/upload.py github
