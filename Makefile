# The README's commands. `make run` for the embedded default, `make test` is what CI runs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint format worker beat install install-dev migrate seed messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -r requirements.txt

install-dev: $(BIN)/python
	$(BIN)/pip install -r requirements-dev.txt

# Refresh the catalogues from the code, then compile them (needs GNU gettext). The .mo files are
# committed, so running the portal needs no gettext.
messages: $(BIN)/python
	$(BIN)/python manage.py makemessages -l fr -l en --no-obsolete --ignore=.venv/* --ignore=staticfiles/* --ignore=test-artifacts/*
	$(BIN)/python manage.py compilemessages --ignore=.venv

migrate:
	$(BIN)/python manage.py migrate --noinput

seed:
	$(BIN)/python manage.py seed_demo

# Links in emails point at the port served here, unless SITE_URL is set (environment or .env).
run: install migrate seed
	$(if $(SITE_URL)$(shell grep -s '^SITE_URL=' .env),,SITE_URL=http://127.0.0.1:$(PORT)) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The house rules (docs/architecture.md, "House rules"): ruff (lint, inline imports, format), the
# import contracts of .importlinter, djLint on the templates (lint only, never --reformat), and no
# URL name of an upper app in the core's or the portfolio's code and templates (which import-linter
# cannot see; the root incubator/urls.py includes the apps by dotted path, not by URL name).
LOWER_LAYERS := incubator portfolio templates/base.html templates/includes templates/incubator templates/portfolio
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/djlint templates --lint
	@if grep -rnE --include='*.py' --include='*.html' --exclude-dir=tests --exclude-dir=migrations \
		"[\"'](committees|calls|community):[a-z_]+" $(LOWER_LAYERS); then \
		echo 'A lower layer names an upper app URL (docs/architecture.md, "Layers"): register it from the upper app instead.'; \
		exit 1; fi

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The suite in TEST_WORKERS processes (pytest-xdist), a test file per process at a time (the
# browser tests share one Chromium per file); each process has its own test database and Redis db.
TEST_WORKERS ?= 2
test: install-dev lint
	$(BIN)/pytest --numprocesses=$(TEST_WORKERS) --dist=loadfile

worker:
	$(BIN)/celery -A incubator worker --loglevel=INFO --concurrency=2

beat:
	$(BIN)/celery -A incubator beat --loglevel=INFO

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
