# Vigil: `make run` serves the demo site, `make test` runs the fast lane, `make test-full` everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# The commands below read them too: without SITE_URL, the development settings take the site's
# address from HOST and PORT, so `PORT=8101 make run` links emails and pages to port 8101.
export HOST PORT

.PHONY: install run serve test test-full coverage coverage-floor lint typecheck format bench-pages bench-upgrade clean vnu

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_content
	$(BIN)/python manage.py ensure_admin
	@echo "Emails are written as .eml files to $(CURDIR)/var/mail/"
	@$(MAKE) --no-print-directory serve

# The web server and the task cluster together; one Ctrl-C stops both.
serve:
	@echo "Serving Vigil at http://$(HOST):$(PORT)/ with a task cluster (Ctrl-C stops both)"
	$(BIN)/python manage.py serve $(HOST):$(PORT)

# The Nu HTML Checker for tests/website/test_demo_pages_html.py (skipped without it): the npm
# package vnu-jar under tools/vnu/ (not in git), run with the machine's Java. VNU_JAR=path uses
# another copy.
VNU_VERSION ?= 26.9.27
VNU_JAR_INSTALLED := tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar
$(VNU_JAR_INSTALLED):
	npm install --prefix tools/vnu --no-save --no-audit --no-fund vnu-jar@$(VNU_VERSION)

vnu: $(VNU_JAR_INSTALLED)
	java -version

# The fast lane: every test but the `migrations` ones (a minute of migrating back and forth:
# `make test-full` and CI run them; `.venv/bin/pytest -m migrations` alone), fuzz tests at 25
# inputs, both cores, the test database reused between runs (tests/reused_db.py).
# `.venv/bin/pytest path/to/test_file.py` runs one file.
PYTEST := $(BIN)/python -m pytest
test: install lint
	$(PYTEST) -n auto -m 'not e2e and not migrations'
	$(PYTEST) tests/e2e -m e2e -n auto

# The thorough lane, as CI runs it: every test, the `migrations` ones included, fuzz tests at
# 1,000 inputs each on PostgreSQL, 200 on SQLite.
test-full: install lint typecheck
	VIGIL_HYPOTHESIS_PROFILE=full $(PYTEST) -n auto
	$(PYTEST) tests/e2e -m e2e -n auto

# Line and branch coverage of the apps and their templates (django-coverage-plugin). CI fails
# under COVERAGE_FLOOR, which is the measured figure (README) less one point.
COVERAGE_FLOOR ?= 95.0
coverage: install
	$(PYTEST) -n auto --cov --cov-report=term:skip-covered --cov-fail-under=$(COVERAGE_FLOOR)

coverage-floor:
	@echo $(COVERAGE_FLOOR)

lint: install
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

# mypy with django-stubs over the whole tree; strict over the modules listed in pyproject.toml.
typecheck: install
	$(BIN)/mypy .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# A database made by an earlier release (UPGRADE_FROM, a git revision: the code before the
# one-core redesign) migrates with today's code without losing or changing a row, and the
# links it emailed still open (bench/upgrade_in_place.py; PostgreSQL).
UPGRADE_FROM ?= 61bb401
bench-upgrade: install
	$(BIN)/python bench/upgrade_in_place.py --from $(UPGRADE_FROM)

# Pages beside a static file through the same server; PAGES_ARGS="--url http://host:port/"
# measures a peer site with the same client in the same run (bench/pages.py --help).
PAGES_ARGS ?=
bench-pages: install
	$(BIN)/python bench/pages.py $(PAGES_ARGS)

clean:
	rm -rf $(VENV) var/static var/test-media

# Digest benchmarks (PostgreSQL in DATABASE_URL; see bench/digest.py and bench/digest_crash.py).
.PHONY: bench-digest bench-digest-crash
bench-digest: install
	$(BIN)/python bench/digest.py

bench-digest-crash: install
	$(BIN)/python bench/digest_crash.py

# Crash benchmark and gate for the outbox (digest, campaign update, vigil and shift messages):
# PostgreSQL database vigil_bench_outbox (dropped and rebuilt), Redis db 9; see
# bench/outbox_crash.py. BENCH_BACKEND=one-by-one sends one message at a time over SMTP.
# It exits non-zero on any missing message, or a duplicate the backend does not excuse;
# bench-outbox-gate runs it for both backends.
.PHONY: bench-outbox-crash bench-outbox-gate
BENCH_BACKEND ?= batch
bench-outbox-crash: install
	$(BIN)/python bench/outbox_crash.py --backend $(BENCH_BACKEND)

bench-outbox-gate: install
	$(BIN)/python bench/outbox_crash.py --backend batch
	$(BIN)/python bench/outbox_crash.py --backend one-by-one

# Sign-up benchmark: the burst beside its no-op floor, then 8 in flight, one JSON line; exits 1
# when a correctness check fails (PostgreSQL in BENCH_DATABASE_URL; see bench/signup.py).
.PHONY: bench-signup
bench-signup: install
	$(BIN)/python bench/signup.py

# Campaign rush (issue 16): 3,000 visitors in 60 s in the mix a digest produces, open loop from a
# separate process, against gunicorn (2 sync workers) on PostgreSQL (RUSH_DATABASE_URL, default
# vigil_bench_rush) and Redis (RUSH_REDIS_URL, default db 10, flushed) with a task cluster; the
# page cache on, then off (see bench/rush.py). RUSH_ARGS="--only cached" runs one phase.
.PHONY: bench-rush
RUSH_ARGS ?=
bench-rush: install
	$(BIN)/python bench/rush.py $(RUSH_ARGS)

# Redis outage benchmark: 200 concurrent page requests with Redis down (see bench/redis_outage.py).
.PHONY: bench-redis-outage
bench-redis-outage: install
	$(BIN)/python bench/redis_outage.py --killed

# Today's import graph: modules, import cycles, which app imports which, and migration dependencies
# between apps (tests/import_graph.py, the measure of issue 15's "core imports no app"). It reads
# the source with the standard library only, so it needs no install.
.PHONY: imports
imports:
	$(BIN)/python -m tests.import_graph
