# The README's commands. Everything installs into .venv; nothing is needed but Python 3.11+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format migrations-check audit bench clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	$(PY) manage.py ensure_editor
	@echo
	@echo "  Newsroom is at   http://$(HOST):$(PORT)/"
	@echo "  Editors' desk:   http://$(HOST):$(PORT)/admin/"
	@echo
	$(PY) manage.py runserver $(HOST):$(PORT)

# axe-core for the accessibility tests, when npm is there (CI has it).
node_modules/.axe: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --omit=dev --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility checks will be skipped"; fi

node_modules/.all: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.axe $@

test: $(VENV)/.dev node_modules/.axe
	$(PY) -m pytest $(PYTEST_ARGS)

audit: $(VENV)/.runtime node_modules/.all
	$(PY) scripts/audit.py

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: $(VENV)/.runtime
	$(PY) manage.py makemigrations --check --dry-run

# Seeds a throwaway database, serves it with gunicorn in production mode and loads it
# with wrk: pages, comment-posting mixes (mix-100, mix-10) and the CDN mode's counting
# request and Varnish (deploy/varnish.vcl); on PostgreSQL when DATABASE_URL is set.
# Fails when a scenario misses its target or its URL is missing. Knobs: bench/run.py.
# BENCH_ONLY=soak (or BENCH_SOAK=1) adds 5 minutes of the mix: memory and p99 must hold.
bench: $(VENV)/.dev
	@for tool in wrk:wrk varnishd:varnish; do \
	  command -v $${tool%%:*} >/dev/null 2>&1 && continue; \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq $${tool#*:} >/dev/null || \
	    { apt-get update -qq && apt-get install -y -qq $${tool#*:} >/dev/null; }; \
	  else echo "make bench needs $${tool#*:}: sudo apt-get install $${tool#*:}"; exit 1; fi; \
	done
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache node_modules
