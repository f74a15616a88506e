# Relais — the commands of the README. Everything the project needs is installed from here.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
PG_TEST_URL ?= postgres://postgres@localhost:5432/relais
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help demo serve test test-sqlite test-postgres test-e2e bench kit lint format chromium ocr vendor-check clean

help:  ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

demo: $(VENV)/.installed ocr  ## Set up and serve the whole platform with demo data on http://127.0.0.1:$(PORT)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py load_demo
	@echo "Relais: http://$(HOST):$(PORT)/  (comptes de démonstration : voir README.md)"
	@echo "E-mails envoyés : var/mail/ (EMAIL_HOST pour un vrai serveur SMTP)"
	@echo "E-mails reçus par le guichet unique : smtp://$(HOST):$(SMTP_PORT) (adresse guichet@localhost)"
	@$(MAKE) --no-print-directory serve

# One ASGI worker per core (WORKERS=n to change), serving pages and websockets alike.
WORKER_CMD ?= $(PY) manage.py run_huey --quiet
WEB_CMD ?= $(VENV)/bin/uvicorn relais.asgi:application --host $(HOST) --port $(PORT) \
	--workers $${WORKERS:-$$(nproc 2>/dev/null || echo 1)} --log-level warning
# The front door's inbox: e-mails to the networks' inbox addresses become requests (SMTP_PORT).
SMTP_PORT ?= 2525
SMTP_CMD ?= $(PY) manage.py run_smtp_intake --host $(HOST) --port $(SMTP_PORT)

serve:  ## Serve pages, websockets, background tasks and the e-mail inbox (SMTP $(SMTP_PORT)) (Ctrl-C stops all)
	@# Both run in the background and the shell waits (a wait a signal interrupts at once). On
	@# Ctrl-C, TERM, or either of them ending, the trap removes itself, stops the other(s) and
	@# waits for them. (It used to run ``kill 0``: that signalled the shell itself, which ran the
	@# trap again, and again, until bash died with "Segmentation fault".)
	@trap 'trap - EXIT INT TERM; kill $$(jobs -p) 2>/dev/null; wait' EXIT INT TERM; \
	  $(WORKER_CMD) & \
	  $(SMTP_CMD) & \
	  $(WEB_CMD) & \
	  wait -n

chromium:  ## Install Debian's chromium for the browser tests when it is missing and root can
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "chromium could not be installed: the browser tests will be skipped."; \
	  else echo "chromium is missing and cannot be installed here: the browser tests will be skipped."; fi; \
	fi

ocr:  ## Install Debian's tesseract (French) for reading scanned letters when it is missing and root can
	@if ! tesseract --list-langs 2>/dev/null | grep -qx fra; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's tesseract (French) to read scanned letters…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-fra >/dev/null) \
	      || echo "tesseract could not be installed: scanned letters will not be read (OCR unavailable)."; \
	  else echo "tesseract is missing and cannot be installed here: scanned letters will not be read (OCR unavailable)."; fi; \
	fi

test: $(VENV)/.installed chromium ocr  ## Set up and run the whole test suite (SQLite, then PostgreSQL when reachable)
	$(MAKE) --no-print-directory test-sqlite
	@# Django creates its own test database: reaching the server's maintenance database is enough.
	@if $(PY) -c "import psycopg; psycopg.connect('$(PG_TEST_URL)'.rsplit('/', 1)[0] + '/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  $(MAKE) --no-print-directory test-postgres; \
	else echo "PostgreSQL not reachable at $(PG_TEST_URL): database tests ran on SQLite only."; fi

test-sqlite: $(VENV)/.installed
	$(PY) -m pytest -p no:cacheprovider -n 2 --dist loadgroup

test-postgres: $(VENV)/.installed  ## Run the database tests on PostgreSQL (DATABASE_URL=$(PG_TEST_URL))
	DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest -p no:cacheprovider -n 2 -m "not e2e" -q

bench: $(VENV)/.installed  ## Run the benchmarks in bench/ (figures and ratios to their baselines)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	$(PY) -m bench

kit: $(VENV)/.installed  ## Build the user kit: the French guides of docs/guide/ as PDF in var/kit/
	$(PY) manage.py build_user_kit

lint: $(VENV)/.installed  ## ruff, import contracts, migrations check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

vendor-check:  ## Verify the checksums of the vendored front-end libraries
	@cd relais/static/vendor && grep -v '^#' MANIFEST | awk -F'\t' '{print $$4"  "$$5}' | sha256sum --quiet -c && echo "vendor: OK"

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
