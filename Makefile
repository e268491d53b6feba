# shaho: the two set-up commands are `make run` and `make test` (see README.md).
#
# The virtual environment is rebuilt only when a requirements file changes:
# each stamp file is newer than the requirements it installed, so a second
# `make test` goes straight to pytest.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=

# The PDF font (IPAexGothic, IPA Font License) is taken from the matplotlib-fontja
# wheel on PyPI without installing it or matplotlib: pip fetches the pinned wheel and
# only the .ttf and its licence are kept in fonts/.
FONTJA_VERSION := 1.1.0
FONT := fonts/ipaexg.ttf

# axe-core for the accessibility browser test, pinned in package-lock.json (no front-end build:
# the pages never load it). Without npm that test is skipped here and fails under CI.
AXE := node_modules/axe-core/axe.min.js

RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
PIP_INSTALL := $(BIN)/python -m pip install --disable-pip-version-check --quiet

.DEFAULT_GOAL := help
.PHONY: help run test lint format bench worker fonts

help:
	@echo "make run     set up .venv, migrate, load the registry and demo data, serve on 127.0.0.1:$(PORT)"
	@echo "make test    set up .venv (with test tools) and run pytest (PYTEST_ARGS=... passes options)"
	@echo "make lint    ruff check + ruff format --check + lint-imports (the layers contract in pyproject.toml)"
	@echo "make format  ruff check --fix + ruff format"
	@echo "make bench   run every bench/*.py script"
	@echo "make worker  run a Celery worker (needs CELERY_BROKER_URL)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Runtime only: what the server needs.
$(RUNTIME_STAMP): requirements.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements.txt
	@touch $@

# Runtime plus test and lint tools (requirements-dev.txt includes requirements.txt).
$(DEV_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(PIP_INSTALL) -r requirements-dev.txt
	@touch $@
	@touch $(RUNTIME_STAMP)

$(FONT): | $(BIN)/python
	@rm -rf fonts/.download && mkdir -p fonts/.download
	$(PIP_INSTALL) --no-deps --only-binary=:all: --target fonts/.download "matplotlib-fontja==$(FONTJA_VERSION)"
	cp fonts/.download/matplotlib_fontja/fonts/ipaexg.ttf $(FONT)
	cp fonts/.download/matplotlib_fontja/fonts/IPA_Font_License_Agreement_v1.0.txt fonts/
	@rm -rf fonts/.download

fonts: $(FONT)

$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm is missing: the accessibility browser test will be skipped (apt-get install npm)"; fi

run: $(RUNTIME_STAMP) $(FONT)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_municipalities
	@# seed_demo ends with the address, the demo accounts and the passwords made in this run (or the command
	@# that resets them): the last block before the server's own lines.
	$(BIN)/python manage.py seed_demo --url http://127.0.0.1:$(PORT)/
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# pytest exits 5 when it collected no tests: that is a failure, said out loud.
# -n auto: one pytest-xdist worker per core, each on its own database; worksteal: an idle worker takes tests
# queued for a busy one (the isolation walk runs minutes). PYTEST_ARGS="-n 0" runs in one process.
test: $(DEV_STAMP) $(FONT) $(AXE)
	@$(BIN)/python -m pytest -n auto --dist worksteal $(PYTEST_ARGS) || { rc=$$?; \
		if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; exit $$rc; }

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Each bench/*.py builds its own data and prints its ratio; files starting
# with "_" are shared helpers, not benchmarks.
bench: $(DEV_STAMP)
	@scripts=$$(ls bench/*.py 2>/dev/null | grep -v '^bench/_' || true); \
	if [ -z "$$scripts" ]; then echo "make bench: no benchmark scripts in bench/ yet"; exit 0; fi; \
	for script in $$scripts; do \
		echo "== $$script"; \
		PYTHONPATH=$(CURDIR) DJANGO_SETTINGS_MODULE=shaho.settings $(BIN)/python $$script || exit $$?; \
	done

worker: $(RUNTIME_STAMP)
	$(BIN)/celery -A shaho worker -Q reports,imports,default --loglevel=INFO
