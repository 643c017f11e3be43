# The clinic site. Run `make help` for the list of commands.
# Everything runs inside .venv, which the first command creates and fills
# with the exact versions pinned in requirements.txt.

PY ?= python3
VENV := .venv
PYTHON := $(VENV)/bin/python
DEPS := $(VENV)/.deps-installed
OUTPUTDIR := output
PORT ?= 8000
N ?= 100

.PHONY: help html clean regenerate serve devserver publish test bench readability review-report new-condition new-procedure rsync_upload s3_upload github

help:
	@echo 'Commands for the clinic site:'
	@echo '  make html             build the site into output/ for checking; problems are shown as warnings'
	@echo '  make devserver        rebuild on every change and serve it at http://127.0.0.1:$(PORT)/'
	@echo '  make regenerate       rebuild on every change, without serving'
	@echo '  make serve            serve output/ at http://127.0.0.1:$(PORT)/'
	@echo '  make publish          build the live site; on any problem output/ is left unchanged'
	@echo '  make clean            delete output/ and the build cache'
	@echo '  make test             run every test'
	@echo '  make help             show this list'

$(DEPS): requirements.txt
	@test -x $(PYTHON) || $(PY) -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

html: $(DEPS)
	$(PYTHON) tools/build.py html

publish: $(DEPS)
	$(PYTHON) tools/build.py publish

clean:
	rm -rf $(OUTPUTDIR) cache $(OUTPUTDIR).staging-*

regenerate: $(DEPS)
	$(PYTHON) tools/devserver.py --no-serve

serve: $(DEPS)
	$(PYTHON) -m pelican --listen --port $(PORT) -o $(OUTPUTDIR) -s pelicanconf.py

devserver: $(DEPS)
	PORT=$(PORT) $(PYTHON) tools/devserver.py

test: $(DEPS)
	$(PYTHON) -m pytest
